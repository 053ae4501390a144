package ptrace

import (
	"encoding/binary"
	"fmt"
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/platform"
)

// addressSpace is a stub process. Each OS thread that runs application
// threads in it drives its own stub thread (threads, keyed by the tracer's
// tid); mu guards threads and released.
type addressSpace struct {
	p        *Platform
	tgid     int
	initRegs platform.Registers

	mu       sync.Mutex
	threads  map[int]*thread
	released bool

	// gone is closed when the stub ended; lost is set before if it was
	// not released then (lost.go).
	gone chan struct{}
	lost bool
}

// threadForCaller returns the stub thread traced by the calling OS thread.
func (as *addressSpace) threadForCaller() (*thread, error) {
	tid := unix.Gettid()
	as.mu.Lock()
	t := as.threads[tid]
	as.mu.Unlock()
	if t == nil {
		return nil, fmt.Errorf("ptrace: address space of stub %d used from OS thread %d, which has no stub thread in it", as.tgid, tid)
	}
	return t, nil
}

// MapFile implements platform.AddressSpace by injecting mmap into the stub.
func (as *addressSpace) MapFile(addr uintptr, f platform.FileRange, perms platform.AccessType, precommit bool) error {
	t, err := as.threadForCaller()
	if err != nil {
		return err
	}
	flags := uintptr(unix.MAP_SHARED | unix.MAP_FIXED)
	if precommit {
		flags |= unix.MAP_POPULATE
	}
	// The memory file is fd 0 of the stub.
	got, err := t.syscall(unix.SYS_MMAP, addr, uintptr(f.Length), uintptr(perms.Prot()), flags, 0, uintptr(f.Offset))
	if err != nil {
		return fmt.Errorf("mmap in stub at %#x+%#x: %w", addr, f.Length, err)
	}
	if got != addr {
		return fmt.Errorf("mmap in stub returned %#x, want %#x", got, addr)
	}
	return nil
}

// Unmap implements platform.AddressSpace.
func (as *addressSpace) Unmap(addr uintptr, length uint64) {
	t, err := as.threadForCaller()
	if err != nil {
		return
	}
	t.syscall(unix.SYS_MUNMAP, addr, uintptr(length))
}

// Protect changes the host protection of [addr, addr+length).
func (as *addressSpace) Protect(addr uintptr, length uint64, perms platform.AccessType) {
	t, err := as.threadForCaller()
	if err != nil {
		return
	}
	t.syscall(unix.SYS_MPROTECT, addr, uintptr(length), uintptr(perms.Prot()))
}

var _ platform.HostProcess = (*addressSpace)(nil)

// HostPID implements platform.HostProcess.
func (as *addressSpace) HostPID() int { return as.tgid }

// SetName implements platform.HostProcess: the name is written into the
// stub's page (PTRACE_POKEDATA; the page is the stub's private copy, and
// nothing of the application lives there) and the stub's main thread is
// made to call prctl(PR_SET_NAME) on it: the comm of the host process,
// which host ps shows (as "[name]": the stub has no readable command line
// since it unmapped its own stack). Only the main thread's name is what
// ps shows, so a call from another stub thread does nothing.
func (as *addressSpace) SetName(name string) {
	t, err := as.threadForCaller()
	if err != nil || t.tid != as.tgid {
		return
	}
	var b [16]byte // TASK_COMM_LEN, NUL-terminated
	copy(b[:15], name)
	// Two whole words with PTRACE_POKEDATA alone (unix.PtracePokeData
	// would also peek, a request the sentry's seccomp filter refuses).
	for i := 0; i < len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		if _, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_POKEDATA, uintptr(t.tid), stubNameAddr+uintptr(i), uintptr(w), 0, 0); e != 0 {
			return
		}
	}
	t.syscall(unix.SYS_PRCTL, unix.PR_SET_NAME, stubNameAddr)
}

// stubThreadFlags are the clone flags of a new stub thread.
const stubThreadFlags = unix.CLONE_VM | unix.CLONE_FS | unix.CLONE_FILES | unix.CLONE_SIGHAND |
	unix.CLONE_THREAD | unix.CLONE_SYSVSEM

// PrepareThread implements platform.ThreadedAddressSpace: the caller's stub
// thread clones a new one, which idles until AttachThread.
func (as *addressSpace) PrepareThread() (platform.ThreadHandle, error) {
	t, err := as.threadForCaller()
	if err != nil {
		return 0, err
	}
	tid, err := t.syscallAt(t.cloneGadget, unix.SYS_CLONE, stubThreadFlags, 0, 0, 0, 0)
	if err != nil {
		return 0, fmt.Errorf("cloning a stub thread: %w", err)
	}
	return platform.ThreadHandle(tid), nil
}

// AttachThread implements platform.ThreadedAddressSpace: the calling OS
// thread (locked) seizes the prepared stub thread and drives it from now on.
func (as *addressSpace) AttachThread(h platform.ThreadHandle) error {
	tid := int(h)
	opts := unix.PTRACE_O_TRACESYSGOOD | unix.PTRACE_O_EXITKILL
	if _, _, e := unix.RawSyscall6(unix.SYS_PTRACE, unix.PTRACE_SEIZE, uintptr(tid), 0, uintptr(opts), 0, 0); e != 0 {
		return fmt.Errorf("PTRACE_SEIZE of stub thread %d: %w", tid, e)
	}
	if err := unix.PtraceInterrupt(tid); err != nil {
		return fmt.Errorf("PTRACE_INTERRUPT of stub thread %d: %w", tid, err)
	}
	t := &thread{tgid: as.tgid, tid: tid, tracer: unix.Gettid(), gadget: stubGadget, cloneGadget: stubCloneG, initRegs: as.initRegs}
	for {
		ws, err := t.wait()
		if err != nil {
			return err
		}
		if ws.Stopped() && ws>>16 == unix.PTRACE_EVENT_STOP {
			break
		}
		// A signal arrived first: suppress it and wait for the stop.
		resume(unix.PTRACE_CONT, tid, 0)
	}
	if os := pinnedCPU(); os >= 0 {
		pinTo(tid, os)
	}
	as.mu.Lock()
	as.threads[t.tracer] = t
	as.mu.Unlock()
	return nil
}

// DetachCaller implements platform.ThreadedAddressSpace: the caller's stub
// thread exits; the address space lives on for its other threads. It
// reports whether threads remain.
func (as *addressSpace) DetachCaller() bool {
	tid := unix.Gettid()
	as.mu.Lock()
	t := as.threads[tid]
	delete(as.threads, tid)
	remaining := len(as.threads)
	as.mu.Unlock()
	if t == nil {
		return remaining > 0
	}
	if remaining == 0 {
		as.Release()
		return false
	}
	// exit(2) of just this thread; reap its ptrace exit report.
	regs := t.initRegs
	regs.Rip = uint64(t.gadget)
	regs.Rax = unix.SYS_EXIT
	regs.Orig_rax = ^uint64(0)
	regs.Rdi = 0
	if setRegs(t.tid, &regs) == nil && resume(unix.PTRACE_CONT, t.tid, 0) == nil {
		for {
			if _, err := t.wait(); err != nil {
				break
			}
			resume(unix.PTRACE_CONT, t.tid, 0)
		}
	}
	return true
}

// Release implements platform.AddressSpace: it kills the stub process.
func (as *addressSpace) Release() {
	as.mu.Lock()
	defer as.mu.Unlock()
	if as.released {
		return
	}
	as.released = true
	unix.Kill(as.tgid, unix.SIGKILL)
	// Reap what this OS thread traces; other tracers reap their own.
	if t := as.threads[unix.Gettid()]; t != nil {
		var ws unix.WaitStatus
		unix.Wait4(t.tid, &ws, unix.WALL, nil)
	}
}
