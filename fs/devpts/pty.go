package devpts

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/waiter"
)

// pty is one pseudo-terminal pair. mu guards every field below it.
type pty struct {
	fs    *FS
	index int
	ino   uint64

	// masterQ and slaveQ are notified when the master's or the slaves'
	// readiness may have changed.
	masterQ waiter.Queue
	slaveQ  waiter.Queue

	mu sync.Mutex
	ld ldisc
	// k is the kernel of the tasks using the pty (known from the first
	// open through a system call), for signals.
	k *kernel.Kernel
	// locked is TIOCSPTLCK: the slave cannot be opened.
	locked bool
	// hungUp is set once the master is closed.
	hungUp bool
	// slaves counts open slave descriptions; otherClosed is set when the
	// last one closes (master reads then fail with EIO once drained).
	slaves      int
	otherClosed bool
	ws          unix.Winsize
	// sid is the session whose controlling terminal this is (0: none);
	// fg is its foreground process group.
	sid, fg int32
	// The slave node's attributes.
	mode, uid, gid uint32
	atime, mtime   unix.Timespec
	ctime          unix.Timespec
	// vtimeDeadline is when a non-canonical read with VTIME gives up
	// waiting (zero: no timed read in progress).
	vtimeDeadline time.Time
	vtimeTimer    *time.Timer
}

var _ kernel.TTY = (*pty)(nil)

func newPty(fs *FS, index int, ino uint64) *pty {
	now := unix.NsecToTimespec(time.Now().UnixNano())
	return &pty{fs: fs, index: index, ino: ino, ld: newLdisc(), locked: true,
		mode: 0o620, gid: ttyGID, atime: now, mtime: now, ctime: now}
}

func (p *pty) name() string { return "/dev/pts/" + strconv.Itoa(p.index) }

func (p *pty) stat(st *unix.Stat_t) {
	p.mu.Lock()
	defer p.mu.Unlock()
	*st = unix.Stat_t{Dev: devptsDev, Ino: p.ino, Nlink: 1, Mode: unix.S_IFCHR | p.mode, Uid: p.uid, Gid: p.gid,
		Rdev: unix.Mkdev(SlaveMajor, uint32(p.index)), Blksize: 1024, Atim: p.atime, Mtim: p.mtime, Ctim: p.ctime}
}

// setKernel records the kernel of the pty's users.
func (p *pty) setKernel(k *kernel.Kernel) {
	p.mu.Lock()
	if p.k == nil {
		p.k = k
	}
	p.mu.Unlock()
}

// notify wakes waiters on both sides.
func (p *pty) notify() {
	p.masterQ.Notify(waiter.AllEvents)
	p.slaveQ.Notify(waiter.AllEvents)
}

// signalFg sends sig to the foreground process group (p.mu not held).
func signalGroup(k *kernel.Kernel, pgid int32, sig unix.Signal) {
	if k != nil && pgid > 0 {
		k.SignalProcessGroup(pgid, kernel.SigInfo{Signo: int(sig), Code: kernel.SIKernel})
	}
}

// openSlave opens a slave description; vd is where it was opened (not Ok
// for an open without a place, TIOCGPTPEER outside the devpts mount).
func (p *pty) openSlave(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hungUp {
		return nil, unix.EIO
	}
	if p.locked {
		return nil, unix.EIO
	}
	p.slaves++
	p.otherClosed = false
	f := &slaveFile{p: p, name: p.name()}
	f.flags.Store(uint32(flags) &^ (unix.O_CREAT | unix.O_EXCL | unix.O_TRUNC | unix.O_CLOEXEC | unix.O_NOCTTY | unix.O_NOFOLLOW))
	f.InitRefs()
	f.Release = f.release
	if !vd.Ok() {
		return f, nil
	}
	f.name = p.fs.v.PathOf(vd, p.fs.v.Root())
	return &locatedSlave{slaveFile: f, FileLocation: vfs.FileLocation{VD: vd}}, nil
}

// OpenTTY implements kernel.TTY: /dev/tty.
func (p *pty) OpenTTY(t *kernel.Task, vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	return p.openSlave(vd, flags)
}

// SessionLost implements kernel.TTY.
func (p *pty) SessionLost(sid int32) {
	p.mu.Lock()
	if p.sid == sid {
		p.sid, p.fg = 0, 0
	}
	p.mu.Unlock()
}

// hangup runs when the master is closed: the slaves read end of file and
// fail writes with EIO, and the session leader gets SIGHUP and SIGCONT.
func (p *pty) hangup() {
	p.fs.remove(p)
	p.mu.Lock()
	p.hungUp = true
	sid, k := p.sid, p.k
	p.sid, p.fg = 0, 0
	if p.vtimeTimer != nil {
		p.vtimeTimer.Stop()
	}
	p.mu.Unlock()
	if k != nil && sid != 0 && k.ReleaseTTY(sid, p) {
		k.SignalSessionLeader(sid, kernel.SigInfo{Signo: int(unix.SIGHUP), Code: kernel.SIKernel})
		k.SignalSessionLeader(sid, kernel.SigInfo{Signo: int(unix.SIGCONT), Code: kernel.SIKernel})
	}
	p.notify()
}

// slaveClosed runs when a slave description is released.
func (p *pty) slaveClosed() {
	p.mu.Lock()
	p.slaves--
	if p.slaves == 0 {
		p.otherClosed = true
	}
	p.mu.Unlock()
	p.notify()
}

// ctty reports whether the pty is t's controlling terminal.
func (p *pty) ctty(t *kernel.Task) bool { return t.ControllingTTY() == kernel.TTY(p) }

// --- master ---

// masterFile is an open /dev/ptmx: the master side of one pty.
type masterFile struct {
	vfs.RefCount
	vfs.FileLocation
	p     *pty
	name  string
	flags atomic.Uint32
}

var (
	_ vfs.FileDescription = (*masterFile)(nil)
	_ waiter.Waitable     = (*masterFile)(nil)
	_ kernel.TaskOpener   = (*masterFile)(nil)
	_ kernel.TaskIoctler  = (*masterFile)(nil)
)

func newMasterFile(p *pty, vd vfs.VirtualDentry, name string, flags int) *masterFile {
	f := &masterFile{p: p, name: name}
	f.VD = vd
	f.flags.Store(uint32(flags) &^ (unix.O_CREAT | unix.O_EXCL | unix.O_TRUNC | unix.O_CLOEXEC | unix.O_NOCTTY | unix.O_NOFOLLOW))
	f.InitRefs()
	f.Release = func() {
		p.hangup()
		p.masterQ.Notify(waiter.EventFree)
	}
	return f
}

// TaskOpen implements kernel.TaskOpener: the opener owns the slave.
func (f *masterFile) TaskOpen(t *kernel.Task, flags int) (vfs.FileDescription, error) {
	p := f.p
	p.setKernel(t.Kernel())
	p.mu.Lock()
	p.uid, p.gid = t.Creds.EffectiveUID, ttyGID
	p.mu.Unlock()
	f.IncRef()
	return f, nil
}

// Read implements vfs.FileDescription: the slave's output.
func (f *masterFile) Read(dst [][]byte, off int64) (int, error) {
	if f.StatusFlags()&unix.O_ACCMODE == unix.O_WRONLY {
		return 0, unix.EBADF
	}
	p := f.p
	p.mu.Lock()
	if len(p.ld.out) == 0 {
		closed := p.otherClosed
		p.mu.Unlock()
		if total(dst) == 0 {
			return 0, nil
		}
		if closed {
			return 0, unix.EIO
		}
		return 0, unix.EAGAIN
	}
	n := p.ld.readOut(dst)
	p.mu.Unlock()
	p.slaveQ.Notify(waiter.EventOut | waiter.EventWrNorm)
	return n, nil
}

// Write implements vfs.FileDescription: input for the slave.
func (f *masterFile) Write(src [][]byte, off int64) (int, error) {
	if f.StatusFlags()&unix.O_ACCMODE == unix.O_RDONLY {
		return 0, unix.EBADF
	}
	p := f.p
	p.mu.Lock()
	if p.slaves == 0 {
		p.mu.Unlock()
		return 0, unix.EIO
	}
	n := 0
	var sigs []unix.Signal
	for _, b := range src {
		c, s := p.ld.receive(b)
		n += c
		sigs = append(sigs, s...)
		if c < len(b) {
			break
		}
	}
	k, fg := p.k, p.fg
	p.mu.Unlock()
	for _, s := range sigs {
		signalGroup(k, fg, s)
	}
	if n > 0 || len(sigs) > 0 {
		p.notify()
	}
	if n == 0 && total(src) > 0 {
		return 0, unix.EAGAIN
	}
	return n, nil
}

// Readiness implements waiter.Waitable.
func (f *masterFile) Readiness(mask waiter.EventMask) waiter.EventMask {
	p := f.p
	p.mu.Lock()
	defer p.mu.Unlock()
	var r waiter.EventMask
	if len(p.ld.out) > 0 {
		r |= waiter.EventIn | waiter.EventRdNorm
	}
	if p.otherClosed {
		r |= waiter.EventHUp
	}
	if p.slaves > 0 && (p.ld.inRoom() || p.ld.canonical() && len(p.ld.lines) == 0) {
		r |= waiter.EventOut | waiter.EventWrNorm
	}
	return r & mask
}

// EventRegister implements waiter.Waitable.
func (f *masterFile) EventRegister(e *waiter.Entry) { f.p.masterQ.EventRegister(e) }

// EventUnregister implements waiter.Waitable.
func (f *masterFile) EventUnregister(e *waiter.Entry) { f.p.masterQ.EventUnregister(e) }

// Seek implements vfs.FileDescription.
func (f *masterFile) Seek(int64, int) (int64, error) { return 0, unix.ESPIPE }

// Getdents implements vfs.FileDescription.
func (f *masterFile) Getdents([]byte) (int, error) { return 0, unix.ENOTDIR }

// ReadAt implements vfs.FileDescription.
func (f *masterFile) ReadAt([]byte, int64) (int, error) { return 0, unix.ENODEV }

// HostFD implements vfs.FileDescription.
func (f *masterFile) HostFD() int { return -1 }

// Stat implements vfs.FileDescription.
func (f *masterFile) Stat(st *unix.Stat_t) error {
	if f.VD.Ok() {
		return f.VD.Inode().Stat(st)
	}
	return f.p.fs.ptmx.Stat(st)
}

// StatusFlags implements vfs.FileDescription.
func (f *masterFile) StatusFlags() uint32 { return f.flags.Load() }

// SetStatusFlags implements vfs.FileDescription.
func (f *masterFile) SetStatusFlags(fl uint32) error { return setFlags(&f.flags, fl) }

// Name implements vfs.FileDescription.
func (f *masterFile) Name() string { return f.name }

// Ioctl implements vfs.FileDescription (without a task: the ioctl system
// call uses TaskIoctl).
func (f *masterFile) Ioctl(m vfs.Memory, req, arg uintptr) (uintptr, error) {
	return 0, unix.ENOTTY
}

// TaskIoctl implements kernel.TaskIoctler.
func (f *masterFile) TaskIoctl(t *kernel.Task, req, arg uintptr) (uintptr, error) {
	p := f.p
	switch req {
	case unix.TIOCGPTN:
		return 0, putInt(t, arg, int32(p.index))
	case unix.TIOCSPTLCK:
		v, err := getInt(t, arg)
		if err != nil {
			return 0, err
		}
		p.mu.Lock()
		p.locked = v != 0
		p.mu.Unlock()
		return 0, nil
	case unix.TIOCGPTLCK:
		p.mu.Lock()
		l := p.locked
		p.mu.Unlock()
		v := int32(0)
		if l {
			v = 1
		}
		return 0, putInt(t, arg, v)
	case unix.TIOCGPTPEER:
		flags := int(arg)
		if flags&^(unix.O_ACCMODE|unix.O_NOCTTY|unix.O_NONBLOCK|unix.O_CLOEXEC) != 0 {
			return 0, unix.EINVAL
		}
		sf, err := p.openSlave(f.peerLocation(t), flags)
		if err != nil {
			return 0, err
		}
		defer sf.DecRef()
		nf, err := sf.(kernel.TaskOpener).TaskOpen(t, flags)
		if err != nil {
			return 0, err
		}
		defer nf.DecRef()
		fd, err := t.FDTable.New(0, nf, flags&unix.O_CLOEXEC != 0)
		if err != nil {
			return 0, err
		}
		return uintptr(fd), nil
	case unix.TIOCPKT:
		v, err := getInt(t, arg)
		if err != nil {
			return 0, err
		}
		if v != 0 {
			return 0, unix.EINVAL
		}
		return 0, nil
	case unix.TIOCSIG:
		sig := unix.Signal(arg)
		if sig < 1 || sig > 64 {
			return 0, unix.EINVAL
		}
		p.mu.Lock()
		k, fg := p.k, p.fg
		p.mu.Unlock()
		signalGroup(k, fg, sig)
		return 0, nil
	case unix.TIOCINQ:
		p.mu.Lock()
		n := len(p.ld.out)
		p.mu.Unlock()
		return 0, putInt(t, arg, int32(n))
	case unix.TIOCOUTQ:
		return 0, putInt(t, arg, 0)
	case unix.TCFLSH:
		return 0, p.flush(int(arg), true)
	case unix.TIOCSCTTY:
		return 0, unix.EPERM
	case unix.TIOCNOTTY:
		return 0, unix.ENOTTY
	}
	return p.commonIoctl(t, req, arg, true)
}

// peerLocation finds the slave's node in the devpts mount the master was
// opened from, for TIOCGPTPEER.
func (f *masterFile) peerLocation(t *kernel.Task) vfs.VirtualDentry {
	if !f.VD.Ok() {
		return vfs.VirtualDentry{}
	}
	root := vfs.VirtualDentry{Mount: f.VD.Mount, Dentry: f.VD.Mount.Root()}
	vd, err := f.p.fs.v.Resolve(t.VFSContext(), root, strconv.Itoa(f.p.index), vfs.ResolveOptions{})
	if err != nil {
		return vfs.VirtualDentry{}
	}
	if si, ok := vd.Inode().(*slaveInode); !ok || si.p != f.p {
		return vfs.VirtualDentry{}
	}
	return vd
}

// --- slave ---

// slaveFile is an open /dev/pts/N (or /dev/tty) without a place in the
// tree; locatedSlave is one with a place.
type slaveFile struct {
	vfs.RefCount
	p     *pty
	name  string
	flags atomic.Uint32
}

// locatedSlave is a slave opened through a path.
type locatedSlave struct {
	*slaveFile
	vfs.FileLocation
}

var (
	_ vfs.FileDescription  = (*slaveFile)(nil)
	_ waiter.Waitable      = (*slaveFile)(nil)
	_ kernel.TaskOpener    = (*slaveFile)(nil)
	_ kernel.TaskIoctler   = (*slaveFile)(nil)
	_ kernel.JobControlled = (*slaveFile)(nil)
	_ kernel.TaskOpener    = (*locatedSlave)(nil)
	_ vfs.Locatable        = (*locatedSlave)(nil)
)

// TaskOpen implements kernel.TaskOpener.
func (l *locatedSlave) TaskOpen(t *kernel.Task, flags int) (vfs.FileDescription, error) {
	l.acquireOnOpen(t, flags)
	l.IncRef()
	return l, nil
}

// Stat implements vfs.FileDescription: the node it was opened through
// (/dev/tty shows as itself).
func (l *locatedSlave) Stat(st *unix.Stat_t) error { return l.VD.Inode().Stat(st) }

func (f *slaveFile) release() {
	f.p.slaveClosed()
	f.p.slaveQ.Notify(waiter.EventFree)
}

// TaskOpen implements kernel.TaskOpener.
func (f *slaveFile) TaskOpen(t *kernel.Task, flags int) (vfs.FileDescription, error) {
	f.acquireOnOpen(t, flags)
	f.IncRef()
	return f, nil
}

// acquireOnOpen makes the pty the controlling terminal of a session leader
// without one that opens it without O_NOCTTY (and for reading).
func (f *slaveFile) acquireOnOpen(t *kernel.Task, flags int) {
	p := f.p
	p.setKernel(t.Kernel())
	if flags&unix.O_NOCTTY != 0 || flags&unix.O_ACCMODE == unix.O_WRONLY {
		return
	}
	if !t.IsSessionLeader() || t.ControllingTTY() != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sid != 0 || p.hungUp {
		return
	}
	if sid, _, err := t.AcquireTTY(p, false); err == nil {
		p.sid, p.fg = sid, t.ThreadGroup().PGID()
	}
}

// CheckJobControl implements kernel.JobControlled: background readers get
// SIGTTIN, background writers SIGTTOU with TOSTOP.
func (f *slaveFile) CheckJobControl(t *kernel.Task, write bool) error {
	p := f.p
	p.mu.Lock()
	fg, tostop := p.fg, p.ld.lflag(unix.TOSTOP)
	p.mu.Unlock()
	if fg == 0 {
		return nil
	}
	if write {
		if !tostop {
			return nil
		}
		return t.TTYJobControl(p, fg, unix.SIGTTOU)
	}
	return t.TTYJobControl(p, fg, unix.SIGTTIN)
}

// Read implements vfs.FileDescription.
func (f *slaveFile) Read(dst [][]byte, off int64) (int, error) {
	if f.StatusFlags()&unix.O_ACCMODE == unix.O_WRONLY {
		return 0, unix.EBADF
	}
	p := f.p
	p.mu.Lock()
	if p.hungUp && !p.ld.readable() {
		// Linux fails reads after the master closed with EIO.
		p.mu.Unlock()
		return 0, unix.EIO
	}
	want := total(dst)
	if want == 0 {
		p.mu.Unlock()
		return 0, nil
	}
	l := &p.ld
	if l.canonical() {
		n, ok := l.readIn(dst)
		p.mu.Unlock()
		if !ok {
			return 0, unix.EAGAIN
		}
		p.masterQ.Notify(waiter.EventOut | waiter.EventWrNorm)
		return n, nil
	}
	min, tm := int(l.t.Cc[vmin]), time.Duration(l.t.Cc[vtime])*100*time.Millisecond
	avail := len(l.in)
	ready := false
	switch {
	case min == 0 && tm == 0:
		ready = true
	case tm == 0:
		ready = avail >= min || avail >= want
	case min == 0:
		ready = avail > 0 || p.vtimeExpired(tm)
	default:
		ready = avail >= min || avail >= want || avail > 0 && p.vtimeExpired(tm)
	}
	if !ready {
		p.mu.Unlock()
		return 0, unix.EAGAIN
	}
	p.vtimeDeadline = time.Time{}
	n, _ := l.readIn(dst)
	p.mu.Unlock()
	if n > 0 {
		p.masterQ.Notify(waiter.EventOut | waiter.EventWrNorm)
	}
	return n, nil
}

// vtimeExpired starts a VTIME timer if none runs and reports whether it
// ran out. p.mu must be held.
func (p *pty) vtimeExpired(d time.Duration) bool {
	now := time.Now()
	if p.vtimeDeadline.IsZero() {
		p.vtimeDeadline = now.Add(d)
		if p.vtimeTimer != nil {
			p.vtimeTimer.Stop()
		}
		p.vtimeTimer = time.AfterFunc(d, func() { p.slaveQ.Notify(waiter.EventIn | waiter.EventRdNorm) })
		return false
	}
	return !now.Before(p.vtimeDeadline)
}

// Write implements vfs.FileDescription.
func (f *slaveFile) Write(src [][]byte, off int64) (int, error) {
	if f.StatusFlags()&unix.O_ACCMODE == unix.O_RDONLY {
		return 0, unix.EBADF
	}
	p := f.p
	p.mu.Lock()
	if p.hungUp {
		p.mu.Unlock()
		return 0, unix.EIO
	}
	n := 0
	for _, b := range src {
		c := p.ld.writeOut(b)
		n += c
		if c < len(b) {
			break
		}
	}
	p.mu.Unlock()
	if n > 0 {
		p.masterQ.Notify(waiter.EventIn | waiter.EventRdNorm)
	}
	if n == 0 && total(src) > 0 {
		return 0, unix.EAGAIN
	}
	return n, nil
}

// Readiness implements waiter.Waitable.
func (f *slaveFile) Readiness(mask waiter.EventMask) waiter.EventMask {
	p := f.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.hungUp {
		return mask & (waiter.EventIn | waiter.EventRdNorm | waiter.EventOut | waiter.EventWrNorm | waiter.EventHUp | waiter.EventErr)
	}
	var r waiter.EventMask
	l := &p.ld
	if l.readable() {
		if l.canonical() || len(l.in) >= int(l.t.Cc[vmin]) || l.t.Cc[vtime] != 0 {
			r |= waiter.EventIn | waiter.EventRdNorm
		}
	}
	if !l.stopped && len(l.out)+8 <= outBufSize {
		r |= waiter.EventOut | waiter.EventWrNorm
	}
	return r & mask
}

// EventRegister implements waiter.Waitable.
func (f *slaveFile) EventRegister(e *waiter.Entry) { f.p.slaveQ.EventRegister(e) }

// EventUnregister implements waiter.Waitable.
func (f *slaveFile) EventUnregister(e *waiter.Entry) { f.p.slaveQ.EventUnregister(e) }

// Seek implements vfs.FileDescription.
func (f *slaveFile) Seek(int64, int) (int64, error) { return 0, unix.ESPIPE }

// Getdents implements vfs.FileDescription.
func (f *slaveFile) Getdents([]byte) (int, error) { return 0, unix.ENOTDIR }

// ReadAt implements vfs.FileDescription.
func (f *slaveFile) ReadAt([]byte, int64) (int, error) { return 0, unix.ENODEV }

// HostFD implements vfs.FileDescription.
func (f *slaveFile) HostFD() int { return -1 }

// Stat implements vfs.FileDescription.
func (f *slaveFile) Stat(st *unix.Stat_t) error {
	f.p.stat(st)
	return nil
}

// StatusFlags implements vfs.FileDescription.
func (f *slaveFile) StatusFlags() uint32 { return f.flags.Load() }

// SetStatusFlags implements vfs.FileDescription.
func (f *slaveFile) SetStatusFlags(fl uint32) error { return setFlags(&f.flags, fl) }

// Name implements vfs.FileDescription.
func (f *slaveFile) Name() string { return f.name }

// Ioctl implements vfs.FileDescription (the ioctl system call uses
// TaskIoctl).
func (f *slaveFile) Ioctl(m vfs.Memory, req, arg uintptr) (uintptr, error) {
	return 0, unix.ENOTTY
}

// TaskIoctl implements kernel.TaskIoctler.
func (f *slaveFile) TaskIoctl(t *kernel.Task, req, arg uintptr) (uintptr, error) {
	p := f.p
	p.mu.Lock()
	hung := p.hungUp
	p.mu.Unlock()
	if hung {
		if req == unix.TIOCSPGRP {
			return 0, unix.ENOTTY
		}
		return 0, unix.EIO
	}
	switch req {
	case unix.TIOCINQ:
		p.mu.Lock()
		n := p.ld.inAvailable()
		p.mu.Unlock()
		return 0, putInt(t, arg, int32(n))
	case unix.TIOCOUTQ:
		return 0, putInt(t, arg, 0)
	case unix.TCFLSH:
		if err := p.checkChange(t); err != nil {
			return 0, err
		}
		return 0, p.flush(int(arg), false)
	case unix.TIOCSCTTY:
		if f.StatusFlags()&unix.O_ACCMODE == unix.O_WRONLY && !t.HasCap(unix.CAP_SYS_ADMIN) {
			return 0, unix.EPERM
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		sid, _, err := t.AcquireTTY(p, arg == 1)
		if err != nil {
			return 0, err
		}
		if p.sid != sid {
			p.sid, p.fg = sid, t.ThreadGroup().PGID()
		}
		return 0, nil
	case unix.TIOCNOTTY:
		if !p.ctty(t) {
			return 0, unix.ENOTTY
		}
		if !t.IsSessionLeader() {
			return 0, nil
		}
		p.mu.Lock()
		sid, fg, k := p.sid, p.fg, p.k
		p.sid, p.fg = 0, 0
		p.mu.Unlock()
		if k == nil {
			k = t.Kernel()
		}
		k.ReleaseTTY(sid, p)
		signalGroup(k, fg, unix.SIGHUP)
		signalGroup(k, fg, unix.SIGCONT)
		return 0, nil
	}
	return p.commonIoctl(t, req, arg, false)
}

// checkChange is Linux's tty_check_change: a background process group
// changing its controlling terminal gets SIGTTOU.
func (p *pty) checkChange(t *kernel.Task) error {
	p.mu.Lock()
	fg := p.fg
	p.mu.Unlock()
	return t.TTYJobControl(p, fg, unix.SIGTTOU)
}

// flush implements TCFLSH from the master or a slave.
func (p *pty) flush(how int, master bool) error {
	in, out := false, false
	switch how {
	case unix.TCIFLUSH:
		in = true
	case unix.TCOFLUSH:
		out = true
	case unix.TCIOFLUSH:
		in, out = true, true
	default:
		return unix.EINVAL
	}
	if master {
		// The master's input is the slave's output and vice versa.
		in, out = out, in
	}
	p.mu.Lock()
	if in {
		p.ld.flushIn()
	}
	if out {
		p.ld.flushOut()
	}
	p.mu.Unlock()
	p.notify()
	return nil
}

// termiosSize is sizeof(struct termios) (without the speeds of termios2).
const termiosSize = 36

// commonIoctl implements the ioctls of both sides, which act on the slave.
func (p *pty) commonIoctl(t *kernel.Task, req, arg uintptr, master bool) (uintptr, error) {
	switch req {
	case unix.TCGETS, unix.TCGETS2:
		p.mu.Lock()
		tm := p.ld.t
		p.mu.Unlock()
		b := termiosBytes(&tm)
		if req == unix.TCGETS {
			b = b[:termiosSize]
		}
		if _, err := t.CopyOut(arg, b); err != nil {
			return 0, unix.EFAULT
		}
		return 0, nil
	case unix.TCSETS, unix.TCSETSW, unix.TCSETSF, unix.TCSETS2, unix.TCSETSW2, unix.TCSETSF2:
		size := termiosSize
		if req == unix.TCSETS2 || req == unix.TCSETSW2 || req == unix.TCSETSF2 {
			size = len(termiosBytes(&unix.Termios{}))
		}
		b := make([]byte, size)
		if _, err := t.CopyIn(arg, b); err != nil {
			return 0, unix.EFAULT
		}
		if !master {
			if err := p.checkChange(t); err != nil {
				return 0, err
			}
		}
		p.mu.Lock()
		tm := p.ld.t
		setTermiosBytes(&tm, b)
		if size == termiosSize {
			// The speeds follow the baud rate bits.
			tm.Ispeed, tm.Ospeed = p.ld.t.Ispeed, p.ld.t.Ospeed
		}
		if req == unix.TCSETSF || req == unix.TCSETSF2 {
			p.ld.flushIn()
		}
		p.ld.setTermios(tm)
		p.mu.Unlock()
		p.notify()
		return 0, nil
	case unix.TIOCGWINSZ:
		p.mu.Lock()
		ws := p.ws
		p.mu.Unlock()
		if _, err := t.CopyOut(arg, winsizeBytes(&ws)); err != nil {
			return 0, unix.EFAULT
		}
		return 0, nil
	case unix.TIOCSWINSZ:
		var ws unix.Winsize
		b := make([]byte, 8)
		if _, err := t.CopyIn(arg, b); err != nil {
			return 0, unix.EFAULT
		}
		setWinsizeBytes(&ws, b)
		p.mu.Lock()
		changed := ws != p.ws
		p.ws = ws
		k, fg := p.k, p.fg
		p.mu.Unlock()
		if changed {
			signalGroup(k, fg, unix.SIGWINCH)
		}
		return 0, nil
	case unix.TIOCGPGRP:
		if !master && !p.ctty(t) {
			return 0, unix.ENOTTY
		}
		p.mu.Lock()
		fg := p.fg
		p.mu.Unlock()
		return 0, putInt(t, arg, fg)
	case unix.TIOCSPGRP:
		if !master {
			if err := p.checkChange(t); err != nil {
				return 0, err
			}
		}
		p.mu.Lock()
		sid := p.sid
		p.mu.Unlock()
		if !p.ctty(t) || sid == 0 || sid != t.ThreadGroup().SID() {
			return 0, unix.ENOTTY
		}
		pg, err := getInt(t, arg)
		if err != nil {
			return 0, err
		}
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
		p.mu.Lock()
		p.fg = pg
		p.mu.Unlock()
		return 0, nil
	case unix.TIOCGSID:
		if !master && !p.ctty(t) {
			return 0, unix.ENOTTY
		}
		p.mu.Lock()
		sid := p.sid
		p.mu.Unlock()
		if sid == 0 {
			return 0, unix.ENOTTY
		}
		return 0, putInt(t, arg, sid)
	case unix.TCXONC:
		if !master {
			if err := p.checkChange(t); err != nil {
				return 0, err
			}
		}
		switch arg {
		case unix.TCOOFF:
			p.mu.Lock()
			p.ld.stopped = true
			p.mu.Unlock()
		case unix.TCOON:
			p.mu.Lock()
			p.ld.stopped = false
			p.mu.Unlock()
			p.notify()
		case unix.TCIOFF, unix.TCION:
		default:
			return 0, unix.EINVAL
		}
		return 0, nil
	case unix.TCSBRK, unix.TCSBRKP, unix.TIOCSBRK, unix.TIOCCBRK, unix.TIOCEXCL, unix.TIOCNXCL:
		return 0, nil
	case unix.TIOCGEXCL:
		return 0, putInt(t, arg, 0)
	case unix.TIOCGETD:
		return 0, putInt(t, arg, 0) // N_TTY
	case unix.TIOCSETD:
		v, err := getInt(t, arg)
		if err != nil {
			return 0, err
		}
		if v != 0 {
			return 0, unix.EINVAL
		}
		return 0, nil
	case unix.TIOCSTI:
		if !t.HasCap(unix.CAP_SYS_ADMIN) {
			return 0, unix.EPERM
		}
		var c [1]byte
		if _, err := t.CopyIn(arg, c[:]); err != nil {
			return 0, unix.EFAULT
		}
		p.mu.Lock()
		_, sigs := p.ld.receive(c[:])
		k, fg := p.k, p.fg
		p.mu.Unlock()
		for _, s := range sigs {
			signalGroup(k, fg, s)
		}
		p.notify()
		return 0, nil
	case fioasync:
		return 0, nil
	}
	return 0, unix.ENOTTY
}

// --- helpers ---

func total(bufs [][]byte) int {
	n := 0
	for _, b := range bufs {
		n += len(b)
	}
	return n
}

func setFlags(flags *atomic.Uint32, fl uint32) error {
	const settable = unix.O_APPEND | unix.O_NONBLOCK | unix.O_ASYNC | unix.O_DIRECT | unix.O_NOATIME
	for {
		old := flags.Load()
		if flags.CompareAndSwap(old, old&^settable|fl&settable) {
			return nil
		}
	}
}

func putInt(t *kernel.Task, addr uintptr, v int32) error {
	b := []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
	if _, err := t.CopyOut(addr, b); err != nil {
		return unix.EFAULT
	}
	return nil
}

func getInt(t *kernel.Task, addr uintptr) (int32, error) {
	var b [4]byte
	if _, err := t.CopyIn(addr, b[:]); err != nil {
		return 0, unix.EFAULT
	}
	return int32(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24), nil
}
