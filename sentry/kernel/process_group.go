package kernel

import "golang.org/x/sys/unix"

// FindTask returns the task with thread id tid, or nil.
func (k *Kernel) FindTask(tid int32) *Task {
	k.mu.Lock()
	defer k.mu.Unlock()
	t := k.tasks[tid]
	if t != nil && t.tg.zombie {
		return nil
	}
	return t
}

// FindProcess returns the live process with id pid, or nil.
func (k *Kernel) FindProcess(pid int32) *ThreadGroup {
	k.mu.Lock()
	defer k.mu.Unlock()
	t := k.tasks[pid]
	if t == nil || t.tg.ID != pid || t.tg.zombie {
		return nil
	}
	return t.tg
}

// Processes returns the live processes selected by kill(2)'s pid argument
// from the caller's point of view: pid > 0 that process; 0 the caller's
// group; -1 all but init and the caller's; < -1 group -pid.
func (t *Task) Processes(pid int32) []*ThreadGroup {
	k := t.k
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []*ThreadGroup
	seen := map[*ThreadGroup]bool{}
	for _, o := range k.tasks {
		tg := o.tg
		if seen[tg] || tg.zombie || len(tg.tasks) == 0 {
			continue
		}
		seen[tg] = true
		switch {
		case pid > 0:
			if tg.ID == pid && tg.pidns == t.tg.pidns {
				out = append(out, tg)
			}
		case pid == 0:
			if tg.pgid == t.tg.pgid {
				out = append(out, tg)
			}
		case pid == -1:
			if !tg.isPIDNamespaceInit() && tg != t.tg && tg.pidns == t.tg.pidns {
				out = append(out, tg)
			}
		default:
			if tg.pgid == -pid {
				out = append(out, tg)
			}
		}
	}
	return out
}

// PGID returns the process group of tg.
func (tg *ThreadGroup) PGID() int32 {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	return tg.pgid
}

// SID returns the session of tg.
func (tg *ThreadGroup) SID() int32 {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	return tg.sid
}

// SetPGID implements setpgid(2) for the process pid (0: the caller), joining
// or creating group pgid (0: pid).
func (t *Task) SetPGID(pid, pgid int32) error {
	if pgid < 0 {
		return unix.EINVAL
	}
	k := t.k
	k.mu.Lock()
	defer k.mu.Unlock()
	target := t.tg
	if pid != 0 && pid != t.tg.ID {
		o := k.tasks[pid]
		if o == nil || o.tg.ID != pid || o.tg.parent != t.tg {
			return unix.ESRCH
		}
		target = o.tg
		if target.sid != t.tg.sid {
			return unix.EPERM
		}
		if target.execed {
			return unix.EACCES
		}
	}
	if pgid == 0 {
		pgid = target.ID
	}
	if target.sid == target.ID {
		return unix.EPERM // a session leader cannot move
	}
	if pgid != target.ID {
		found := false
		for _, o := range k.tasks {
			if o.tg.pgid == pgid && o.tg.sid == target.sid && !o.tg.zombie {
				found = true
				break
			}
		}
		if !found {
			return unix.EPERM
		}
	}
	target.pgid = pgid
	return nil
}

// SetSID implements setsid(2).
func (t *Task) SetSID() (int32, error) {
	k := t.k
	k.mu.Lock()
	defer k.mu.Unlock()
	tg := t.tg
	for _, o := range k.tasks {
		if o.tg.pgid == tg.ID && !o.tg.zombie {
			return 0, unix.EPERM
		}
	}
	tg.sid, tg.pgid = tg.ID, tg.ID
	return tg.ID, nil
}

// SetSubreaper implements PR_SET_CHILD_SUBREAPER.
func (t *Task) SetSubreaper(on bool) {
	t.k.mu.Lock()
	t.tg.subreaper = on
	t.k.mu.Unlock()
}

// Subreaper returns PR_GET_CHILD_SUBREAPER.
func (t *Task) Subreaper() bool {
	t.k.mu.Lock()
	defer t.k.mu.Unlock()
	return t.tg.subreaper
}
