// Package unix implements AF_UNIX sockets (SOCK_STREAM, SOCK_DGRAM,
// SOCK_SEQPACKET) inside the sentry: socketpair, names in the filesystem
// (S_IFSOCK inodes created through the VFS, found again by device and
// inode number) and in the abstract namespace, autobind, listen/accept,
// SCM_RIGHTS and SCM_CREDENTIALS, SO_PEERCRED.
package unix

import (
	"fmt"
	"sync"

	linux "golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/socket"
	"stockade.dev/sentry/socket/transport"
	"stockade.dev/sentry/waiter"
)

func init() { socket.Register(linux.AF_UNIX, family{}) }

type family struct{}

func checkType(typ, protocol int) (int, error) {
	if protocol != 0 && protocol != linux.AF_UNIX {
		return 0, linux.EPROTONOSUPPORT
	}
	switch typ {
	case linux.SOCK_STREAM, linux.SOCK_DGRAM, linux.SOCK_SEQPACKET:
		return typ, nil
	case linux.SOCK_RAW:
		return linux.SOCK_DGRAM, nil // as Linux
	}
	return 0, linux.ESOCKTNOSUPPORT
}

// Socket implements socket.Family.
func (family) Socket(t *kernel.Task, typ, protocol int) (socket.Socket, error) {
	typ, err := checkType(typ, protocol)
	if err != nil {
		return nil, err
	}
	return newSocket(t, typ), nil
}

// Pair implements socket.Family.
func (family) Pair(t *kernel.Task, typ, protocol int) (socket.Socket, socket.Socket, error) {
	typ, err := checkType(typ, protocol)
	if err != nil {
		return nil, nil, err
	}
	a, b := newSocket(t, typ), newSocket(t, typ)
	cr := socket.Creds(t, true)
	connMu.Lock()
	if typ == linux.SOCK_DGRAM {
		a.connectDgramLocked(b)
		b.connectDgramLocked(a)
	} else {
		a.ep, b.ep = transport.NewPair(&a.Q, &b.Q, transport.PairOptions{
			Stream: typ == linux.SOCK_STREAM,
			LimitA: b.sndBufLimit(), LimitB: a.sndBufLimit(),
		})
		a.peer, b.peer = b, a
	}
	a.peerCreds, b.peerCreds = cr, cr
	a.hasPeerCreds, b.hasPeerCreds = true, true
	connMu.Unlock()
	return a, b, nil
}

// connMu guards the connection state of every unix socket (the fields
// of Socket marked so) and the name registries.
var connMu sync.Mutex

// fileKey identifies a socket inode in the filesystem.
type fileKey struct{ dev, ino uint64 }

var (
	byFile     = map[fileKey]*Socket{}
	byAbstract = map[string]*Socket{}
	autoNext   uint32
)

// Socket is an AF_UNIX socket.
type Socket struct {
	socket.Base

	// owner are the creator's credentials, sent with write(2), which has
	// no task at hand.
	owner transport.Creds

	// Guarded by connMu.
	addr       []byte
	fileKey    *fileKey
	abstract   string
	listening  bool
	backlog    []*Socket
	backlogMax int
	// ep is the connection (STREAM, SEQPACKET); peer is the other socket
	// (connected) or the datagram target.
	ep   *transport.Endpoint
	peer *Socket
	// recvQ receives datagrams (DGRAM).
	recvQ          *transport.Queue
	shutRD, shutWR bool
	closed         bool
	// peerSpace forwards room in a datagram peer's queue to our waiters.
	peerSpace *waiter.Entry

	peerCreds, listenCreds transport.Creds
	hasPeerCreds           bool
}

var _ socket.Socket = (*Socket)(nil)

func newSocket(t *kernel.Task, typ int) *Socket {
	s := &Socket{}
	s.Init(t, linux.AF_UNIX, typ, 0, socket.DefaultBuf, socket.DefaultBuf)
	s.Release = s.release
	s.owner = socket.Creds(t, false)
	if typ == linux.SOCK_DGRAM {
		s.recvQ = transport.NewQueue(false, socket.DefaultBuf, maxDgramQlen, &s.Q, nil)
	}
	s.OnBufChange = func(snd, rcv int) {
		connMu.Lock()
		ep := s.ep
		connMu.Unlock()
		if ep != nil {
			ep.SetSendLimit(snd)
		}
	}
	return s
}

// maxDgramQlen is net.unix.max_dgram_qlen.
const maxDgramQlen = 512

func (s *Socket) sndBufLimit() int {
	snd, _ := s.Bufs()
	return snd
}

func (s *Socket) endpoint() *transport.Endpoint {
	connMu.Lock()
	defer connMu.Unlock()
	return s.ep
}

func (s *Socket) release() {
	connMu.Lock()
	s.closed = true
	s.unnameLocked()
	pending := s.backlog
	s.backlog = nil
	s.listening = false
	ep := s.ep
	if s.peerSpace != nil && s.peer != nil {
		s.peer.recvQ.Space.EventUnregister(s.peerSpace)
		s.peerSpace = nil
	}
	connMu.Unlock()
	for _, p := range pending {
		p.ep.Close(true)
		p.DecRef()
	}
	if ep != nil {
		ep.Close(false)
	}
	if s.recvQ != nil {
		s.recvQ.Purge()
		s.recvQ.Space.Notify(waiter.EventOut | waiter.EventErr)
	}
	s.ReleaseBase()
}

func (s *Socket) unnameLocked() {
	if s.fileKey != nil && byFile[*s.fileKey] == s {
		delete(byFile, *s.fileKey)
	}
	if s.abstract != "" && byAbstract[s.abstract] == s {
		delete(byAbstract, s.abstract)
	}
}

// Name parsing. A sockaddr_un is sun_family (2 bytes) and sun_path (108).
const (
	familyLen = 2
	maxAddr   = familyLen + 108
)

type name struct {
	path     string // filesystem path, or
	abstract string // abstract name (without the leading NUL)
	isAbs    bool
}

// parseName decodes a sockaddr_un of a bind, connect or sendto. autobind
// reports a bare family (bind only).
func parseName(raw []byte) (n name, autobind bool, err error) {
	if len(raw) < familyLen || len(raw) > maxAddr {
		return n, false, linux.EINVAL
	}
	if int(raw[0])|int(raw[1])<<8 != linux.AF_UNIX {
		return n, false, linux.EINVAL
	}
	p := raw[familyLen:]
	if len(p) == 0 {
		return n, true, nil
	}
	if p[0] == 0 {
		return name{abstract: string(p[1:]), isAbs: true}, false, nil
	}
	for i, c := range p {
		if c == 0 {
			p = p[:i]
			break
		}
	}
	return name{path: string(p)}, false, nil
}

func encodePath(path string) []byte {
	b := []byte{linux.AF_UNIX, 0}
	b = append(b, path...)
	return append(b, 0)
}

func encodeAbstract(n string) []byte {
	b := []byte{linux.AF_UNIX, 0, 0}
	return append(b, n...)
}

// unnamed is the sockaddr of a socket without a name.
var unnamed = []byte{linux.AF_UNIX, 0}

func vfsKey(st *linux.Stat_t) fileKey { return fileKey{dev: st.Dev, ino: st.Ino} }

// Bind implements socket.Socket.
func (s *Socket) Bind(t *kernel.Task, raw []byte) error {
	n, auto, err := parseName(raw)
	if err != nil {
		return err
	}
	connMu.Lock()
	bound := s.addr != nil
	connMu.Unlock()
	if bound {
		return linux.EINVAL
	}
	if auto {
		connMu.Lock()
		defer connMu.Unlock()
		if s.addr != nil {
			return linux.EINVAL
		}
		return s.autobindLocked()
	}
	if n.isAbs {
		connMu.Lock()
		defer connMu.Unlock()
		if s.addr != nil {
			return linux.EINVAL
		}
		if _, ok := byAbstract[n.abstract]; ok {
			return linux.EADDRINUSE
		}
		byAbstract[n.abstract] = s
		s.abstract = n.abstract
		s.addr = encodeAbstract(n.abstract)
		return nil
	}
	if t == nil {
		return linux.EINVAL
	}
	v := t.Kernel().VFS
	ctx := t.VFSContext()
	if err := v.MknodAt(ctx, vfs.VirtualDentry{}, n.path, linux.S_IFSOCK|0o777, 0); err != nil {
		if err == linux.EEXIST {
			return linux.EADDRINUSE
		}
		return err
	}
	vd, err := v.Resolve(ctx, vfs.VirtualDentry{}, n.path, vfs.ResolveOptions{})
	if err != nil {
		return err
	}
	var st linux.Stat_t
	if err := vd.Inode().Stat(&st); err != nil {
		return err
	}
	k := vfsKey(&st)
	connMu.Lock()
	defer connMu.Unlock()
	if s.addr != nil {
		return linux.EINVAL
	}
	byFile[k] = s
	s.fileKey = &k
	s.addr = encodePath(n.path)
	return nil
}

// autobindLocked gives s an abstract name of five hex digits.
func (s *Socket) autobindLocked() error {
	for i := 0; i < 0xfffff; i++ {
		autoNext = (autoNext + 1) & 0xfffff
		n := fmt.Sprintf("%05x", autoNext)
		if _, ok := byAbstract[n]; ok {
			continue
		}
		byAbstract[n] = s
		s.abstract = n
		s.addr = encodeAbstract(n)
		return nil
	}
	return linux.ENOSPC
}

// lookup finds the socket named by raw (connect, sendto).
func lookup(t *kernel.Task, raw []byte) (*Socket, error) {
	n, auto, err := parseName(raw)
	if err != nil {
		return nil, err
	}
	if auto {
		return nil, linux.EINVAL
	}
	if n.isAbs {
		connMu.Lock()
		defer connMu.Unlock()
		if o := byAbstract[n.abstract]; o != nil {
			return o, nil
		}
		return nil, linux.ECONNREFUSED
	}
	if t == nil {
		return nil, linux.ECONNREFUSED
	}
	v := t.Kernel().VFS
	ctx := t.VFSContext()
	vd, err := v.Resolve(ctx, vfs.VirtualDentry{}, n.path, vfs.ResolveOptions{Follow: true})
	if err != nil {
		return nil, err
	}
	if err := vfs.MayAccess(ctx.Creds, vd.Inode(), vfs.MayWrite); err != nil {
		return nil, err
	}
	var st linux.Stat_t
	if err := vd.Inode().Stat(&st); err != nil {
		return nil, err
	}
	if st.Mode&linux.S_IFMT != linux.S_IFSOCK {
		return nil, linux.ECONNREFUSED
	}
	connMu.Lock()
	defer connMu.Unlock()
	if o := byFile[vfsKey(&st)]; o != nil {
		return o, nil
	}
	return nil, linux.ECONNREFUSED
}

// Listen implements socket.Socket.
func (s *Socket) Listen(t *kernel.Task, backlog int) error {
	if s.Type() == linux.SOCK_DGRAM {
		return linux.EOPNOTSUPP
	}
	connMu.Lock()
	defer connMu.Unlock()
	if s.addr == nil || s.ep != nil {
		return linux.EINVAL
	}
	s.backlogMax = backlog
	if !s.listening {
		s.listening = true
		s.listenCreds = socket.Creds(t, true)
	}
	s.Q.Notify(waiter.EventOut)
	return nil
}

// Accept implements socket.Socket.
func (s *Socket) Accept(t *kernel.Task, flags int) (socket.Socket, error) {
	if s.Type() == linux.SOCK_DGRAM {
		return nil, linux.EOPNOTSUPP
	}
	var n *Socket
	err := socket.Wait(t, s, waiter.EventIn, s.Nonblocking(0), s.Deadline(false), func() error {
		connMu.Lock()
		defer connMu.Unlock()
		if !s.listening {
			return linux.EINVAL
		}
		if len(s.backlog) == 0 {
			return linux.EAGAIN
		}
		n = s.backlog[0]
		s.backlog = s.backlog[1:]
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Room in the backlog for blocked connectors.
	s.Q.Notify(waiter.EventOut)
	if flags&linux.SOCK_NONBLOCK != 0 {
		n.SetStatusFlags(linux.O_NONBLOCK)
	}
	return n, nil
}

// Connect implements socket.Socket.
func (s *Socket) Connect(t *kernel.Task, raw []byte) error {
	if len(raw) >= familyLen && raw[0] == linux.AF_UNSPEC && raw[1] == 0 && s.Type() == linux.SOCK_DGRAM {
		connMu.Lock()
		s.disconnectDgramLocked()
		connMu.Unlock()
		return nil
	}
	if s.PassCred() {
		connMu.Lock()
		if s.addr == nil {
			s.autobindLocked()
		}
		connMu.Unlock()
	}
	if s.Type() == linux.SOCK_DGRAM {
		o, err := lookup(t, raw)
		if err != nil {
			return err
		}
		if o.Type() != s.Type() {
			return linux.EPROTOTYPE
		}
		connMu.Lock()
		defer connMu.Unlock()
		if o.closed {
			return linux.ECONNREFUSED
		}
		s.disconnectDgramLocked()
		s.connectDgramLocked(o)
		s.peerCreds, s.hasPeerCreds = o.owner, true
		return nil
	}
	nonblock := s.Nonblocking(0)
	deadline := s.Deadline(true)
	var (
		entry  *waiter.Entry
		waitOn *Socket
	)
	defer func() {
		if entry != nil {
			waitOn.EventUnregister(entry)
		}
	}()
	for {
		l, err := lookup(t, raw)
		if err != nil {
			return err
		}
		full, err := s.connectTo(t, l)
		if !full {
			return err
		}
		if nonblock {
			return linux.EAGAIN
		}
		if waitOn != l {
			if entry != nil {
				waitOn.EventUnregister(entry)
			}
			entry = waiter.NewChannelEntry(waiter.EventOut | waiter.EventHUp | waiter.EventErr)
			waitOn = l
			l.EventRegister(entry)
			continue // retry before sleeping
		}
		if berr := t.Block(entry.C, deadline); berr != nil {
			if berr == kernel.ErrTimedOut {
				return linux.EAGAIN
			}
			if !deadline.IsZero() {
				return linux.EINTR
			}
			return berr
		}
	}
}

// connectTo connects a STREAM or SEQPACKET socket to listener l; full
// reports a full backlog (try again).
func (s *Socket) connectTo(t *kernel.Task, l *Socket) (full bool, err error) {
	if l.Type() != s.Type() {
		return false, linux.EPROTOTYPE
	}
	connMu.Lock()
	defer connMu.Unlock()
	if s.ep != nil {
		return false, linux.EISCONN
	}
	if s.listening {
		return false, linux.EINVAL
	}
	if !l.listening || l.closed {
		return false, linux.ECONNREFUSED
	}
	if len(l.backlog) > l.backlogMax {
		return true, nil
	}
	n := newSocket(nil, s.Type())
	n.InheritFrom(&l.Base)
	n.owner = l.owner
	n.ep, s.ep = transport.NewPair(&n.Q, &s.Q, transport.PairOptions{
		Stream: s.Type() == linux.SOCK_STREAM,
		LimitA: s.sndBufLimit(), LimitB: n.sndBufLimit(),
	})
	n.peer, s.peer = s, n
	n.addr = l.addr
	n.peerCreds, n.hasPeerCreds = socket.Creds(t, true), true
	s.peerCreds, s.hasPeerCreds = l.listenCreds, true
	l.backlog = append(l.backlog, n)
	l.Q.Notify(waiter.EventIn | waiter.EventRdNorm)
	s.Q.Notify(waiter.EventOut | waiter.EventWrNorm)
	return false, nil
}

// connectDgramLocked makes o the datagram peer of s.
func (s *Socket) connectDgramLocked(o *Socket) {
	s.peer = o
	q := &s.Q
	s.peerSpace = &waiter.Entry{Mask: waiter.EventOut, Callback: func(_ *waiter.Entry, m waiter.EventMask) {
		q.Notify(m & (waiter.EventOut | waiter.EventWrNorm))
	}}
	o.recvQ.Space.EventRegister(s.peerSpace)
}

func (s *Socket) disconnectDgramLocked() {
	if s.peer != nil && s.peerSpace != nil {
		s.peer.recvQ.Space.EventUnregister(s.peerSpace)
	}
	s.peer, s.peerSpace = nil, nil
}

// SockName implements socket.Socket.
func (s *Socket) SockName() []byte {
	connMu.Lock()
	defer connMu.Unlock()
	if s.addr == nil {
		return unnamed
	}
	return s.addr
}

// PeerName implements socket.Socket.
func (s *Socket) PeerName() ([]byte, error) {
	connMu.Lock()
	defer connMu.Unlock()
	if s.peer == nil {
		return nil, linux.ENOTCONN
	}
	if s.peer.addr == nil {
		return unnamed, nil
	}
	return s.peer.addr, nil
}

// Shutdown implements socket.Socket.
func (s *Socket) Shutdown(t *kernel.Task, how int) error {
	if how < linux.SHUT_RD || how > linux.SHUT_RDWR {
		return linux.EINVAL
	}
	rd := how == linux.SHUT_RD || how == linux.SHUT_RDWR
	wr := how == linux.SHUT_WR || how == linux.SHUT_RDWR
	connMu.Lock()
	ep := s.ep
	s.shutRD = s.shutRD || rd
	s.shutWR = s.shutWR || wr
	connMu.Unlock()
	if ep != nil {
		ep.Shutdown(rd, wr)
	}
	s.Q.Notify(waiter.AllEvents &^ waiter.EventFree)
	return nil
}
