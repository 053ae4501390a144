package loopback

import (
	"net/netip"

	linux "golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/socket"
	"stockade.dev/sentry/socket/transport"
	"stockade.dev/sentry/waiter"
)

// Linux's TCP buffer defaults (tcp_wmem[1], tcp_rmem[1]).
const (
	tcpSndBuf = 16384
	tcpRcvBuf = 131072
	// tcpWindow is how much a connection buffers one way when the
	// receiver did not set SO_RCVBUF (Linux autotunes up to megabytes).
	tcpWindow = 1 << 20
	// maxUDP is the largest UDP payload over IPv4.
	maxUDP = 65507
)

// Socket is an AF_INET or AF_INET6 socket.
type Socket struct {
	socket.Base
	v6 bool

	// Guarded by mu.
	v6only bool
	bind   *binding
	// local is the address in use once connected (or bound to a
	// specific address); remote the peer.
	local, remote netip.AddrPort
	connected     bool
	listening     bool
	backlog       []*Socket
	backlogMax    int
	// refused marks a TCP connect that failed (poll: OUT|ERR|HUP).
	refused bool
	// rcvLocked: SO_RCVBUF was set, so it bounds the receive queue.
	rcvLocked bool
	ep        *transport.Endpoint
	// recvQ receives datagrams (UDP).
	recvQ          *transport.Queue
	shutRD, shutWR bool
	opts           map[optKey]int
}

var _ socket.Socket = (*Socket)(nil)

func (s *Socket) udp() bool { return s.Type() == linux.SOCK_DGRAM }

func newSocket(t *kernel.Task, v6 bool, typ, proto int) *Socket {
	s := &Socket{v6: v6}
	fam := linux.AF_INET
	if v6 {
		fam = linux.AF_INET6
	}
	snd, rcv := tcpSndBuf, tcpRcvBuf
	if typ == linux.SOCK_DGRAM {
		snd, rcv = socket.DefaultBuf, socket.DefaultBuf
		s.recvQ = transport.NewQueue(false, rcv, 0, &s.Q, nil)
	}
	s.Init(t, fam, typ, proto, snd, rcv)
	s.Release = s.release
	s.OnBufChange = func(snd, rcv int) {
		mu.Lock()
		s.rcvLocked = true
		ep, q := s.ep, s.recvQ
		mu.Unlock()
		if ep != nil {
			ep.SetRecvLimit(rcv)
		}
		if q != nil {
			q.SetLimit(rcv)
		}
	}
	return s
}

func (s *Socket) release() {
	mu.Lock()
	if s.bind != nil {
		removeBindingLocked(s.bind, s.udp())
		s.bind = nil
	}
	pending := s.backlog
	s.backlog = nil
	s.listening = false
	ep := s.ep
	mu.Unlock()
	for _, p := range pending {
		p.ep.Close(true)
		p.DecRef()
	}
	if ep != nil {
		_, lg := s.lingerZero()
		ep.Close(lg)
	}
	if s.recvQ != nil {
		s.recvQ.Purge()
	}
	s.ReleaseBase()
}

// lingerZero reports SO_LINGER with a zero timeout (close resets).
func (s *Socket) lingerZero() ([]byte, bool) {
	v, err := s.GetBaseOpt(nil, linux.SOL_SOCKET, linux.SO_LINGER, false)
	if err != nil {
		return nil, false
	}
	on := v[0] | v[1] | v[2] | v[3]
	tm := v[4] | v[5] | v[6] | v[7]
	return v, on != 0 && tm == 0
}

// newBindingLocked makes the binding for address a (wildcard if any).
func (s *Socket) newBindingLocked(t *kernel.Task, a netip.Addr, any bool, port uint16) *binding {
	ra, rp := s.Reuse()
	b := &binding{s: s, port: port, any: any, addr: a, reuseAddr: ra, reusePort: rp, uid: s.Owner()}
	switch {
	case !s.v6:
		b.v4 = true
	case any && a.Is6():
		b.v6, b.v4 = true, !s.v6only
	case a.Is4():
		b.v4 = true
	default:
		b.v6 = true
	}
	return b
}

// Bind implements socket.Socket.
func (s *Socket) Bind(t *kernel.Task, raw []byte) error {
	sa, err := parse(s.v6, raw)
	if err != nil {
		return err
	}
	a := sa.ap.Addr()
	if sa.unspec {
		if s.v6 || a != v4Any {
			return linux.EAFNOSUPPORT
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if s.bind != nil || s.connected {
		return linux.EINVAL
	}
	if sa.mapped && s.v6only {
		return linux.EINVAL
	}
	any := a.IsUnspecified()
	if !any && !isLoopback(a) {
		return linux.EADDRNOTAVAIL
	}
	if any && sa.mapped {
		a = v4Any
	}
	b := s.newBindingLocked(t, a, any, sa.ap.Port())
	if b.port == 0 {
		if err := ephemeralLocked(b, s.udp()); err != nil {
			return err
		}
	} else {
		if b.port < 1024 && t != nil && !t.HasCap(linux.CAP_NET_BIND_SERVICE) {
			return linux.EACCES
		}
		if conflictsLocked(b, s.udp()) {
			return linux.EADDRINUSE
		}
	}
	addBindingLocked(b, s.udp())
	s.bind = b
	if !any {
		s.local = netip.AddrPortFrom(a, b.port)
	}
	return nil
}

// autobindLocked binds an unbound socket to the wildcard address and an
// ephemeral port.
func (s *Socket) autobindLocked(t *kernel.Task) error {
	if s.bind != nil {
		return nil
	}
	a := v4Any
	if s.v6 {
		a = v6Any
	}
	b := s.newBindingLocked(t, a, true, 0)
	if err := ephemeralLocked(b, s.udp()); err != nil {
		return err
	}
	addBindingLocked(b, s.udp())
	s.bind = b
	return nil
}

// sourceFor is the local address used to reach dst.
func (s *Socket) sourceForLocked(dst netip.Addr) netip.Addr {
	if s.bind != nil && !s.bind.any {
		return s.bind.addr
	}
	if dst.Is4() {
		return v4Loopback
	}
	return v6Loopback
}

// destination normalizes a connect/sendto address: the unspecified
// address means this host; anything off loopback is unreachable.
func (s *Socket) destinationLocked(sa sockaddr) (netip.AddrPort, error) {
	a := sa.ap.Addr()
	if a.IsUnspecified() {
		if a.Is4() {
			a = v4Loopback
		} else {
			a = v6Loopback
		}
	}
	if a.Is4() && s.v6 && s.v6only {
		return netip.AddrPort{}, linux.ENETUNREACH
	}
	if !isLoopback(a) {
		return netip.AddrPort{}, linux.ENETUNREACH
	}
	return netip.AddrPortFrom(a, sa.ap.Port()), nil
}

// Listen implements socket.Socket.
func (s *Socket) Listen(t *kernel.Task, backlog int) error {
	if s.udp() {
		return linux.EOPNOTSUPP
	}
	mu.Lock()
	defer mu.Unlock()
	if s.connected || s.ep != nil {
		return linux.EINVAL
	}
	if err := s.autobindLocked(t); err != nil {
		return err
	}
	if !s.listening {
		// Another listener on an overlapping address holds the port
		// unless both share it with SO_REUSEPORT.
		for _, o := range ports[portKey{false, s.bind.port}] {
			if o.s != s && o.s.listening && s.bind.overlaps(o) && !(s.bind.reusePort && o.reusePort && s.bind.uid == o.uid) {
				return linux.EADDRINUSE
			}
		}
	}
	s.listening = true
	s.backlogMax = backlog
	s.refused = false
	return nil
}

// findListenerLocked returns the listening socket for dst, preferring a
// specific address over a wildcard.
func findListenerLocked(dst netip.AddrPort) *Socket {
	var best *Socket
	for _, b := range ports[portKey{false, dst.Port()}] {
		if !b.s.listening || !b.accepts(dst.Addr()) {
			continue
		}
		if !b.any {
			return b.s
		}
		if best == nil {
			best = b.s
		}
	}
	return best
}

// Accept implements socket.Socket.
func (s *Socket) Accept(t *kernel.Task, flags int) (socket.Socket, error) {
	if s.udp() {
		return nil, linux.EOPNOTSUPP
	}
	var n *Socket
	err := socket.Wait(t, s, waiter.EventIn, s.Nonblocking(0), s.Deadline(false), func() error {
		mu.Lock()
		defer mu.Unlock()
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
	s.Q.Notify(waiter.EventOut)
	if flags&linux.SOCK_NONBLOCK != 0 {
		n.SetStatusFlags(linux.O_NONBLOCK)
	}
	return n, nil
}

// Connect implements socket.Socket.
func (s *Socket) Connect(t *kernel.Task, raw []byte) error {
	sa, err := parse(s.v6, raw)
	if err != nil {
		return err
	}
	if s.udp() {
		return s.connectUDP(t, sa)
	}
	if sa.unspec {
		return linux.EAFNOSUPPORT
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
		l, err := s.connectTCP(t, sa, nonblock)
		if l == nil {
			return err
		}
		// l's backlog is full: wait for an accept.
		if waitOn != l {
			if entry != nil {
				waitOn.EventUnregister(entry)
			}
			entry = waiter.NewChannelEntry(waiter.EventOut | waiter.EventHUp | waiter.EventErr)
			waitOn = l
			l.EventRegister(entry)
			continue
		}
		if berr := t.Block(entry.C, deadline); berr != nil {
			if berr == kernel.ErrTimedOut {
				return linux.EINPROGRESS
			}
			if !deadline.IsZero() {
				return linux.EINTR
			}
			return berr
		}
	}
}

// connectTCP tries to connect; it returns the listener when its backlog
// is full and the caller should wait.
func (s *Socket) connectTCP(t *kernel.Task, sa sockaddr, nonblock bool) (*Socket, error) {
	mu.Lock()
	defer mu.Unlock()
	if s.connected || s.listening {
		return nil, linux.EISCONN
	}
	dst, err := s.destinationLocked(sa)
	if err != nil {
		return nil, err
	}
	if dst.Port() == 0 {
		return nil, linux.ECONNREFUSED
	}
	if err := s.autobindLocked(t); err != nil {
		return nil, err
	}
	s.refused = false
	l := findListenerLocked(dst)
	if l == nil {
		if nonblock {
			s.refused = true
			mu.Unlock()
			s.SetError(linux.ECONNREFUSED)
			mu.Lock()
			return nil, linux.EINPROGRESS
		}
		return nil, linux.ECONNREFUSED
	}
	if len(l.backlog) > l.backlogMax && !nonblock && t != nil {
		return l, nil
	}
	src := netip.AddrPortFrom(s.sourceForLocked(dst.Addr()), s.bind.port)
	n := newSocket(nil, l.v6, linux.SOCK_STREAM, linux.IPPROTO_TCP)
	n.InheritFrom(&l.Base)
	n.opts = cloneOpts(l.opts)
	n.rcvLocked = l.rcvLocked
	n.local, n.remote, n.connected = dst, src, true
	s.local, s.remote, s.connected = src, dst, true
	limit := func(x *Socket) int {
		if x.rcvLocked {
			_, r := x.Bufs()
			return r
		}
		return tcpWindow
	}
	s.ep, n.ep = transport.NewPair(&s.Q, &n.Q, transport.PairOptions{
		Stream: true, TCP: true, LimitA: limit(s), LimitB: limit(n),
	})
	l.backlog = append(l.backlog, n)
	l.Q.Notify(waiter.EventIn | waiter.EventRdNorm)
	s.Q.Notify(waiter.EventOut | waiter.EventWrNorm)
	if nonblock {
		return nil, linux.EINPROGRESS
	}
	return nil, nil
}

func (s *Socket) connectUDP(t *kernel.Task, sa sockaddr) error {
	mu.Lock()
	defer mu.Unlock()
	if sa.unspec {
		s.connected = false
		s.remote = netip.AddrPort{}
		if s.bind != nil && s.bind.any {
			s.local = netip.AddrPort{}
		}
		return nil
	}
	dst, err := s.destinationLocked(sa)
	if err != nil {
		return err
	}
	if err := s.autobindLocked(t); err != nil {
		return err
	}
	s.remote = dst
	s.local = netip.AddrPortFrom(s.sourceForLocked(dst.Addr()), s.bind.port)
	s.connected = true
	return nil
}

// SockName implements socket.Socket.
func (s *Socket) SockName() []byte {
	mu.Lock()
	defer mu.Unlock()
	return encode(s.v6, s.localLocked())
}

func (s *Socket) localLocked() netip.AddrPort {
	if s.local.IsValid() {
		return s.local
	}
	if s.bind != nil {
		return netip.AddrPortFrom(s.bind.addr, s.bind.port)
	}
	if s.v6 {
		return netip.AddrPortFrom(v6Any, 0)
	}
	return netip.AddrPortFrom(v4Any, 0)
}

// PeerName implements socket.Socket.
func (s *Socket) PeerName() ([]byte, error) {
	mu.Lock()
	defer mu.Unlock()
	if !s.connected {
		return nil, linux.ENOTCONN
	}
	return encode(s.v6, s.remote), nil
}

// Shutdown implements socket.Socket.
func (s *Socket) Shutdown(t *kernel.Task, how int) error {
	if how < linux.SHUT_RD || how > linux.SHUT_RDWR {
		return linux.EINVAL
	}
	rd := how == linux.SHUT_RD || how == linux.SHUT_RDWR
	wr := how == linux.SHUT_WR || how == linux.SHUT_RDWR
	mu.Lock()
	if s.listening && rd {
		// Shutting a listener's read side closes it.
		pending := s.backlog
		s.backlog, s.listening = nil, false
		mu.Unlock()
		for _, p := range pending {
			p.ep.Close(true)
			p.DecRef()
		}
		s.Q.Notify(waiter.AllEvents &^ waiter.EventFree)
		return nil
	}
	ep, connected := s.ep, s.connected
	s.shutRD = s.shutRD || rd
	s.shutWR = s.shutWR || wr
	mu.Unlock()
	if ep != nil {
		ep.Shutdown(rd, wr)
	}
	s.Q.Notify(waiter.AllEvents &^ waiter.EventFree)
	if !connected {
		return linux.ENOTCONN
	}
	return nil
}
