// Package socket is the core of the sentry's sockets: the Socket interface
// every family implements, the registry of families socket(2) and
// socketpair(2) consult, and Base, the state all sockets share (the file
// description, the waiter queue and the SOL_SOCKET options).
//
// Families: unix/ (AF_UNIX), loopback/ (AF_INET and AF_INET6 on the
// loopback interface only, for --network=none). Connections between
// sockets in the sandbox are in-memory endpoints (transport/).
//
// Like pipes, socket file descriptions never block in Read and Write
// (EAGAIN), so the generic read/write paths wait on them. The socket
// calls themselves (Accept, Connect, Send, Recv) take the calling task and
// block through it (Wait), honouring O_NONBLOCK, MSG_DONTWAIT and
// SO_RCVTIMEO/SO_SNDTIMEO.
package socket

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/socket/transport"
	"stockade.dev/sentry/waiter"
)

// SendOpts are the arguments of Send besides the data.
type SendOpts struct {
	// To is the destination sockaddr, or nil.
	To []byte
	// Flags are the MSG_* flags.
	Flags int
	// Control is the ancillary data; Send clones what it keeps.
	Control transport.Control
}

// RecvResult is what Recv returns.
type RecvResult struct {
	// N is the number of bytes copied; MsgLen the full length of the
	// message (datagrams, for MSG_TRUNC).
	N, MsgLen int
	// From is the sender's sockaddr, or nil.
	From []byte
	// Control is the ancillary data; the caller owns its references.
	Control transport.Control
	// Flags are the msg_flags to report (MSG_TRUNC, MSG_EOR).
	Flags int
}

// Socket is an open socket.
type Socket interface {
	vfs.FileDescription
	waiter.Waitable

	// Family, Type and Protocol are the socket(2) arguments.
	Family() int
	Type() int
	Protocol() int

	Bind(t *kernel.Task, addr []byte) error
	Listen(t *kernel.Task, backlog int) error
	// Accept returns a new connected socket with flags (SOCK_NONBLOCK)
	// applied.
	Accept(t *kernel.Task, flags int) (Socket, error)
	Connect(t *kernel.Task, addr []byte) error
	// SockName and PeerName return sockaddrs.
	SockName() []byte
	PeerName() ([]byte, error)
	Send(t *kernel.Task, src [][]byte, o *SendOpts) (int, error)
	Recv(t *kernel.Task, dst [][]byte, flags int) (RecvResult, error)
	Shutdown(t *kernel.Task, how int) error
	// GetSockOpt returns the option's value; the caller truncates it to
	// the application's buffer.
	GetSockOpt(t *kernel.Task, level, name, size int) ([]byte, error)
	SetSockOpt(t *kernel.Task, level, name int, val []byte) error
}

// Family creates sockets of one address family.
type Family interface {
	// Socket creates a socket (typ without SOCK_NONBLOCK/SOCK_CLOEXEC).
	Socket(t *kernel.Task, typ, protocol int) (Socket, error)
	// Pair creates a connected pair (socketpair(2)); EOPNOTSUPP if the
	// family has none.
	Pair(t *kernel.Task, typ, protocol int) (Socket, Socket, error)
}

var (
	familiesMu sync.Mutex
	families   = map[int]Family{}
)

// Register makes a family available.
func Register(family int, f Family) {
	familiesMu.Lock()
	defer familiesMu.Unlock()
	families[family] = f
}

// Lookup returns the family, or EAFNOSUPPORT.
func Lookup(family int) (Family, error) {
	familiesMu.Lock()
	defer familiesMu.Unlock()
	if f, ok := families[family]; ok {
		return f, nil
	}
	return nil, unix.EAFNOSUPPORT
}

// sockfsDev is st_dev of sockets (Linux's sockfs is an anonymous device).
const sockfsDev = 0x8

var lastIno atomic.Uint64

// Linux's default buffer limits (net.core.[rw]mem_default/_max) and the
// minimums SO_SNDBUF/SO_RCVBUF clamp to.
const (
	DefaultBuf = 212992
	MaxBuf     = 212992
	MinSndBuf  = 4608
	MinRcvBuf  = 2304
)

// Base is the state every socket has: embed it, call Init, and set
// RefCount.Release to the family's release (which must call
// ReleaseBase).
type Base struct {
	vfs.RefCount
	vfs.NoIO
	// Q is the socket's waiter queue.
	Q waiter.Queue

	ino              uint64
	uid, gid         uint32
	family, typ, pro int

	mu    sync.Mutex
	flags uint32
	// Options (SOL_SOCKET), guarded by mu.
	sndBuf, rcvBuf                  int
	reuseAddr, reusePort, keepAlive bool
	passCred, broadcast, oobInline  bool
	dontRoute, timestamp            bool
	linger                          unix.Linger
	rcvTimeo, sndTimeo              time.Duration
	rcvLowat, priority, mark        int
	// soError is the pending error (SO_ERROR), 0 if none.
	soError atomic.Int32
	// OnBufChange, if set, is told about SO_SNDBUF/SO_RCVBUF changes.
	OnBufChange func(snd, rcv int)
}

// Init sets up the base of a new socket created by t (t may be nil).
func (b *Base) Init(t *kernel.Task, family, typ, protocol int, sndBuf, rcvBuf int) {
	b.InitRefs()
	b.ino = lastIno.Add(1) + 10000
	if t != nil {
		b.uid, b.gid = t.Creds.EffectiveUID, t.Creds.EffectiveGID
	}
	b.family, b.typ, b.pro = family, typ, protocol
	b.flags = unix.O_RDWR
	b.sndBuf, b.rcvBuf = sndBuf, rcvBuf
}

// ReleaseBase wakes everything still registered, telling epoll the file
// is gone.
func (b *Base) ReleaseBase() {
	b.Q.Notify(waiter.AllEvents &^ waiter.EventFree)
	b.Q.Notify(waiter.EventFree)
}

// Family implements Socket.
func (b *Base) Family() int { return b.family }

// Type implements Socket.
func (b *Base) Type() int { return b.typ }

// Protocol implements Socket.
func (b *Base) Protocol() int { return b.pro }

// Ino returns the socket's inode number.
func (b *Base) Ino() uint64 { return b.ino }

// Stat implements vfs.FileDescription.
func (b *Base) Stat(st *unix.Stat_t) error {
	*st = unix.Stat_t{
		Dev:     sockfsDev,
		Ino:     b.ino,
		Nlink:   1,
		Mode:    unix.S_IFSOCK | 0o777,
		Uid:     b.uid,
		Gid:     b.gid,
		Blksize: 4096,
	}
	return nil
}

// Name implements vfs.FileDescription.
func (b *Base) Name() string { return fmt.Sprintf("socket:[%d]", b.ino) }

// StatusFlags implements vfs.FileDescription.
func (b *Base) StatusFlags() uint32 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flags
}

// SetStatusFlags implements vfs.FileDescription.
func (b *Base) SetStatusFlags(flags uint32) error {
	const settable = unix.O_APPEND | unix.O_NONBLOCK | unix.O_ASYNC | unix.O_DIRECT | unix.O_NOATIME
	b.mu.Lock()
	b.flags = b.flags&^settable | flags&settable
	b.mu.Unlock()
	return nil
}

// EventRegister implements waiter.Waitable.
func (b *Base) EventRegister(e *waiter.Entry) { b.Q.EventRegister(e) }

// EventUnregister implements waiter.Waitable.
func (b *Base) EventUnregister(e *waiter.Entry) { b.Q.EventUnregister(e) }

// Nonblocking reports whether a call with msg flags should not wait.
func (b *Base) Nonblocking(msgFlags int) bool {
	return msgFlags&unix.MSG_DONTWAIT != 0 || b.StatusFlags()&unix.O_NONBLOCK != 0
}

// SetError sets the pending error (SO_ERROR) and wakes waiters.
func (b *Base) SetError(e unix.Errno) {
	b.soError.Store(int32(e))
	b.Q.Notify(waiter.EventErr | waiter.EventIn | waiter.EventOut)
}

// TakeError returns and clears the pending error.
func (b *Base) TakeError() error {
	if e := b.soError.Swap(0); e != 0 {
		return unix.Errno(e)
	}
	return nil
}

// HasError reports whether an error is pending.
func (b *Base) HasError() bool { return b.soError.Load() != 0 }

// Bufs returns SO_SNDBUF and SO_RCVBUF.
func (b *Base) Bufs() (snd, rcv int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sndBuf, b.rcvBuf
}

// PassCred reports SO_PASSCRED.
func (b *Base) PassCred() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.passCred
}

// Reuse reports SO_REUSEADDR and SO_REUSEPORT.
func (b *Base) Reuse() (addr, port bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.reuseAddr, b.reusePort
}

// Owner returns the creator's uid.
func (b *Base) Owner() uint32 { return b.uid }

// InheritFrom copies the options an accepted socket takes from its
// listener.
func (b *Base) InheritFrom(l *Base) {
	l.mu.Lock()
	sb, rb, ka, pc, lg := l.sndBuf, l.rcvBuf, l.keepAlive, l.passCred, l.linger
	rt, st := l.rcvTimeo, l.sndTimeo
	l.mu.Unlock()
	b.mu.Lock()
	b.sndBuf, b.rcvBuf, b.keepAlive, b.passCred, b.linger = sb, rb, ka, pc, lg
	b.rcvTimeo, b.sndTimeo = rt, st
	b.mu.Unlock()
}

// Deadline returns when a receive (or send) must give up, or zero.
func (b *Base) Deadline(send bool) time.Time {
	b.mu.Lock()
	d := b.rcvTimeo
	if send {
		d = b.sndTimeo
	}
	b.mu.Unlock()
	if d <= 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}

// waitEvents are always waited for besides the caller's, so that errors
// and hangups end waits.
const waitEvents = waiter.EventErr | waiter.EventHUp | waiter.EventRdHUp

// Wait calls op until it returns something other than EAGAIN, waiting on
// w for mask in between, unless nonblock (or t is nil). A deadline that
// passes gives EAGAIN (as a socket timeout does); a signal gives
// ERESTARTSYS, or EINTR when there was a timeout (Linux's
// sock_intr_errno).
func Wait(t *kernel.Task, w waiter.Waitable, mask waiter.EventMask, nonblock bool, deadline time.Time, op func() error) error {
	err := op()
	if err != unix.EAGAIN || nonblock || t == nil {
		return err
	}
	e := waiter.NewChannelEntry(mask | waitEvents)
	w.EventRegister(e)
	defer w.EventUnregister(e)
	for {
		if err = op(); err != unix.EAGAIN {
			return err
		}
		if berr := t.Block(e.C, deadline); berr != nil {
			if berr == kernel.ErrTimedOut {
				return unix.EAGAIN
			}
			if !deadline.IsZero() {
				return unix.EINTR
			}
			return berr
		}
	}
}

// Creds returns the credentials t sends (SCM_CREDENTIALS: real ids) or,
// with effective, records for SO_PEERCRED.
func Creds(t *kernel.Task, effective bool) transport.Creds {
	if t == nil {
		return transport.Creds{UID: 65534, GID: 65534}
	}
	c := t.Creds
	if effective {
		return transport.Creds{PID: t.PID(), UID: c.EffectiveUID, GID: c.EffectiveGID}
	}
	return transport.Creds{PID: t.PID(), UID: c.RealUID, GID: c.RealGID}
}

// Total returns the length of bufs.
func Total(bufs [][]byte) int {
	n := 0
	for _, b := range bufs {
		n += len(b)
	}
	return n
}

// Skip returns bufs without its first n bytes (a new slice; bufs is not
// modified).
func Skip(bufs [][]byte, n int) [][]byte {
	out := make([][]byte, 0, len(bufs))
	for _, b := range bufs {
		if n >= len(b) {
			n -= len(b)
			continue
		}
		out = append(out, b[n:])
		n = 0
	}
	return out
}

// MergeControl adds the ancillary data of a later read to an earlier one's.
func MergeControl(dst *transport.Control, src transport.Control) {
	dst.Rights = append(dst.Rights, src.Rights...)
	if dst.Creds == nil {
		dst.Creds = src.Creds
	}
}
