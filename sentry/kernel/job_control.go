package kernel

import "golang.org/x/sys/unix"

// Job control: a stop signal's default action stops every thread of the
// process (a group stop) until SIGCONT or SIGKILL; the parent hears of both
// changes through SIGCHLD (CLD_STOPPED, CLD_CONTINUED) and wait.
//
// The fields live in ThreadGroup under ThreadGroup.mu: stopped, stopSignal,
// contCh (closed on continue), and the wait reports pending for the parent.

// groupStop stops the process with signal sig.
func (tg *ThreadGroup) groupStop(sig int) {
	tg.mu.Lock()
	if tg.stopped || tg.exiting {
		tg.mu.Unlock()
		return
	}
	tg.stopped = true
	tg.stopSignal = sig
	tg.contCh = make(chan struct{})
	tg.reportStop, tg.reportCont = true, false
	tg.mu.Unlock()
	for _, t := range tg.Tasks() {
		t.interrupt()
	}
	tg.notifyParent(cldStopped, sig)
}

// groupContinue resumes a stopped process (SIGCONT, or SIGKILL).
func (tg *ThreadGroup) groupContinue() {
	tg.mu.Lock()
	// A continue discards pending stop signals.
	for _, s := range []unix.Signal{unix.SIGSTOP, unix.SIGTSTP, unix.SIGTTIN, unix.SIGTTOU} {
		tg.pending = dropSignal(tg.pending, int(s))
	}
	if !tg.stopped {
		tg.mu.Unlock()
		return
	}
	tg.stopped = false
	close(tg.contCh)
	tg.reportStop, tg.reportCont = false, true
	tg.mu.Unlock()
	tg.notifyParent(cldCont, int(unix.SIGCONT))
}

// notifyParent sends SIGCHLD for a stop or continue (unless the parent
// asked for SA_NOCLDSTOP) and wakes waiters.
func (tg *ThreadGroup) notifyParent(code, sig int) {
	tg.k.mu.Lock()
	parent := tg.parent
	tg.k.mu.Unlock()
	if parent == nil {
		return
	}
	h := parent.sighand
	h.mu.Lock()
	act := h.actions[unix.SIGCHLD]
	h.mu.Unlock()
	if act.Flags&saNocldstop == 0 {
		parent.SendGroupSignal(SigInfo{Signo: int(unix.SIGCHLD), Code: code, PID: tg.ID, Status: sig})
	}
	parent.childEvents.Notify(1)
}

// waitWhileStopped parks the task while its process is stopped.
func (t *Task) waitWhileStopped() {
	for {
		t.tg.mu.Lock()
		stopped, ch, exiting := t.tg.stopped, t.tg.contCh, t.tg.exiting
		t.tg.mu.Unlock()
		if !stopped || exiting || t.exiting {
			return
		}
		select {
		case <-ch:
		case <-t.interruptCh:
		}
	}
}
