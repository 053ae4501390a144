package ptrace

import (
	"fmt"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"stockade.dev/platform"
)

// interruptSignal is the host signal Interrupt sends to a running stub
// thread. The stub never has children of its own, so it has no other use.
const interruptSignal = unix.SIGCHLD

// context runs application threads on stub threads.
type context struct {
	// interrupted is set by Interrupt and consumed by Switch.
	interrupted atomic.Bool
	// running is the stub thread Switch is running, for Interrupt.
	running atomic.Pointer[thread]

	// cachedAS and cachedThread remember the stub thread of the last
	// address space switched into.
	cachedAS     *addressSpace
	cachedThread *thread

	// lastTID is the host tid of the stub thread last run, for CPUClock.
	lastTID atomic.Int32

	fault  platform.FaultInfo
	xsave  []byte
	siginf unix.Siginfo
}

// Switch implements platform.Context.
func (c *context) Switch(pas platform.AddressSpace, regs *platform.Registers) (platform.Event, error) {
	as := pas.(*addressSpace)
	// A context is driven by one OS thread, so its stub thread in an
	// address space does not change: skip the gettid and lookup.
	t := c.cachedThread
	if c.cachedAS != as || t == nil {
		var err error
		if t, err = as.threadForCaller(); err != nil {
			return 0, err
		}
		c.cachedAS, c.cachedThread = as, t
	}
	c.running.Store(t)
	defer c.running.Store(nil)
	c.lastTID.Store(int32(t.tid))
	if c.interrupted.Swap(false) {
		return platform.EventInterrupt, nil
	}
	// Never let the host restart a "system call" behind our back.
	regs.Orig_rax = ^uint64(0)
	if err := setRegs(t.tid, regs); err != nil {
		return 0, fmt.Errorf("PTRACE_SETREGS: %w", stubLost(err))
	}
	if err := resume(unix.PTRACE_SYSEMU, t.tid, 0); err != nil {
		return 0, fmt.Errorf("PTRACE_SYSEMU: %w", stubLost(err))
	}
	ws, err := t.wait()
	if err != nil {
		return 0, err
	}
	if err := getRegs(t.tid, regs); err != nil {
		return 0, fmt.Errorf("PTRACE_GETREGS: %w", stubLost(err))
	}
	if ws>>16 != 0 {
		// A ptrace event stop (PTRACE_INTERRUPT): nothing to report.
		return platform.EventInterrupt, nil
	}
	sig := ws.StopSignal()
	if int(sig) == int(unix.SIGTRAP)|0x80 {
		return platform.EventSyscall, nil
	}
	switch sig {
	case unix.SIGSEGV, unix.SIGBUS, unix.SIGILL, unix.SIGFPE, unix.SIGTRAP:
		if err := getSiginfo(t.tid, &c.siginf); err != nil {
			return 0, fmt.Errorf("PTRACE_GETSIGINFO: %w", err)
		}
		if c.siginf.Code <= 0 && sig != unix.SIGTRAP {
			// Sent by someone on the host, not a fault: treat as an interrupt.
			break
		}
		c.fault = platform.FaultInfo{Signo: int(sig), Code: int(c.siginf.Code), Addr: siginfoAddr(&c.siginf)}
		if sig == unix.SIGSEGV {
			return platform.EventFault, nil
		}
		return platform.EventSignal, nil
	}
	c.interrupted.Store(false)
	return platform.EventInterrupt, nil
}

// FaultInfo implements platform.Context.
func (c *context) FaultInfo() platform.FaultInfo { return c.fault }

// FloatingPointState implements platform.Context with PTRACE_GETREGSET
// NT_X86_XSTATE.
func (c *context) FloatingPointState(pas platform.AddressSpace) ([]byte, error) {
	t, err := pas.(*addressSpace).threadForCaller()
	if err != nil {
		return nil, err
	}
	if c.xsave == nil {
		c.xsave = make([]byte, 4096*4)
	}
	n, err := getRegset(t.tid, ntX86XState, c.xsave)
	if err != nil {
		return nil, fmt.Errorf("PTRACE_GETREGSET NT_X86_XSTATE: %w", stubLost(err))
	}
	return c.xsave[:n], nil
}

// SetFloatingPointState implements platform.Context.
func (c *context) SetFloatingPointState(pas platform.AddressSpace, state []byte) error {
	t, err := pas.(*addressSpace).threadForCaller()
	if err != nil {
		return err
	}
	return stubLost(setRegset(t.tid, ntX86XState, state))
}

// ntX86XState is the ELF note type of the XSAVE area (NT_X86_XSTATE).
const ntX86XState = 0x202

// Interrupt implements platform.Context.
func (c *context) Interrupt() {
	c.interrupted.Store(true)
	if t := c.running.Load(); t != nil {
		unix.Tgkill(t.tgid, t.tid, interruptSignal)
	}
}

// Release implements platform.Context.
func (c *context) Release() {}

// CPUClock implements platform.CPUClocker: the host clock id measuring the
// CPU time of the stub thread that runs this context (the application
// thread's user and system time).
func (c *context) CPUClock() (int32, bool) {
	tid := c.lastTID.Load()
	if tid == 0 {
		return 0, false
	}
	// MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED).
	return (^tid << 3) | 2 | 4, true
}
