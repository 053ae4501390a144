package kernel

import (
	"golang.org/x/sys/unix"
)

// numSignals is the number of signals (1..64).
const numSignals = 64

// SignalSet is a set of signals: bit n-1 is signal n.
type SignalSet uint64

// SigAction is the application's struct kernel_sigaction (amd64 layout).
type SigAction struct {
	Handler  uint64
	Flags    uint64
	Restorer uint64
	Mask     SignalSet
}

// Handler values.
const (
	sigDFL = 0
	sigIGN = 1
)

// SigInfo is a signal to deliver, with the fields of siginfo_t we fill.
type SigInfo struct {
	Signo int
	Code  int
	// Addr is si_addr for faults.
	Addr uintptr
	// PID and UID are the sender, for kill/tkill.
	PID int32
	UID uint32
}

// defaultAction is what SIG_DFL does with a signal.
type defaultAction int

const (
	actTerm defaultAction = iota
	actCore
	actIgnore
	actStop
	actCont
)

func defaultActionOf(sig int) defaultAction {
	switch unix.Signal(sig) {
	case unix.SIGCHLD, unix.SIGURG, unix.SIGWINCH:
		return actIgnore
	case unix.SIGCONT:
		return actCont
	case unix.SIGSTOP, unix.SIGTSTP, unix.SIGTTIN, unix.SIGTTOU:
		return actStop
	case unix.SIGQUIT, unix.SIGILL, unix.SIGTRAP, unix.SIGABRT, unix.SIGBUS, unix.SIGFPE,
		unix.SIGSEGV, unix.SIGXCPU, unix.SIGXFSZ, unix.SIGSYS:
		return actCore
	}
	return actTerm
}

// SigAction returns the disposition of sig.
func (t *Task) SigAction(sig int) SigAction {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	return t.tg.actions[sig]
}

// SetSigAction sets the disposition of sig (not SIGKILL/SIGSTOP).
func (t *Task) SetSigAction(sig int, act SigAction) error {
	if sig < 1 || sig > numSignals {
		return unix.EINVAL
	}
	if sig == int(unix.SIGKILL) || sig == int(unix.SIGSTOP) {
		return unix.EINVAL
	}
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	t.tg.actions[sig] = act
	return nil
}

// SigMask returns the blocked set.
func (t *Task) SigMask() SignalSet { return t.sigMask }

// SetSigMask sets the blocked set; SIGKILL and SIGSTOP cannot be blocked.
func (t *Task) SetSigMask(m SignalSet) {
	t.sigMask = m &^ (1<<(unix.SIGKILL-1) | 1<<(unix.SIGSTOP-1))
}

// forceSignal delivers a synchronous signal caused by the task itself (a
// fault): if it is ignored or blocked, the default action applies, as in
// Linux's force_sig_info.
func (t *Task) forceSignal(info SigInfo) {
	t.tg.mu.Lock()
	act := t.tg.actions[info.Signo]
	blocked := t.sigMask&(1<<(info.Signo-1)) != 0
	if act.Handler == sigIGN || blocked {
		t.tg.actions[info.Signo] = SigAction{}
		act = SigAction{}
	}
	t.tg.mu.Unlock()
	t.deliver(info, act)
}

// deliver acts on a signal according to its disposition.
func (t *Task) deliver(info SigInfo, act SigAction) {
	switch act.Handler {
	case sigIGN:
		return
	case sigDFL:
		switch defaultActionOf(info.Signo) {
		case actIgnore, actCont, actStop:
			return
		case actCore:
			t.exitGroup(ExitStatus{Signal: info.Signo, CoreDumped: true})
		default:
			t.exitGroup(ExitStatus{Signal: info.Signo})
		}
	default:
		if err := t.setupSignalFrame(info, act); err != nil {
			t.k.Log.Warn("cannot deliver signal to handler; killing the process", "signal", info.Signo, "err", err)
			t.exitGroup(ExitStatus{Signal: int(unix.SIGSEGV), CoreDumped: true})
		}
	}
}

// SendSignal queues a signal for the task; it is acted on before the task
// returns to the application. A task blocked in a system call is woken
// (the call returns ERESTARTSYS or EINTR), one running application code is
// interrupted.
func (t *Task) SendSignal(info SigInfo) {
	t.tg.mu.Lock()
	// Standard signals are not queued twice.
	if info.Signo < 32 {
		for _, p := range t.pending {
			if p.Signo == info.Signo {
				t.tg.mu.Unlock()
				return
			}
		}
	}
	t.pending = append(t.pending, info)
	t.tg.mu.Unlock()
	t.interrupt()
}

// interrupt wakes the task if it blocks in the sentry and stops it if it
// runs application code, so it notices pending work.
func (t *Task) interrupt() {
	select {
	case t.interruptCh <- struct{}{}:
	default:
	}
	if t.ctx != nil {
		t.ctx.Interrupt()
	}
}

// HasPendingSignal reports whether an unblocked signal waits for the task
// (or the task must exit): blocking calls return when it does.
func (t *Task) HasPendingSignal() bool {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	if t.tg.exiting {
		return true
	}
	for _, p := range t.pending {
		if t.sigMask&(1<<(p.Signo-1)) == 0 {
			return true
		}
	}
	return false
}

// dequeueSignal removes and returns the first unblocked pending signal.
func (t *Task) dequeueSignal() (SigInfo, bool) {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	for i, p := range t.pending {
		if t.sigMask&(1<<(p.Signo-1)) == 0 {
			t.pending = append(t.pending[:i], t.pending[i+1:]...)
			return p, true
		}
	}
	return SigInfo{}, false
}

// deliverPending acts on one queued, unblocked signal (Linux delivers one
// handler frame per return to user space; the rest follow on the next
// entries) and resolves a pending system call restart.
func (t *Task) deliverPending() {
	for {
		info, ok := t.dequeueSignal()
		if !ok {
			break
		}
		act := t.SigAction(info.Signo)
		if act.Handler != sigDFL && act.Handler != sigIGN {
			t.handleRestart(&act)
			t.deliver(info, act)
			return
		}
		t.deliver(info, act)
		if t.exiting {
			return
		}
	}
	t.handleRestart(nil)
}

// handleRestart resolves an interrupted system call: restart it, or fail
// it with EINTR if a handler without SA_RESTART runs (act non-nil).
func (t *Task) handleRestart(act *SigAction) {
	errno := t.restartErrno
	if errno == 0 {
		return
	}
	t.restartErrno = 0
	restart := true
	if act != nil {
		switch errno {
		case ERESTARTSYS:
			restart = act.Flags&SaRestart != 0
		case ERESTARTNOHAND, ERESTARTRESTARTBLOCK:
			restart = false
		}
	}
	if restart {
		t.Regs.Rax = t.Regs.Orig_rax
		t.Regs.Rip -= 2
	} else {
		t.Regs.Rax = ^uint64(unix.EINTR) + 1
	}
}

// AltStack returns the sigaltstack.
func (t *Task) AltStack() SignalStack { return t.altStack }

// SetAltStack sets the sigaltstack.
func (t *Task) SetAltStack(s SignalStack) { t.altStack = s }

// OnAltStack reports whether the task runs on its alternate stack.
func (t *Task) OnAltStack() bool { return t.altStack.onStack(t.Regs.Rsp) }
