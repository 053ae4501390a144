package ptrace

import (
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// The stub is a tiny static ELF executable, assembled here, that becomes the
// host process of one application address space. Loaded at stubStart, it
// unmaps everything else (its own stack, vDSO and vvar included) so the whole
// range below stubStart belongs to the application, then stops with int3.
// After that the tracer only ever uses its syscall gadget ("syscall; int3")
// to inject mmap/munmap/mprotect, and runs application code in the threads.
const (
	// stubStart is where the stub's single page is mapped. The stub runs with
	// ADDR_NO_RANDOMIZE, so the host places its initial stack at the very
	// top of the address space, above stubStart.
	stubStart = 0x7fffff000000
	stubSize  = 0x1000
	// hostTaskSize is the end of the amd64 47-bit user address space.
	hostTaskSize = 0x7ffffffff000

	codeOffset = 0x80
	// stubNameAddr is where SetName writes the name it passes to
	// prctl(PR_SET_NAME): past the code, in the stub's one page.
	stubNameAddr = stubStart + 0xf00
)

// stubCode returns the machine code of the stub and the offsets, within
// it, of the syscall gadget and of the clone gadget.
//
// The clone gadget is "syscall; test rax,rax; jnz 1f; 2: pause; jmp 2b;
// 1: int3": the parent (the injecting thread) stops at the int3, the new
// thread idles in pause(2) until its own tracer seizes it.
func stubCode(keepStart, keepEnd uint64) (code []byte, gadget, cloneGadget int) {
	var b []byte
	movRSI := func(v uint64) { b = append(b, 0x48, 0xbe); b = binary.LittleEndian.AppendUint64(b, v) }
	movRDI := func(v uint64) { b = append(b, 0x48, 0xbf); b = binary.LittleEndian.AppendUint64(b, v) }
	movEAX := func(v uint32) { b = append(b, 0xb8); b = binary.LittleEndian.AppendUint32(b, v) }
	sys := func() { b = append(b, 0x0f, 0x05) }

	if keepStart == 0 {
		// Probe mode: stop at once so the host's layout can be read.
		b = append(b, 0xcc)
	}
	// munmap(0, keepStart); munmap(keepEnd, stubStart-keepEnd): everything
	// but the host's vDSO and its data pages, which the application uses.
	if keepStart != 0 {
		movRDI(0)
		movRSI(keepStart)
		movEAX(unix.SYS_MUNMAP)
		sys()
		movRDI(keepEnd)
		movRSI(stubStart - keepEnd)
		movEAX(unix.SYS_MUNMAP)
		sys()
	}
	// munmap(stubStart+stubSize, hostTaskSize-(stubStart+stubSize))
	movRDI(stubStart + stubSize)
	movRSI(hostTaskSize - (stubStart + stubSize))
	movEAX(unix.SYS_MUNMAP)
	sys()
	b = append(b, 0xcc) // int3: ready
	gadget = len(b)
	sys()
	b = append(b, 0xcc)       // int3 after each injected syscall
	b = append(b, 0xeb, 0xfb) // jmp gadget (never reached in practice)
	cloneGadget = len(b)
	sys()
	b = append(b, 0x48, 0x85, 0xc0) // test rax, rax
	b = append(b, 0x75, 0x09)       // jnz parent
	movEAX(unix.SYS_PAUSE)          // child:
	sys()
	b = append(b, 0xeb, 0xf7) // jmp child
	b = append(b, 0xcc)       // parent: int3
	return b, gadget, cloneGadget
}

// stubELF builds the stub executable.
func stubELF(keepStart, keepEnd uint64) (image []byte, gadgetAddr, cloneGadgetAddr uintptr) {
	code, gadget, cloneGadget := stubCode(keepStart, keepEnd)
	img := make([]byte, codeOffset+len(code))
	le := binary.LittleEndian
	// ELF header.
	copy(img, []byte{0x7f, 'E', 'L', 'F', 2 /*64-bit*/, 1 /*LE*/, 1 /*version*/, 0 /*SysV*/})
	le.PutUint16(img[16:], uint16(2))  // ET_EXEC
	le.PutUint16(img[18:], uint16(62)) // EM_X86_64
	le.PutUint32(img[20:], 1)          // version
	le.PutUint64(img[24:], stubStart+codeOffset)
	le.PutUint64(img[32:], 64) // phoff
	le.PutUint64(img[40:], 0)  // shoff
	le.PutUint32(img[48:], 0)  // flags
	le.PutUint16(img[52:], 64) // ehsize
	le.PutUint16(img[54:], 56) // phentsize
	le.PutUint16(img[56:], 1)  // phnum
	le.PutUint16(img[58:], 64) // shentsize
	le.PutUint16(img[60:], 0)
	le.PutUint16(img[62:], 0)
	// Program header: one PT_LOAD R+X.
	ph := img[64:]
	le.PutUint32(ph[0:], 1) // PT_LOAD
	le.PutUint32(ph[4:], 5) // PF_R|PF_X
	le.PutUint64(ph[8:], 0) // offset
	le.PutUint64(ph[16:], stubStart)
	le.PutUint64(ph[24:], stubStart)
	le.PutUint64(ph[32:], uint64(len(img)))
	le.PutUint64(ph[40:], uint64(len(img)))
	le.PutUint64(ph[48:], 0x1000)
	copy(img[codeOffset:], code)
	return img, stubStart + codeOffset + uintptr(gadget), stubStart + codeOffset + uintptr(cloneGadget)
}

var (
	stubOnce    sync.Once
	stubPath    string
	stubGadget  uintptr
	stubCloneG  uintptr
	stubInitErr error
)

// vdsoRange is the host's vDSO and its data pages ([vvar], [vvar_vclock],
// [vdso]) in a stub: the stub keeps them, and the application calls the
// vDSO directly (clock_gettime and friends without a trap). With
// ADDR_NO_RANDOMIZE their place is the same in every stub.
var vdsoRange struct{ start, end, vdso uint64 }

// writeStub stores a stub image in a sealed memfd and returns the path
// that execs it.
func writeStub(img []byte) (string, error) {
	fd, err := unix.MemfdCreate("stockade-stub", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return "", fmt.Errorf("creating the stub memfd: %w", err)
	}
	if _, err := unix.Write(fd, img); err != nil {
		return "", fmt.Errorf("writing the stub: %w", err)
	}
	unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, unix.F_SEAL_WRITE|unix.F_SEAL_GROW|unix.F_SEAL_SHRINK|unix.F_SEAL_SEAL)
	return fmt.Sprintf("/proc/self/fd/%d", fd), nil
}

// probeVDSO starts a stub that stops at once and reads where the host put
// the vDSO.
func probeVDSO(path string) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pid, err := forkStub(path, -1)
	if err != nil {
		return err
	}
	defer func() {
		unix.Kill(pid, unix.SIGKILL)
		var ws unix.WaitStatus
		unix.Wait4(pid, &ws, unix.WALL, nil)
	}()
	maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return err
	}
	for _, line := range strings.Split(string(maps), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || !(strings.HasPrefix(f[5], "[vvar") || f[5] == "[vdso]") {
			continue
		}
		var lo, hi uint64
		if _, err := fmt.Sscanf(f[0], "%x-%x", &lo, &hi); err != nil {
			continue
		}
		if vdsoRange.start == 0 || lo < vdsoRange.start {
			vdsoRange.start = lo
		}
		vdsoRange.end = max(vdsoRange.end, hi)
		if f[5] == "[vdso]" {
			vdsoRange.vdso = lo
		}
	}
	if vdsoRange.vdso == 0 || vdsoRange.end > stubStart {
		vdsoRange = struct{ start, end, vdso uint64 }{}
		return fmt.Errorf("no usable vDSO in the stub")
	}
	return nil
}

// stubBinary returns a path that execs the stub: a sealed memfd holding it,
// reached through /proc/self/fd.
func stubBinary() (string, uintptr, error) {
	stubOnce.Do(func() {
		probe, _, _ := stubELF(0, 0)
		probePath, err := writeStub(probe)
		if err != nil {
			stubInitErr = err
			return
		}
		keepStart, keepEnd := uint64(stubStart), uint64(stubStart)
		if err := probeVDSO(probePath); err == nil {
			keepStart, keepEnd = vdsoRange.start, vdsoRange.end
		}
		img, gadget, cloneG := stubELF(keepStart, keepEnd)
		stubPath, stubInitErr = writeStub(img)
		stubGadget = gadget
		stubCloneG = cloneG
	})
	return stubPath, stubGadget, stubInitErr
}

// forkStub execs the stub at path traced by the calling (locked) OS thread
// and waits for its first stop.
func forkStub(path string, memFD int) (int, error) {
	return forkStubWith(path, memFD, 0)
}

// forkStubWith is forkStub with a parent-death signal for the stub.
func forkStubWith(path string, memFD int, pdeathsig syscall.Signal) (int, error) {
	files := []uintptr{}
	if memFD >= 0 {
		files = append(files, uintptr(memFD))
	}
	// The host must not randomise the stub's layout: stack and vDSO must
	// land where every stub has them.
	old, _, _ := unix.RawSyscall(unix.SYS_PERSONALITY, 0xffffffff, 0, 0)
	unix.RawSyscall(unix.SYS_PERSONALITY, old|addrNoRandomize, 0, 0)
	pid, err := syscall.ForkExec(path, []string{"stockade-stub"}, &syscall.ProcAttr{
		Env:   []string{},
		Files: files,
		// No Pdeathsig: it fires when the creating OS thread exits, which
		// may be long before the address space's last user. The stub dies
		// with its tracers instead (PTRACE_O_EXITKILL).
		Sys: &syscall.SysProcAttr{
			Ptrace:    true,
			Setsid:    true,
			Pdeathsig: pdeathsig,
		},
	})
	unix.RawSyscall(unix.SYS_PERSONALITY, old, 0, 0)
	if err != nil {
		return 0, fmt.Errorf("starting the ptrace stub: %w", err)
	}
	// First stop: SIGTRAP after exec.
	if err := waitStop(pid, unix.SIGTRAP); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return 0, fmt.Errorf("ptrace stub did not stop after exec: %w", err)
	}
	opts := unix.PTRACE_O_TRACESYSGOOD | unix.PTRACE_O_EXITKILL
	if err := unix.PtraceSetOptions(pid, opts); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return 0, fmt.Errorf("PTRACE_SETOPTIONS on the stub: %w", err)
	}
	if memFD < 0 {
		// Probe: let it run to its first int3.
		unix.PtraceCont(pid, 0)
		if err := waitStop(pid, unix.SIGTRAP); err != nil {
			unix.Kill(pid, unix.SIGKILL)
			return 0, err
		}
	}
	return pid, nil
}

// startStub starts a new stub process traced by the calling OS thread, which
// the caller must have locked (runtime.LockOSThread). memFD becomes the stub's
// fd 0. It returns the stub's pid once the stub has cleared its address space
// and stopped.
func startStub(memFD int) (int, error) {
	return startStubWith(memFD, 0)
}

// startStubPdeathsig starts a stub that gets SIGKILL when the calling OS
// thread exits (for the pool, whose thread lives as long as the sentry).
func startStubPdeathsig(memFD int) (int, error) {
	return startStubWith(memFD, syscall.SIGKILL)
}

func startStubWith(memFD int, pdeathsig syscall.Signal) (int, error) {
	path, _, err := stubBinary()
	if err != nil {
		return 0, err
	}
	pid, err := forkStubWith(path, memFD, pdeathsig)
	if err != nil {
		return 0, err
	}
	// Let it unmap everything and stop at its int3.
	if err := unix.PtraceCont(pid, 0); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return 0, fmt.Errorf("PTRACE_CONT on the stub: %w", err)
	}
	if err := waitStop(pid, unix.SIGTRAP); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return 0, fmt.Errorf("ptrace stub failed to initialise: %w", err)
	}
	return pid, nil
}

// waitStop waits for tid to enter a signal-delivery stop with signal want.
func waitStop(tid int, want syscall.Signal) error {
	for {
		var ws unix.WaitStatus
		_, err := unix.Wait4(tid, &ws, unix.WALL, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("wait4(%d): %w", tid, err)
		}
		switch {
		case ws.Exited():
			return fmt.Errorf("stub exited with status %d", ws.ExitStatus())
		case ws.Signaled():
			return fmt.Errorf("stub killed by %v", ws.Signal())
		case ws.Stopped():
			if ws.StopSignal() == want {
				return nil
			}
			return fmt.Errorf("stub stopped by %v, want %v", ws.StopSignal(), want)
		}
	}
}

// addrNoRandomize is the personality flag ADDR_NO_RANDOMIZE (unix lacks it).
const addrNoRandomize = 0x0040000
