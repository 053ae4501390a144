package kernel

import (
	"errors"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/platform"
	"stockade.dev/sentry/waiter"
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
	// PID and UID are the sender, for kill/tkill (the child for SIGCHLD).
	PID int32
	UID uint32
	// Status is si_status for SIGCHLD; Value is si_value for sigqueue and
	// timers.
	Status int
	Value  uint64
	// Errno is si_errno.
	Errno int32
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
	h := t.tg.sighand
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.actions[sig]
}

// SetSigAction sets the disposition of sig (not SIGKILL/SIGSTOP). Setting a
// pending signal to be ignored discards it, as Linux does.
func (t *Task) SetSigAction(sig int, act SigAction) error {
	if sig < 1 || sig > numSignals {
		return unix.EINVAL
	}
	if sig == int(unix.SIGKILL) || sig == int(unix.SIGSTOP) {
		return unix.EINVAL
	}
	h := t.tg.sighand
	h.mu.Lock()
	h.actions[sig] = act
	h.mu.Unlock()
	if isIgnored(sig, act) {
		t.k.mu.Lock()
		tasks := append([]*Task(nil), t.tg.tasks...)
		t.k.mu.Unlock()
		t.tg.mu.Lock()
		t.tg.pending = dropSignal(t.tg.pending, sig)
		for _, o := range tasks {
			o.pending = dropSignal(o.pending, sig)
		}
		t.tg.mu.Unlock()
	}
	return nil
}

func dropSignal(l []SigInfo, sig int) []SigInfo {
	out := l[:0]
	for _, p := range l {
		if p.Signo != sig {
			out = append(out, p)
		}
	}
	return out
}

// isIgnored reports whether act discards sig.
func isIgnored(sig int, act SigAction) bool {
	if act.Handler == sigIGN {
		return true
	}
	return act.Handler == sigDFL && defaultActionOf(sig) == actIgnore
}

// SigMask returns the blocked set.
func (t *Task) SigMask() SignalSet { return t.sigMask }

// SetSigMask sets the blocked set; SIGKILL and SIGSTOP cannot be blocked.
func (t *Task) SetSigMask(m SignalSet) {
	t.sigMask = m &^ (1<<(unix.SIGKILL-1) | 1<<(unix.SIGSTOP-1))
	// Signals unblocked now may be deliverable.
	if t.hasPendingLocked() {
		select {
		case t.interruptCh <- struct{}{}:
		default:
		}
	}
}

func (t *Task) hasPendingLocked() bool {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	for _, p := range t.pending {
		if t.sigMask&(1<<(p.Signo-1)) == 0 {
			return true
		}
	}
	for _, p := range t.tg.pending {
		if t.sigMask&(1<<(p.Signo-1)) == 0 {
			return true
		}
	}
	return false
}

// forceSignal delivers a synchronous signal caused by the task itself (a
// fault): if it is ignored or blocked, the default action applies, as in
// Linux's force_sig_info.
func (t *Task) forceSignal(info SigInfo) {
	h := t.tg.sighand
	h.mu.Lock()
	act := h.actions[info.Signo]
	blocked := t.sigMask&(1<<(info.Signo-1)) != 0
	if act.Handler == sigIGN || blocked {
		h.actions[info.Signo] = SigAction{}
		act = SigAction{}
	}
	h.mu.Unlock()
	if blocked {
		t.sigMask &^= 1 << (info.Signo - 1)
	}
	t.handleRestart(&act)
	t.deliver(info, act)
}

// deliver acts on a signal according to its disposition.
func (t *Task) deliver(info SigInfo, act SigAction) {
	switch act.Handler {
	case sigIGN:
		return
	case sigDFL:
		switch defaultActionOf(info.Signo) {
		case actIgnore, actCont:
			return
		case actStop:
			t.tg.groupStop(info.Signo)
		case actCore:
			// No core file is written, so the wait status has no core bit
			// (as natively with RLIMIT_CORE 0, the default).
			t.exitGroup(ExitStatus{Signal: info.Signo})
		default:
			t.exitGroup(ExitStatus{Signal: info.Signo})
		}
	default:
		if err := t.setupSignalFrame(info, act); err != nil {
			t.k.Log.Warn("cannot deliver signal to handler; killing the process", "signal", info.Signo, "err", err)
			sig := unix.SIGSEGV
			if errors.Is(err, platform.ErrContextKilled) {
				// The host killed the stub (its OOM killer, say).
				sig = unix.SIGKILL
			}
			t.exitGroup(ExitStatus{Signal: int(sig)})
		}
	}
}

// SendSignal queues a thread-directed signal for the task. A task blocked in
// a system call is woken (the call returns ERESTARTSYS or EINTR), one
// running application code is interrupted. Signals the task ignores are
// discarded unless blocked, as Linux does.
func (t *Task) SendSignal(info SigInfo) {
	t.tg.mu.Lock()
	if !t.acceptLocked(info) {
		t.tg.mu.Unlock()
		return
	}
	if info.Signo == int(unix.SIGKILL) {
		t.tg.mu.Unlock()
		t.tg.kill(ExitStatus{Signal: info.Signo})
		return
	}
	if isStopSignal(info.Signo) {
		t.tg.pending = dropSignal(t.tg.pending, int(unix.SIGCONT))
	}
	t.pending = append(t.pending, info)
	t.tg.mu.Unlock()
	t.tg.signalWaiters.Notify(waiter.EventIn)
	t.interrupt()
}

// acceptLocked decides whether a signal is queued. tg.mu must be held.
func (t *Task) acceptLocked(info SigInfo) bool {
	if info.Signo == int(unix.SIGCONT) {
		t.tg.mu.Unlock()
		t.tg.groupContinue()
		t.tg.mu.Lock()
	}
	act := t.SigActionNoLock(info.Signo)
	blocked := t.sigMask&(1<<(info.Signo-1)) != 0
	if !blocked && isIgnored(info.Signo, act) {
		return false
	}
	// Standard signals are not queued twice.
	if info.Signo < 32 {
		for _, p := range t.pending {
			if p.Signo == info.Signo {
				return false
			}
		}
	}
	return true
}

// SigActionNoLock reads a disposition under the handlers' own lock (which
// nests inside ThreadGroup.mu).
func (t *Task) SigActionNoLock(sig int) SigAction {
	h := t.tg.sighand
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.actions[sig]
}

// SendGroupSignal queues a process-directed signal (kill(2)): one thread
// that does not block it will take it.
func (tg *ThreadGroup) SendGroupSignal(info SigInfo) {
	tg.k.mu.Lock()
	tasks := append([]*Task(nil), tg.tasks...)
	tg.k.mu.Unlock()
	if len(tasks) == 0 {
		return
	}
	if info.Signo == int(unix.SIGKILL) {
		tg.kill(ExitStatus{Signal: info.Signo})
		return
	}
	if info.Signo == int(unix.SIGCONT) {
		tg.groupContinue()
	}
	h := tg.sighand
	h.mu.Lock()
	act := h.actions[info.Signo]
	h.mu.Unlock()
	// A container's init (Kernel.ProtectInit, set for OCI containers) is
	// the init of a pid namespace: signals from outside the sandbox (sender
	// pid 0, SI_USER) whose action is the default are ignored, except
	// SIGKILL and SIGSTOP — `docker kill -s USR1` leaves it running, as
	// with runc. `runsc do` runs an ordinary command as pid 1 and leaves it
	// unprotected, so that it behaves as it does natively (Ctrl-C kills it,
	// `busybox timeout` can kill it), as gVisor's do.
	if tg.k.ProtectInit && tg.isPIDNamespaceInit() && info.PID == 0 && info.Code == 0 && act.Handler == sigDFL &&
		info.Signo != int(unix.SIGKILL) && info.Signo != int(unix.SIGSTOP) {
		return
	}
	tg.mu.Lock()
	allBlock := true
	for _, t := range tasks {
		if t.sigMask&(1<<(info.Signo-1)) == 0 {
			allBlock = false
		}
	}
	if !allBlock && isIgnored(info.Signo, act) {
		tg.mu.Unlock()
		return
	}
	if info.Signo < 32 {
		for _, p := range tg.pending {
			if p.Signo == info.Signo {
				tg.mu.Unlock()
				return
			}
		}
	}
	if isStopSignal(info.Signo) {
		tg.pending = dropSignal(tg.pending, int(unix.SIGCONT))
	}
	tg.pending = append(tg.pending, info)
	tg.mu.Unlock()
	tg.signalWaiters.Notify(waiter.EventIn)
	// Wake a thread that can take it.
	for _, t := range tasks {
		if t.sigMask&(1<<(info.Signo-1)) == 0 {
			t.interrupt()
			return
		}
	}
}

func isStopSignal(sig int) bool {
	switch unix.Signal(sig) {
	case unix.SIGSTOP, unix.SIGTSTP, unix.SIGTTIN, unix.SIGTTOU:
		return true
	}
	return false
}

// kill ends every task of the group with status s (SIGKILL, exit_group,
// a fatal signal).
func (tg *ThreadGroup) kill(s ExitStatus) {
	tg.mu.Lock()
	if !tg.exiting {
		tg.exiting = true
		tg.status = s
	}
	if tg.stopped {
		tg.stopped = false
		close(tg.contCh)
	}
	tg.mu.Unlock()
	tg.k.mu.Lock()
	tasks := append([]*Task(nil), tg.tasks...)
	tg.k.mu.Unlock()
	for _, t := range tasks {
		t.interrupt()
	}
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
	exiting := t.tg.exiting
	t.tg.mu.Unlock()
	if exiting || t.exiting {
		return true
	}
	return t.hasPendingLocked()
}

// dequeueSignal removes and returns the first unblocked pending signal,
// thread-directed ones first.
func (t *Task) dequeueSignal() (SigInfo, bool) {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	// Linux delivers the lowest-numbered pending signal first
	// (thread-directed before process-directed for the same number), and
	// queued real-time signals of one number in order.
	best, bestList := -1, 0
	for i, p := range t.pending {
		if t.sigMask&(1<<(p.Signo-1)) == 0 && (best < 0 || p.Signo < t.pending[best].Signo) {
			best, bestList = i, 0
		}
	}
	for i, p := range t.tg.pending {
		if t.sigMask&(1<<(p.Signo-1)) != 0 {
			continue
		}
		cur := 0
		if best >= 0 {
			if bestList == 0 {
				cur = t.pending[best].Signo
			} else {
				cur = t.tg.pending[best].Signo
			}
		}
		if best < 0 || p.Signo < cur {
			best, bestList = i, 1
		}
	}
	if best < 0 {
		return SigInfo{}, false
	}
	if bestList == 0 {
		p := t.pending[best]
		t.pending = append(t.pending[:best], t.pending[best+1:]...)
		return p, true
	}
	p := t.tg.pending[best]
	t.tg.pending = append(t.tg.pending[:best], t.tg.pending[best+1:]...)
	return p, true
}

// PendingSet returns the set of pending signals (thread and process).
func (t *Task) PendingSet() SignalSet {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	var s SignalSet
	for _, p := range t.pending {
		s |= 1 << (p.Signo - 1)
	}
	for _, p := range t.tg.pending {
		s |= 1 << (p.Signo - 1)
	}
	return s
}

// TakeSignal removes a pending signal in set (for sigtimedwait), if any.
func (t *Task) TakeSignal(set SignalSet) (SigInfo, bool) {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	for i, p := range t.pending {
		if set&(1<<(p.Signo-1)) != 0 {
			t.pending = append(t.pending[:i], t.pending[i+1:]...)
			return p, true
		}
	}
	for i, p := range t.tg.pending {
		if set&(1<<(p.Signo-1)) != 0 {
			t.tg.pending = append(t.tg.pending[:i], t.tg.pending[i+1:]...)
			return p, true
		}
	}
	return SigInfo{}, false
}

// deliverPending acts on queued, unblocked signals: at most one handler
// frame per return to the application (the rest follow at the next
// return), then resolves a pending system call restart.
func (t *Task) deliverPending() {
	for !t.exiting {
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
	}
	t.handleRestart(nil)
	if t.savedMask != nil {
		t.SetSigMask(*t.savedMask)
		t.savedMask = nil
	}
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

// SuspendWithMask implements rt_sigsuspend: it waits with the given mask
// until a signal is delivered; the old mask comes back after the handler
// (the signal frame saves it).
func (t *Task) SuspendWithMask(mask SignalSet) {
	old := t.sigMask
	t.SetSigMask(mask)
	for !t.HasPendingSignal() {
		<-t.interruptCh
	}
	// The frame about to be built must restore the old mask.
	t.savedMask = &old
}

// WaitSignal implements sigtimedwait: it takes a pending signal in set,
// waiting until deadline (zero: forever) for one to arrive.
func (t *Task) WaitSignal(set SignalSet, deadline time.Time) (SigInfo, error) {
	if info, ok := t.TakeSignal(set); ok {
		return info, nil
	}
	// Signals in set are unblocked for the wait so they wake us.
	old := t.sigMask
	t.SetSigMask(old &^ set)
	defer t.SetSigMask(old)
	for {
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return SigInfo{}, ErrTimedOut
		}
		err := t.Block(nil, deadline)
		if info, ok := t.TakeSignal(set); ok {
			return info, nil
		}
		if err != nil {
			return SigInfo{}, err
		}
	}
}

// SignalQueue returns the queue notified (with waiter.EventIn) whenever a
// signal is queued for t's process or one of its threads: signalfd waits
// on it.
func (t *Task) SignalQueue() *waiter.Queue { return &t.tg.signalWaiters }
