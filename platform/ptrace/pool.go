package ptrace

import (
	"runtime"

	"golang.org/x/sys/unix"

	"stockade.dev/platform"
)

// The stub pool. Creating a stub costs a fork and an exec on the host
// (about 1.5 ms here), and every fork and every execve in the sandbox needs
// a new address space. A pool goroutine, on an OS thread of its own that
// lives as long as the sentry, creates stubs ahead of time and parks them
// untraced in their pause(2) loop; NewAddressSpace seizes a parked stub
// (PTRACE_SEIZE + PTRACE_INTERRUPT: two host calls) instead of starting
// one. Parked stubs carry PR_SET_PDEATHSIG, tied to the pool's thread,
// so they die with the sentry even though nobody traces them.

// poolSize is how many parked stubs the pool keeps ready.
const poolSize = 3

// parkedStub is a stub waiting in the pool, or the error that stopped the
// stub factory from making one (err set, pid 0).
type parkedStub struct {
	pid int
	err error
}

// startPool starts the pool goroutine of p.
func (p *Platform) startPool() {
	if err := p.startPoolWith(nil); err != nil {
		panic(err) // without a factory startPoolWith does not fail
	}
}

// startPoolWith starts the pool goroutine of p; with a factory (non-nil
// prepare), the goroutine first runs prepare on its thread and starts the
// master stub (factory.go), and parks stubs cloned from it.
func (p *Platform) startPoolWith(prepare func() error) error {
	p.pool = make(chan parkedStub, poolSize)
	p.poolWant = make(chan struct{}, 1)
	ready := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: PDEATHSIG is tied to this thread
		if prepare != nil {
			err := prepare()
			if err == nil {
				err = p.startMaster()
			}
			ready <- err
			if err != nil {
				return
			}
		} else {
			ready <- nil
		}
		for {
			for len(p.pool) < cap(p.pool) {
				s, err := p.parkStub()
				if err != nil {
					if p.master != 0 {
						// A waiting NewAddressSpace must learn it.
						p.pool <- parkedStub{err: err}
					}
					break
				}
				p.pool <- s
			}
			<-p.poolWant
		}
	}()
	if err := <-ready; err != nil {
		return err
	}
	p.poolStarted.Store(true)
	return nil
}

// parkStub starts a stub (or clones one from the master) and leaves it
// untraced in its pause loop.
func (p *Platform) parkStub() (parkedStub, error) {
	var pid int
	var err error
	if p.master != 0 {
		pid, err = p.cloneStub()
	} else {
		pid, err = startStubPdeathsig(p.memFD)
	}
	if err != nil {
		return parkedStub{}, err
	}
	var regs platform.Registers
	if err := getRegs(pid, &regs); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return parkedStub{}, err
	}
	// The pause loop of the clone gadget: syscall(2) test(3) jnz(2).
	regs.Rip = uint64(stubCloneG + 7)
	regs.Orig_rax = ^uint64(0)
	if err := setRegs(pid, &regs); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return parkedStub{}, err
	}
	if err := unix.PtraceDetach(pid); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return parkedStub{}, err
	}
	return parkedStub{pid: pid}, nil
}

// takeStub returns a parked stub seized by the calling OS thread, or
// (0, false) if the pool is empty.
func (p *Platform) takeStub() (int, bool) {
	if !p.poolStarted.Load() {
		return 0, false
	}
	select {
	case s := <-p.pool:
		select {
		case p.poolWant <- struct{}{}:
		default:
		}
		if s.err != nil {
			return 0, false
		}
		if err := seize(s.pid); err != nil {
			unix.Kill(s.pid, unix.SIGKILL)
			return 0, false
		}
		return s.pid, true
	default:
		select {
		case p.poolWant <- struct{}{}:
		default:
		}
		return 0, false
	}
}

// seize makes the calling OS thread trace the parked process or thread tid
// and waits until it is stopped.
func seize(tid int) error {
	opts := unix.PTRACE_O_TRACESYSGOOD | unix.PTRACE_O_EXITKILL
	if _, _, e := unix.RawSyscall6(unix.SYS_PTRACE, unix.PTRACE_SEIZE, uintptr(tid), 0, uintptr(opts), 0, 0); e != 0 {
		return e
	}
	if err := unix.PtraceInterrupt(tid); err != nil {
		return err
	}
	t := &thread{tid: tid}
	for {
		ws, err := t.wait()
		if err != nil {
			return err
		}
		if ws.Stopped() && ws>>16 == unix.PTRACE_EVENT_STOP {
			return nil
		}
		resume(unix.PTRACE_CONT, tid, 0)
	}
}
