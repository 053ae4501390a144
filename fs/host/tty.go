package host

import (
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
)

// Host terminals: the container's console (`terminal: true`, `docker run
// -it`), a terminal given to `runsc exec -t`, and the terminal `runsc do`
// runs on.
//
// Design. The terminal is a host pty slave; its master is held outside the
// sandbox (containerd's shim, `runsc run`, `runsc exec`). Two ways to give
// the sandbox Linux's job control on it were possible:
//
//   - put the host pty in raw mode and run the sentry's own line discipline
//     (fs/devpts) over it, copying bytes between the two; or
//   - keep the host's line discipline (echo, line editing, ISIG, window
//     size) and keep in the sentry only what names sandbox processes: the
//     session and the foreground process group.
//
// The second is what is done here (it is also gVisor's choice), because the
// first cannot learn of window size changes: TIOCSWINSZ on the host master
// only tells the host terminal's foreground process group, with SIGWINCH,
// so some host process must be that group anyway. And the host's own
// termios stays what the application set, which the outside (docker's raw
// client, `stty` run by the user) sees as with runc.
//
// So a TTY is a host terminal fd plus the sandbox session it controls and
// that session's foreground process group, with Linux's rules: TIOCSPGRP,
// TIOCGPGRP, TIOCGSID, TIOCSCTTY and TIOCNOTTY act on that bookkeeping
// only, background reads get SIGTTIN, background writes with TOSTOP and
// background terminal changes get SIGTTOU (kernel.TTYJobControl). The
// other ioctls (termios, window size) pass through to the host terminal.
//
// The signals the host line discipline generates (SIGINT, SIGQUIT, SIGTSTP
// from ^C, ^\, ^Z; SIGWINCH on a resize; SIGHUP when the master closes) go
// to the host terminal's foreground process group. The process that holds
// the host terminal as its controlling terminal (a session leader, alone
// in the foreground group: the sandbox process for the console, `runsc
// wait` for an exec'd terminal) receives them and hands them to
// HostSignal, which delivers them to the sandbox's foreground process group
// (SIGHUP: to the session leader, as a hangup does). The ptrace stubs and
// the gofer live in other host process groups, so they never see them.

// TTY is a host terminal as a terminal of the sandbox. Files opened on it
// are TTYFiles, each on its own duplicate of the host fd.
type TTY struct {
	name string
	// node, if set, is the sandbox's device node of the terminal
	// (/dev/console): the files' fstat is its, so ttyname(3) finds it.
	node vfs.Inode

	mu sync.Mutex
	// fd is the host terminal (owned); -1 once closed.
	fd int
	// files counts the open TTYFiles; the host fd is closed when the last
	// closes and no session holds the terminal.
	files int
	// k is the kernel of the session, known once a session attached.
	k *kernel.Kernel
	// sid is the session this terminal controls (0: none), fg its
	// foreground process group.
	sid, fg int32
}

var (
	_ kernel.TTY             = (*TTY)(nil)
	_ kernel.SessionAttacher = (*TTY)(nil)
)

// NewTTY makes host terminal fd (taking ownership) a terminal of the
// sandbox named name (/dev/console, /dev/pts/N).
func NewTTY(fd int, name string) *TTY {
	return &TTY{fd: fd, name: name}
}

// Name is the terminal's name (its files' name).
func (tty *TTY) Name() string { return tty.name }

// SetNode makes the sandbox's device node ino (/dev/console) what the
// terminal's files show in fstat, instead of the host pty's identity,
// which names nothing in the sandbox. Call it before the files are used.
func (tty *TTY) SetNode(ino vfs.Inode) {
	tty.mu.Lock()
	tty.node = ino
	tty.mu.Unlock()
}

// IsTerminal reports whether host fd is a terminal.
func IsTerminal(fd int) bool {
	_, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	return err == nil
}

// SameFile reports whether host fd is the terminal of tty (the same open
// terminal device).
func (tty *TTY) SameFile(fd int) bool {
	tty.mu.Lock()
	tfd := tty.fd
	tty.mu.Unlock()
	var a, b unix.Stat_t
	if tfd < 0 || unix.Fstat(tfd, &a) != nil || unix.Fstat(fd, &b) != nil {
		return false
	}
	return a.Rdev == b.Rdev && a.Dev == b.Dev && a.Ino == b.Ino
}

// NewFile opens the terminal: a TTYFile on a duplicate of its host fd with
// the given open flags (O_ACCMODE, O_NONBLOCK, O_APPEND are kept).
func (tty *TTY) NewFile(name string, flags int) (*TTYFile, error) {
	tty.mu.Lock()
	defer tty.mu.Unlock()
	if tty.fd < 0 {
		return nil, unix.ENXIO
	}
	nfd, err := unix.FcntlInt(uintptr(tty.fd), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return nil, unix.ENXIO
	}
	tty.files++
	f := &TTYFile{File: NewFile(nfd, name, uint32(flags)&(unix.O_ACCMODE|unix.O_NONBLOCK|unix.O_APPEND)), tty: tty}
	release := f.File.Release
	f.File.Release = func() {
		release()
		tty.fileClosed()
	}
	return f, nil
}

// fileClosed drops a file's hold on the host fd.
func (tty *TTY) fileClosed() {
	tty.mu.Lock()
	defer tty.mu.Unlock()
	tty.files--
	tty.maybeCloseLocked()
}

func (tty *TTY) maybeCloseLocked() {
	if tty.files == 0 && tty.sid == 0 && tty.fd >= 0 && tty.k != nil {
		unix.Close(tty.fd)
		tty.fd = -1
	}
}

// OpenTTY implements kernel.TTY: /dev/tty.
func (tty *TTY) OpenTTY(_ *kernel.Task, _ vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	return tty.NewFile("/dev/tty", flags)
}

// OpenConsole implements dev.Console: /dev/console.
func (tty *TTY) OpenConsole(flags int) (vfs.FileDescription, error) {
	return tty.NewFile("/dev/console", flags)
}

// AttachSession implements kernel.SessionAttacher.
func (tty *TTY) AttachSession(k *kernel.Kernel, sid, pgid int32) {
	tty.mu.Lock()
	tty.k, tty.sid, tty.fg = k, sid, pgid
	tty.mu.Unlock()
}

// SessionLost implements kernel.TTY.
func (tty *TTY) SessionLost(sid int32) {
	tty.mu.Lock()
	defer tty.mu.Unlock()
	if tty.sid == sid {
		tty.sid, tty.fg = 0, 0
		tty.maybeCloseLocked()
	}
}

// Foreground returns the session the terminal controls and its foreground
// process group (0, 0: none).
func (tty *TTY) Foreground() (sid, fg int32) {
	tty.mu.Lock()
	defer tty.mu.Unlock()
	return tty.sid, tty.fg
}

// HostSignal delivers a signal the host terminal's line discipline sent to
// the process holding it (see the design above): SIGHUP to the session
// leader (with SIGCONT), every other signal to the foreground process
// group. It reports whether the terminal controls a session.
func (tty *TTY) HostSignal(sig unix.Signal) bool {
	tty.mu.Lock()
	k, sid, fg := tty.k, tty.sid, tty.fg
	tty.mu.Unlock()
	if k == nil || sid == 0 {
		return false
	}
	info := func(s unix.Signal) kernel.SigInfo { return kernel.SigInfo{Signo: int(s), Code: kernel.SIKernel} }
	if sig == unix.SIGHUP {
		k.SignalSessionLeader(sid, info(unix.SIGHUP))
		k.SignalSessionLeader(sid, info(unix.SIGCONT))
		return true
	}
	k.SignalProcessGroup(fg, info(sig))
	return true
}

// TTYFile is an open host terminal: a host File whose job control ioctls,
// reads and writes follow the sandbox's session (see TTY).
type TTYFile struct {
	*File
	tty *TTY
}

var (
	_ kernel.TaskOpener    = (*TTYFile)(nil)
	_ kernel.TaskIoctler   = (*TTYFile)(nil)
	_ kernel.JobControlled = (*TTYFile)(nil)
)

// Stat implements vfs.FileDescription: the terminal's node in the
// sandbox if it has one (SetNode), else the host terminal's.
func (f *TTYFile) Stat(st *unix.Stat_t) error {
	f.tty.mu.Lock()
	node := f.tty.node
	f.tty.mu.Unlock()
	if node != nil {
		return node.Stat(st)
	}
	return f.File.Stat(st)
}

// TTY returns the terminal f is open on.
func (f *TTYFile) TTY() *TTY { return f.tty }

// TaskOpen implements kernel.TaskOpener: a session leader without a
// controlling terminal that opens it without O_NOCTTY acquires it.
func (f *TTYFile) TaskOpen(t *kernel.Task, flags int) (vfs.FileDescription, error) {
	if flags&unix.O_NOCTTY == 0 && flags&unix.O_ACCMODE != unix.O_WRONLY && t.IsSessionLeader() && t.ControllingTTY() == nil {
		f.acquire(t, false)
	}
	f.IncRef()
	return f, nil
}

// acquire makes the terminal t's controlling terminal (TIOCSCTTY).
func (f *TTYFile) acquire(t *kernel.Task, steal bool) error {
	tty := f.tty
	tty.mu.Lock()
	defer tty.mu.Unlock()
	if tty.sid != 0 && !steal && tty.sid != t.ThreadGroup().SID() {
		return unix.EPERM
	}
	sid, _, err := t.AcquireTTY(tty, steal)
	if err != nil {
		return err
	}
	if tty.sid != sid {
		tty.k, tty.sid, tty.fg = t.Kernel(), sid, t.ThreadGroup().PGID()
	}
	return nil
}

// ctty reports whether the terminal is t's controlling terminal.
func (f *TTYFile) ctty(t *kernel.Task) bool { return t.ControllingTTY() == kernel.TTY(f.tty) }

// CheckJobControl implements kernel.JobControlled: background readers get
// SIGTTIN, background writers SIGTTOU when the terminal has TOSTOP.
func (f *TTYFile) CheckJobControl(t *kernel.Task, write bool) error {
	_, fg := f.tty.Foreground()
	if fg == 0 || t.ThreadGroup().PGID() == fg {
		return nil
	}
	if write {
		tm, err := unix.IoctlGetTermios(f.fd, unix.TCGETS)
		if err != nil || tm.Lflag&unix.TOSTOP == 0 {
			return nil
		}
		return t.TTYJobControl(f.tty, fg, unix.SIGTTOU)
	}
	return t.TTYJobControl(f.tty, fg, unix.SIGTTIN)
}

// checkChange is Linux's tty_check_change: a background process group
// changing its controlling terminal gets SIGTTOU.
func (f *TTYFile) checkChange(t *kernel.Task) error {
	_, fg := f.tty.Foreground()
	return t.TTYJobControl(f.tty, fg, unix.SIGTTOU)
}

// TaskIoctl implements kernel.TaskIoctler: the session and process group
// ioctls act on the sandbox's bookkeeping; the rest go to the host
// terminal (File.Ioctl).
func (f *TTYFile) TaskIoctl(t *kernel.Task, req, arg uintptr) (uintptr, error) {
	tty := f.tty
	switch req {
	case unix.TIOCGPGRP:
		if !f.ctty(t) {
			return 0, unix.ENOTTY
		}
		_, fg := tty.Foreground()
		return 0, putInt32(t, arg, fg)
	case unix.TIOCGSID:
		sid, _ := tty.Foreground()
		if !f.ctty(t) || sid == 0 {
			return 0, unix.ENOTTY
		}
		return 0, putInt32(t, arg, sid)
	case unix.TIOCSPGRP:
		if err := f.checkChange(t); err != nil {
			return 0, err
		}
		sid, _ := tty.Foreground()
		if !f.ctty(t) || sid == 0 || sid != t.ThreadGroup().SID() {
			return 0, unix.ENOTTY
		}
		var b [4]byte
		if _, err := t.CopyIn(arg, b[:]); err != nil {
			return 0, unix.EFAULT
		}
		pg := int32(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24)
		if pg < 0 {
			return 0, unix.EINVAL
		}
		in, ok := t.Kernel().ProcessGroupInSession(pg, sid)
		if !ok {
			return 0, unix.ESRCH
		}
		if !in {
			return 0, unix.EPERM
		}
		tty.mu.Lock()
		if tty.sid == sid {
			tty.fg = pg
		}
		tty.mu.Unlock()
		return 0, nil
	case unix.TIOCSCTTY:
		if f.ctty(t) && t.IsSessionLeader() {
			return 0, nil
		}
		return 0, f.acquire(t, arg == 1)
	case unix.TIOCNOTTY:
		if !f.ctty(t) {
			return 0, unix.ENOTTY
		}
		if !t.IsSessionLeader() {
			return 0, nil
		}
		tty.mu.Lock()
		sid, fg, k := tty.sid, tty.fg, tty.k
		tty.sid, tty.fg = 0, 0
		tty.mu.Unlock()
		if k == nil {
			k = t.Kernel()
		}
		k.ReleaseTTY(sid, tty)
		k.SignalProcessGroup(fg, kernel.SigInfo{Signo: int(unix.SIGHUP), Code: kernel.SIKernel})
		k.SignalProcessGroup(fg, kernel.SigInfo{Signo: int(unix.SIGCONT), Code: kernel.SIKernel})
		return 0, nil
	case unix.TCSETS, unix.TCSETSW, unix.TCSETSF:
		if err := f.checkChange(t); err != nil {
			return 0, err
		}
	}
	return f.File.Ioctl(t.MM, req, arg)
}

func putInt32(t *kernel.Task, addr uintptr, v int32) error {
	b := []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
	if _, err := t.CopyOut(addr, b); err != nil {
		return unix.EFAULT
	}
	return nil
}
