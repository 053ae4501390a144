package unix

import (
	"testing"

	linux "golang.org/x/sys/unix"

	"stockade.dev/sentry/socket"
)

func TestAbstractStream(t *testing.T) {
	l := newSocket(nil, linux.SOCK_STREAM)
	defer l.DecRef()
	name := encodeAbstract("stockade-test")
	if err := l.Bind(nil, name); err != nil {
		t.Fatal(err)
	}
	other := newSocket(nil, linux.SOCK_STREAM)
	defer other.DecRef()
	if err := other.Bind(nil, name); err != linux.EADDRINUSE {
		t.Fatalf("second bind: %v", err)
	}
	c := newSocket(nil, linux.SOCK_STREAM)
	defer c.DecRef()
	if err := c.Connect(nil, name); err != linux.ECONNREFUSED {
		t.Fatalf("connect before listen: %v", err)
	}
	l.Listen(nil, 0)
	if err := c.Connect(nil, name); err != nil {
		t.Fatal(err)
	}
	// Backlog 0 admits one pending connection; the next one must wait.
	c2 := newSocket(nil, linux.SOCK_STREAM)
	defer c2.DecRef()
	c2.SetStatusFlags(linux.O_NONBLOCK)
	if err := c2.Connect(nil, name); err != linux.EAGAIN {
		t.Fatalf("connect to a full backlog: %v", err)
	}
	s, err := l.Accept(nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.DecRef()
	if got := string(s.SockName()[3:]); got != "stockade-test" {
		t.Fatalf("accepted socket name %q", got)
	}
	if n, err := c.Write([][]byte{[]byte("hi")}, -1); n != 2 || err != nil {
		t.Fatalf("write: %d %v", n, err)
	}
	buf := make([]byte, 4)
	if n, err := s.Read([][]byte{buf}, -1); n != 2 || err != nil {
		t.Fatalf("read: %d %v", n, err)
	}
}

func TestAutobindAndPair(t *testing.T) {
	s := newSocket(nil, linux.SOCK_DGRAM)
	defer s.DecRef()
	if err := s.Bind(nil, []byte{linux.AF_UNIX, 0}); err != nil {
		t.Fatal(err)
	}
	if n := s.SockName(); len(n) != 8 || n[2] != 0 {
		t.Fatalf("autobind name %q", n)
	}
	a, b, err := family{}.Pair(nil, linux.SOCK_SEQPACKET, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer a.DecRef()
	a.Send(nil, [][]byte{[]byte("record")}, &socket.SendOpts{})
	buf := make([]byte, 3)
	res, err := b.Recv(nil, [][]byte{buf}, 0)
	if err != nil || res.N != 3 || res.Flags&linux.MSG_TRUNC == 0 {
		t.Fatalf("seqpacket: %+v %v", res, err)
	}
	b.DecRef()
	if _, err := a.Send(nil, [][]byte{[]byte("x")}, &socket.SendOpts{}); err != linux.EPIPE {
		t.Fatalf("send to closed peer: %v", err)
	}
}
