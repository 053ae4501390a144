package kernel

import (
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
)

// Controlling terminals and the hooks terminal files use.
//
// A session has at most one controlling terminal, kept here by session id
// (Linux keeps it per process, inherited by fork and dropped by setsid; a
// session id names the same set of processes, so the map is equivalent
// except for TIOCNOTTY by a non-leader, which Linux honours for the caller
// alone and which is accepted as a no-op here). The terminal itself (fs/devpts,
// the host console of `runsc do`) keeps its session and foreground process
// group; the functions below keep the two sides consistent.
//
// File descriptions have no task at hand, so terminal files implement the
// optional interfaces TaskOpener, TaskIoctler and JobControlled, which the
// open, ioctl, read and write system calls check for.
//
// Lock order: a terminal's own lock is taken before Kernel.mu and
// ttyState.mu; the kernel never calls into a TTY with its locks held.

// TTY is a terminal that can be the controlling terminal of a session.
type TTY interface {
	// OpenTTY opens the terminal again, for /dev/tty (vd is where that
	// was found).
	OpenTTY(t *Task, vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error)
	// SessionLost tells the terminal that it is no longer the controlling
	// terminal of session sid (the leader exited, or the terminal was
	// stolen by TIOCSCTTY).
	SessionLost(sid int32)
}

// SessionAttacher is a TTY that keeps its own session and foreground
// process group (fs/host's host terminals): StartProcess tells it when it
// becomes the controlling terminal of the new session sid, whose only
// process group is pgid, before the process runs.
type SessionAttacher interface {
	AttachSession(k *Kernel, sid, pgid int32)
}

// TaskOpener is a file description that finishes its open with the opening
// task: /dev/tty is replaced by the caller's terminal, and a session leader
// opening a terminal without O_NOCTTY acquires it. The open system calls
// replace the file they opened with what TaskOpen returns.
type TaskOpener interface {
	TaskOpen(t *Task, flags int) (vfs.FileDescription, error)
}

// TaskIoctler is a file description whose ioctls need the calling task
// (terminal job control); the ioctl system call calls TaskIoctl instead of
// FileDescription.Ioctl.
type TaskIoctler interface {
	TaskIoctl(t *Task, req, arg uintptr) (uintptr, error)
}

// JobControlled is a file description whose reads and writes are subject to
// terminal job control. CheckJobControl returns nil to proceed, or the error
// the read or write fails with (EIO, or ERESTARTSYS after sending SIGTTIN or
// SIGTTOU to the caller's process group).
type JobControlled interface {
	CheckJobControl(t *Task, write bool) error
}

// ttyState is the kernel's controlling-terminal table.
type ttyState struct {
	mu sync.Mutex
	// bySession maps a session id to its controlling terminal.
	bySession map[int32]TTY
}

// ControllingTTY returns the controlling terminal of t's session, or nil.
func (t *Task) ControllingTTY() TTY {
	sid := t.tg.SID()
	s := &t.k.ttys
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bySession[sid]
}

// IsSessionLeader reports whether t's process leads its session.
func (t *Task) IsSessionLeader() bool {
	t.k.mu.Lock()
	defer t.k.mu.Unlock()
	return t.tg.sid == t.tg.ID
}

// SetSessionTTY makes tty the controlling terminal of session sid without
// checks (the console of the sandbox's first session).
func (k *Kernel) SetSessionTTY(sid int32, tty TTY) {
	s := &k.ttys
	s.mu.Lock()
	if s.bySession == nil {
		s.bySession = map[int32]TTY{}
	}
	s.bySession[sid] = tty
	s.mu.Unlock()
}

// AcquireTTY makes tty the controlling terminal of t's session
// (TIOCSCTTY, or a session leader's open without O_NOCTTY). t must lead a
// session that has no controlling terminal (EPERM); if tty controls another
// session, steal (TIOCSCTTY with arg 1, privileged) takes it from that
// session, otherwise EPERM. It returns the session id, and the session that
// lost the terminal (0: none) for the caller to update the terminal.
func (t *Task) AcquireTTY(tty TTY, steal bool) (sid, lost int32, err error) {
	t.k.mu.Lock()
	sid, leader := t.tg.sid, t.tg.sid == t.tg.ID
	t.k.mu.Unlock()
	s := &t.k.ttys
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.bySession[sid]
	if cur == tty && leader {
		return sid, 0, nil
	}
	if !leader || cur != nil {
		return 0, 0, unix.EPERM
	}
	for osid, o := range s.bySession {
		if o != tty {
			continue
		}
		if !steal || !t.HasCap(unix.CAP_SYS_ADMIN) {
			return 0, 0, unix.EPERM
		}
		delete(s.bySession, osid)
		lost = osid
	}
	if s.bySession == nil {
		s.bySession = map[int32]TTY{}
	}
	s.bySession[sid] = tty
	return sid, lost, nil
}

// ReleaseTTY detaches session sid from tty if it is its controlling
// terminal (TIOCNOTTY by the leader, a hangup). It reports whether it was.
func (k *Kernel) ReleaseTTY(sid int32, tty TTY) bool {
	s := &k.ttys
	s.mu.Lock()
	defer s.mu.Unlock()
	if sid == 0 || s.bySession[sid] != tty {
		return false
	}
	delete(s.bySession, sid)
	return true
}

// ttyLeaderExit runs when a process exits: a session leader's session loses
// its controlling terminal (Linux's disassociate_ctty on exit; for ptys no
// signal is sent).
func (k *Kernel) ttyLeaderExit(tg *ThreadGroup) {
	k.mu.Lock()
	sid, leader := tg.sid, tg.sid == tg.ID
	k.mu.Unlock()
	if !leader {
		return
	}
	s := &k.ttys
	s.mu.Lock()
	tty := s.bySession[sid]
	delete(s.bySession, sid)
	s.mu.Unlock()
	if tty != nil {
		tty.SessionLost(sid)
	}
}

// ProcessGroupInSession reports whether process group pgid has a live
// member in session sid (TIOCSPGRP). ok is false if the group does not
// exist at all.
func (k *Kernel) ProcessGroupInSession(pgid, sid int32) (inSession, ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, o := range k.tasks {
		tg := o.tg
		if tg.zombie || tg.pgid != pgid {
			continue
		}
		ok = true
		if tg.sid == sid {
			return true, true
		}
	}
	return false, ok
}

// SignalProcessGroup sends info to every live process of group pgid.
func (k *Kernel) SignalProcessGroup(pgid int32, info SigInfo) {
	if pgid <= 0 {
		return
	}
	for _, tg := range k.processGroup(pgid) {
		tg.SendGroupSignal(info)
	}
}

// SignalSessionLeader sends info to the leader of session sid, if alive.
func (k *Kernel) SignalSessionLeader(sid int32, info SigInfo) {
	if sid <= 0 {
		return
	}
	k.mu.Lock()
	t := k.tasks[sid]
	var tg *ThreadGroup
	if t != nil && t.tg.ID == sid && t.tg.sid == sid && !t.tg.zombie {
		tg = t.tg
	}
	k.mu.Unlock()
	if tg != nil {
		tg.SendGroupSignal(info)
	}
}

func (k *Kernel) processGroup(pgid int32) []*ThreadGroup {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []*ThreadGroup
	seen := map[*ThreadGroup]bool{}
	for _, o := range k.tasks {
		tg := o.tg
		if seen[tg] || tg.zombie || len(tg.tasks) == 0 || tg.pgid != pgid {
			continue
		}
		seen[tg] = true
		out = append(out, tg)
	}
	return out
}

// orphanedPGroup reports whether process group pgid is orphaned: no member
// has a parent in another group of the same session. k.mu must be held.
func (k *Kernel) orphanedPGroupLocked(pgid int32) bool {
	for _, o := range k.tasks {
		tg := o.tg
		if tg.zombie || tg.pgid != pgid {
			continue
		}
		p := tg.parent
		if p != nil && !p.zombie && p.pgid != pgid && p.sid == tg.sid {
			return false
		}
	}
	return true
}

// TTYJobControl implements the background checks of terminal tty whose
// foreground process group is fg, for a read (SIGTTIN) or a write or
// terminal change (SIGTTOU): it returns nil if t may go ahead, EIO, or
// ERESTARTSYS after signalling t's process group. Only a terminal that is
// t's controlling terminal is checked.
func (t *Task) TTYJobControl(tty TTY, fg int32, sig unix.Signal) error {
	if fg == 0 || t.ControllingTTY() != tty {
		return nil
	}
	k := t.k
	k.mu.Lock()
	pgid := t.tg.pgid
	if pgid == fg {
		k.mu.Unlock()
		return nil
	}
	orphaned := k.orphanedPGroupLocked(pgid)
	k.mu.Unlock()
	act := t.SigAction(int(sig))
	if t.sigMask&(1<<(sig-1)) != 0 || act.Handler == sigIGN {
		if sig == unix.SIGTTIN {
			return unix.EIO
		}
		return nil
	}
	if orphaned {
		return unix.EIO
	}
	k.SignalProcessGroup(pgid, SigInfo{Signo: int(sig), Code: SIKernel})
	return ERESTARTSYS
}

// SIKernel is si_code SI_KERNEL.
const SIKernel = 0x80
