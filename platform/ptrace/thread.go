package ptrace

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"

	"stockade.dev/platform"
)

// thread is one stub thread, traced by the OS thread whose tid is tracer.
type thread struct {
	tgid   int
	tid    int
	tracer int
	gadget uintptr
	// cloneGadget creates new stub threads (see stubCode).
	cloneGadget uintptr
	// initRegs are the registers the stub had when it became ready; injected
	// system calls start from them.
	initRegs platform.Registers
}

// syscall runs a host system call inside the stub thread, which must be
// stopped, and returns its result. The application registers are not
// preserved: Context.Switch always loads them afresh.
func (t *thread) syscall(sysno uintptr, args ...uintptr) (uintptr, error) {
	return t.syscallAt(t.gadget, sysno, args...)
}

// syscallAt is syscall through the gadget at pc.
func (t *thread) syscallAt(pc uintptr, sysno uintptr, args ...uintptr) (uintptr, error) {
	regs := t.initRegs
	regs.Rip = uint64(pc)
	regs.Rax = uint64(sysno)
	regs.Orig_rax = ^uint64(0)
	var a [6]uintptr
	copy(a[:], args)
	regs.Rdi, regs.Rsi, regs.Rdx, regs.R10, regs.R8, regs.R9 = uint64(a[0]), uint64(a[1]), uint64(a[2]), uint64(a[3]), uint64(a[4]), uint64(a[5])
	if err := setRegs(t.tid, &regs); err != nil {
		return 0, fmt.Errorf("PTRACE_SETREGS for an injected syscall: %w", stubLost(err))
	}
	if err := resume(unix.PTRACE_CONT, t.tid, 0); err != nil {
		return 0, fmt.Errorf("PTRACE_CONT for an injected syscall: %w", stubLost(err))
	}
	for {
		ws, err := t.wait()
		if err != nil {
			return 0, err
		}
		if ws.StopSignal() == unix.SIGTRAP {
			break
		}
		// Another signal (an interrupt) arrived first: let the syscall go on
		// and keep the signal pending for the next Switch by re-raising it.
		sig := ws.StopSignal()
		if err := resume(unix.PTRACE_CONT, t.tid, 0); err != nil {
			return 0, err
		}
		defer unix.Tgkill(t.tgid, t.tid, sig)
	}
	if err := getRegs(t.tid, &regs); err != nil {
		return 0, fmt.Errorf("PTRACE_GETREGS after an injected syscall: %w", stubLost(err))
	}
	if r := int64(regs.Rax); r < 0 && r > -4096 {
		return 0, unix.Errno(-r)
	}
	return uintptr(regs.Rax), nil
}

// stubLost marks a ptrace error on a stub thread that no longer exists
// (ESRCH: killed from outside, by the host's OOM killer for one) as
// platform.ErrContextKilled, so that the sentry kills the application
// process as the host killed its stub.
func stubLost(err error) error {
	if errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("%w: %w", platform.ErrContextKilled, err)
	}
	return err
}

// wait waits for the thread's next stop. It fails if the thread died.
func (t *thread) wait() (unix.WaitStatus, error) {
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(t.tid, &ws, unix.WALL, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return ws, fmt.Errorf("wait4 on stub thread %d: %w", t.tid, err)
		}
		break
	}
	if ws.Exited() || ws.Signaled() {
		return ws, platform.ErrContextKilled
	}
	return ws, nil
}
