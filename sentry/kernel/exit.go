package kernel

import (
	"fmt"
	"log/slog"

	"golang.org/x/sys/unix"
)

// Exit ends the calling thread (exit(2)); the last thread ends the process.
func (t *Task) Exit(code int) {
	t.exitStatus = ExitStatus{Code: code}
	t.exiting = true
}

// ExitGroup ends every thread of the process (exit_group(2)).
func (t *Task) ExitGroup(code int) {
	t.exitGroup(ExitStatus{Code: code})
}

// exitGroup starts the exit of the whole thread group with status s.
func (t *Task) exitGroup(s ExitStatus) {
	t.tg.kill(s)
	t.exiting = true
}

// shouldExit reports whether the task must stop running.
func (t *Task) shouldExit() bool {
	if t.exiting {
		return true
	}
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	if t.tg.exiting {
		t.exiting = true
	}
	return t.exiting
}

// finish runs on the task's goroutine once it stopped running: it releases
// the task's resources and, for the last thread, turns the process into a
// zombie for its parent to reap.
func (t *Task) finish() {
	t.exitHook() // pdeath signals, CPU time to the process, timers (timers.go)
	// CLONE_CHILD_CLEARTID: clear the tid word and wake a joiner.
	if t.clearChildTID != 0 && t.MM != nil {
		var zero [4]byte
		if _, err := t.MM.CopyOut(t.clearChildTID, zero[:]); err == nil {
			t.FutexWake(t.clearChildTID, 1, ^uint32(0), false)
		}
	}
	t.exitRobustList()
	if t.MM != nil {
		t.MM.DecUsers()
		t.MM = nil
	}
	t.FDTable.DecUsers()
	t.FS.release()
	t.ctx.Release()

	k := t.k
	k.mu.Lock()
	tg := t.tg
	for i, o := range tg.tasks {
		if o == t {
			tg.tasks = append(tg.tasks[:i], tg.tasks[i+1:]...)
			break
		}
	}
	last := len(tg.tasks) == 0
	if t != tg.leader {
		delete(k.tasks, t.ID)
	}
	if t.vforkParent != nil {
		close(t.vforkDone)
		t.vforkParent = nil
	}
	if !last {
		k.mu.Unlock()
		return
	}
	tg.mu.Lock()
	status := tg.status
	if !tg.exiting {
		status = t.exitStatus
		tg.status = status
		tg.exiting = true
	}
	tg.mu.Unlock()
	if k.Strace != nil {
		if status.Signal != 0 {
			fmt.Fprintf(k.Strace, "[pid %d] +++ killed by %s +++\n", tg.ID, unix.SignalName(unix.Signal(status.Signal)))
		} else {
			fmt.Fprintf(k.Strace, "[pid %d] +++ exited with %d +++\n", tg.ID, status.Code)
		}
	}
	slog.Debug("process exited", "pid", tg.ID, "status", status)
	isInit := tg == k.init
	// Process groups that the exit may orphan: the exiting process's own
	// and its children's.
	checkPG := map[int32]bool{tg.pgid: true}
	for c := range tg.children {
		checkPG[c.pgid] = true
	}
	k.reparentChildrenLocked(tg)
	tg.zombie = true
	hangup := k.newlyOrphanedStoppedLocked(checkPG, tg.sid)
	parent := tg.parent
	autoReap := false
	if parent != nil {
		pact := parent.sighand
		pact.mu.Lock()
		act := pact.actions[unix.SIGCHLD]
		pact.mu.Unlock()
		autoReap = act.Handler == sigIGN || act.Flags&saNocldwait != 0
		if autoReap {
			k.reapLocked(tg)
		}
	} else if tg.autoReap {
		k.reapLocked(tg)
	}
	if tg.containerInit && k.containerInits[tg.container] == tg {
		delete(k.containerInits, tg.container)
	}
	k.mu.Unlock()
	k.ttyLeaderExit(tg)
	if parent != nil {
		if tg.exitSignal > 0 && !autoReap {
			code := cldExited
			st := status.Code
			if status.Signal != 0 {
				code, st = cldKilled, status.Signal
				if status.CoreDumped {
					code = cldDumped
				}
			}
			parent.SendGroupSignal(SigInfo{Signo: tg.exitSignal, Code: code, PID: tg.ID, Status: st})
		}
		parent.childEvents.Notify(1)
	}
	// POSIX: a process group orphaned with stopped members gets SIGHUP
	// then SIGCONT.
	for _, o := range hangup {
		o.SendGroupSignal(SigInfo{Signo: int(unix.SIGHUP), Code: 0x80})
		o.SendGroupSignal(SigInfo{Signo: int(unix.SIGCONT), Code: 0x80})
	}
	k.MemFile.MaybeReclaim()
	if isInit {
		k.initExited(status)
	}
}

// SIGCHLD si_codes.
const (
	cldExited  = 1
	cldKilled  = 2
	cldDumped  = 3
	cldStopped = 5
	cldCont    = 6

	saNocldstop = 1
	saNocldwait = 2
)

// reparentChildrenLocked gives tg's children to the nearest subreaper or to
// the init of tg's container. k.mu must be held.
func (k *Kernel) reparentChildrenLocked(tg *ThreadGroup) {
	if len(tg.children) == 0 {
		return
	}
	newParent := k.reaperLocked(tg)
	if newParent == tg || newParent == nil || newParent.zombie {
		// init itself is exiting: the children die with the sandbox (or
		// with their container), and nobody is left to reap them.
		for c := range tg.children {
			c.parent = nil
			c.autoReap = true
			if c.zombie {
				k.reapLocked(c)
			}
		}
		tg.children = map[*ThreadGroup]struct{}{}
		return
	}
	hasZombie := false
	for c := range tg.children {
		c.parent = newParent
		newParent.children[c] = struct{}{}
		if c.zombie {
			hasZombie = true
		}
	}
	tg.children = map[*ThreadGroup]struct{}{}
	if hasZombie {
		go newParent.childEvents.Notify(1)
	}
}

// reapLocked removes a zombie process for good. k.mu must be held.
func (k *Kernel) reapLocked(tg *ThreadGroup) {
	tg.reaped = true
	if tg.parent != nil {
		delete(tg.parent.children, tg)
	}
	delete(k.tasks, tg.ID)
}

// killAll ends every process (the sandbox is shutting down).
func (k *Kernel) killAll() {
	k.mu.Lock()
	var tgs []*ThreadGroup
	seen := map[*ThreadGroup]bool{}
	for _, t := range k.tasks {
		if !seen[t.tg] {
			seen[t.tg] = true
			tgs = append(tgs, t.tg)
		}
	}
	k.mu.Unlock()
	for _, tg := range tgs {
		tg.kill(ExitStatus{Signal: int(unix.SIGKILL)})
	}
}

// newlyOrphanedStoppedLocked returns the members of the process groups in
// pgids (of session sid) that are orphaned — no member has a parent in
// another group of the same session — and have a stopped member. k.mu must
// be held.
func (k *Kernel) newlyOrphanedStoppedLocked(pgids map[int32]bool, sid int32) []*ThreadGroup {
	var out []*ThreadGroup
	for pgid := range pgids {
		var members []*ThreadGroup
		orphaned, stopped := true, false
		seen := map[*ThreadGroup]bool{}
		for _, t := range k.tasks {
			g := t.tg
			if seen[g] || g.zombie || g.pgid != pgid || g.sid != sid {
				continue
			}
			seen[g] = true
			members = append(members, g)
			// A parent that is the sandbox's init does not count (Linux's
			// is_global_init: our pid 1 is the root of the pid namespace).
			if p := g.parent; p != nil && p != k.init && !p.zombie && p.pgid != pgid && p.sid == sid {
				orphaned = false
			}
			g.mu.Lock()
			if g.stopped {
				stopped = true
			}
			g.mu.Unlock()
		}
		if orphaned && stopped {
			out = append(out, members...)
		}
	}
	return out
}
