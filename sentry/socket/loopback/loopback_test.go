package loopback

import (
	"encoding/binary"
	"net/netip"
	"testing"

	linux "golang.org/x/sys/unix"

	"stockade.dev/sentry/socket"
)

func v4addr(a string, port uint16) []byte {
	return encode(false, netip.AddrPortFrom(netip.MustParseAddr(a), port))
}

func v6addr(a string, port uint16) []byte {
	return encode(true, netip.AddrPortFrom(netip.MustParseAddr(a), port))
}

func port(sa []byte) uint16 { return binary.BigEndian.Uint16(sa[2:]) }

func newTCP(t *testing.T, v6 bool) *Socket {
	t.Helper()
	s := newSocket(nil, v6, linux.SOCK_STREAM, linux.IPPROTO_TCP)
	t.Cleanup(s.DecRef)
	return s
}

func TestTCPConnectAcceptTransfer(t *testing.T) {
	l := newTCP(t, false)
	if err := l.Bind(nil, v4addr("127.0.0.1", 0)); err != nil {
		t.Fatal(err)
	}
	p := port(l.SockName())
	if p < ephemeralLow || p > ephemeralHigh {
		t.Fatalf("ephemeral port %d outside the range", p)
	}
	if err := l.Listen(nil, 1); err != nil {
		t.Fatal(err)
	}
	c := newTCP(t, false)
	if err := c.Connect(nil, v4addr("127.0.0.1", p)); err != nil {
		t.Fatalf("connect: %v", err)
	}
	if c.Readiness(0xffff)&linux.POLLOUT == 0 {
		t.Fatal("connected socket not writable")
	}
	ns, err := l.Accept(nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.DecRef()
	peer, _ := ns.PeerName()
	if port(peer) != port(c.SockName()) {
		t.Fatalf("accepted peer port %d, client port %d", port(peer), port(c.SockName()))
	}
	if n, err := c.Send(nil, [][]byte{[]byte("ping")}, &socket.SendOpts{}); n != 4 || err != nil {
		t.Fatalf("send: %d %v", n, err)
	}
	buf := make([]byte, 8)
	res, err := ns.Recv(nil, [][]byte{buf}, 0)
	if err != nil || string(buf[:res.N]) != "ping" {
		t.Fatalf("recv: %v %q", err, buf[:res.N])
	}
	if _, err := ns.Recv(nil, [][]byte{buf}, 0); err != linux.EAGAIN {
		t.Fatalf("empty recv: %v", err)
	}
	c.Shutdown(nil, linux.SHUT_WR)
	if res, err := ns.Recv(nil, [][]byte{buf}, 0); err != nil || res.N != 0 {
		t.Fatalf("EOF: %v %d", err, res.N)
	}
}

func TestTCPErrors(t *testing.T) {
	a := newTCP(t, false)
	if err := a.Bind(nil, v4addr("127.0.0.1", 0)); err != nil {
		t.Fatal(err)
	}
	p := port(a.SockName())
	b := newTCP(t, false)
	if err := b.Bind(nil, v4addr("0.0.0.0", p)); err != linux.EADDRINUSE {
		t.Fatalf("overlapping bind: %v", err)
	}
	if err := b.Bind(nil, v4addr("10.0.0.1", 0)); err != linux.EADDRNOTAVAIL {
		t.Fatalf("foreign address: %v", err)
	}
	c := newTCP(t, false)
	c.SetStatusFlags(linux.O_NONBLOCK)
	if err := c.Connect(nil, v4addr("8.8.8.8", 53)); err != linux.ENETUNREACH {
		t.Fatalf("off-host connect: %v", err)
	}
	if err := c.Connect(nil, v4addr("127.0.0.1", p)); err != linux.EINPROGRESS {
		t.Fatalf("connect to bound but not listening: %v", err)
	}
	v, _ := c.GetSockOpt(nil, linux.SOL_SOCKET, linux.SO_ERROR, 4)
	if e, _ := socket.ParseInt(v); e != int(linux.ECONNREFUSED) {
		t.Fatalf("SO_ERROR %d, want ECONNREFUSED", e)
	}
	// SO_REUSEADDR on both, neither listening: shared.
	x, y := newTCP(t, false), newTCP(t, false)
	one := socket.Int(1)
	x.SetSockOpt(nil, linux.SOL_SOCKET, linux.SO_REUSEADDR, one)
	y.SetSockOpt(nil, linux.SOL_SOCKET, linux.SO_REUSEADDR, one)
	if err := x.Bind(nil, v4addr("127.0.0.1", 0)); err != nil {
		t.Fatal(err)
	}
	if err := y.Bind(nil, v4addr("127.0.0.1", port(x.SockName()))); err != nil {
		t.Fatalf("SO_REUSEADDR bind: %v", err)
	}
}

func TestDualStack(t *testing.T) {
	l := newTCP(t, true)
	if err := l.Bind(nil, v6addr("::", 0)); err != nil {
		t.Fatal(err)
	}
	l.Listen(nil, 4)
	p := port(l.SockName())
	c := newTCP(t, false)
	if err := c.Connect(nil, v4addr("127.0.0.1", p)); err != nil {
		t.Fatalf("v4 to a dual-stack listener: %v", err)
	}
	ns, err := l.Accept(nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.DecRef()
	peer, _ := ns.PeerName()
	if len(peer) != 28 || netip.AddrFrom16([16]byte(peer[8:24])).String() != "::ffff:127.0.0.1" {
		t.Fatalf("peer of a v4 client on a v6 socket: %v", peer)
	}
	v6only := newTCP(t, true)
	v6only.SetSockOpt(nil, linux.IPPROTO_IPV6, linux.IPV6_V6ONLY, socket.Int(1))
	if err := v6only.Bind(nil, v6addr("::", 0)); err != nil {
		t.Fatal(err)
	}
	v4 := newTCP(t, false)
	if err := v4.Bind(nil, v4addr("0.0.0.0", port(v6only.SockName()))); err != nil {
		t.Fatalf("v4 bind beside a v6-only socket: %v", err)
	}
}

func TestUDP(t *testing.T) {
	a := newSocket(nil, false, linux.SOCK_DGRAM, linux.IPPROTO_UDP)
	defer a.DecRef()
	b := newSocket(nil, false, linux.SOCK_DGRAM, linux.IPPROTO_UDP)
	defer b.DecRef()
	a.Bind(nil, v4addr("127.0.0.1", 0))
	to := a.SockName()
	for _, m := range []string{"first", "2nd"} {
		if n, err := b.Send(nil, [][]byte{[]byte(m)}, &socket.SendOpts{To: to}); n != len(m) || err != nil {
			t.Fatalf("sendto: %d %v", n, err)
		}
	}
	buf := make([]byte, 3)
	res, err := a.Recv(nil, [][]byte{buf}, 0)
	if err != nil || res.N != 3 || res.MsgLen != 5 || res.Flags&linux.MSG_TRUNC == 0 {
		t.Fatalf("truncated datagram: %+v %v", res, err)
	}
	if port(res.From) != port(b.SockName()) {
		t.Fatal("wrong sender port")
	}
	res, _ = a.Recv(nil, [][]byte{buf}, 0)
	if string(buf[:res.N]) != "2nd" {
		t.Fatalf("second datagram %q", buf[:res.N])
	}
	// A connected socket sending to nobody: ECONNREFUSED on the next call.
	c := newSocket(nil, false, linux.SOCK_DGRAM, linux.IPPROTO_UDP)
	defer c.DecRef()
	c.Connect(nil, v4addr("127.0.0.1", 9))
	c.Send(nil, [][]byte{[]byte("x")}, nil)
	if _, err := c.Send(nil, [][]byte{[]byte("x")}, nil); err != linux.ECONNREFUSED {
		t.Fatalf("second send: %v", err)
	}
}
