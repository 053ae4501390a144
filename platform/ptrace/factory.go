package ptrace

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// The stub factory: stubs made without execve.
//
// A stub is normally started by fork and exec of the sealed memfd holding
// its image, through /proc/self/fd (stub.go). A confined sentry can do
// neither: it is chrooted into an empty directory (no /proc to name the
// memfd by) and its seccomp filter has no execve. So, before confinement,
// StartStubFactory execs one *master* stub, kept by the pool's thread (its
// tracer for good), and from then on every stub is a copy of the master:
// the pool thread injects clone(CLONE_PARENT|SIGCHLD) into the master
// through the clone gadget. The copy starts exactly where a parked stub
// waits, in the gadget's pause loop, with the master's clean address space
// (the stub page and the host vDSO only), the memory file as its fd 0, and
// the sentry as its parent (CLONE_PARENT), which reaps it as before. The
// pool thread then seizes it once to give it PR_SET_PDEATHSIG (tied, as for
// every parked stub, to the pool thread) and parks it.
//
// The master and so every stub carry the seccomp filter and the
// capabilities the sentry had when the master was exec'd: the caller's
// prepare function, run on the pool thread just before that exec, limits
// them (the stubs must not hold capabilities the confined sentry lacks,
// or it could not trace them).

// StartStubFactory starts the pool with a master stub: from then on no
// stub is exec'd. prepare runs first on the pool's thread (the master's
// future parent and tracer), e.g. to limit what the master inherits.
func (p *Platform) StartStubFactory(prepare func() error) error {
	if prepare == nil {
		prepare = func() error { return nil }
	}
	err := errors.New("the stub pool is already running without a master stub")
	p.poolOnce.Do(func() { err = p.startPoolWith(prepare) })
	return err
}

// startMaster execs the master stub, traced by the calling (pool) thread.
func (p *Platform) startMaster() error {
	pid, err := startStubPdeathsig(p.memFD)
	if err != nil {
		return err
	}
	if err := getRegs(pid, &p.masterRegs); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return fmt.Errorf("reading the master stub's registers: %w", err)
	}
	p.master = pid
	return nil
}

// cloneStub makes a new stub process from the master, on the pool thread.
// The new stub is left running, untraced, in the pause loop.
func (p *Platform) cloneStub() (int, error) {
	m := &thread{tgid: p.master, tid: p.master, tracer: unix.Gettid(), gadget: stubGadget, cloneGadget: stubCloneG, initRegs: p.masterRegs}
	r, err := m.syscallAt(stubCloneG, unix.SYS_CLONE, unix.CLONE_PARENT|uintptr(unix.SIGCHLD), 0, 0, 0, 0)
	if err != nil {
		return 0, fmt.Errorf("cloning a stub from the master: %w", err)
	}
	pid := int(r)
	if err := seize(pid); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return 0, fmt.Errorf("seizing a cloned stub: %w", err)
	}
	t := &thread{tgid: pid, tid: pid, tracer: unix.Gettid(), gadget: stubGadget, cloneGadget: stubCloneG, initRegs: p.masterRegs}
	if _, err := t.syscall(unix.SYS_PRCTL, unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL)); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return 0, fmt.Errorf("PR_SET_PDEATHSIG in a cloned stub: %w", err)
	}
	// Stopped at the gadget's int3 now: parkStub moves it to the pause
	// loop. Leave it traced by this thread until then.
	return pid, nil
}

// waitStub waits for the factory's next stub, seized by the calling OS
// thread.
func (p *Platform) waitStub() (int, error) {
	select {
	case p.poolWant <- struct{}{}:
	default:
	}
	s := <-p.pool
	select {
	case p.poolWant <- struct{}{}:
	default:
	}
	if s.err != nil {
		return 0, s.err
	}
	if err := seize(s.pid); err != nil {
		unix.Kill(s.pid, unix.SIGKILL)
		return 0, fmt.Errorf("seizing a stub: %w", err)
	}
	return s.pid, nil
}
