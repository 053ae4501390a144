package transport

import (
	"testing"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/waiter"
)

func bufs(ss ...string) [][]byte {
	var b [][]byte
	for _, s := range ss {
		b = append(b, []byte(s))
	}
	return b
}

func TestStreamCoalescesAndLimits(t *testing.T) {
	var r, w waiter.Queue
	q := NewQueue(true, 8, 0, &r, &w)
	if n, err := q.Enqueue(bufs("abc", "de"), nil, nil); n != 5 || err != nil {
		t.Fatalf("enqueue: %d %v", n, err)
	}
	if n, err := q.Enqueue(bufs("fghij"), nil, nil); n != 3 || err != nil {
		t.Fatalf("partial enqueue: %d %v, want 3", n, err)
	}
	if _, err := q.Enqueue(bufs("x"), nil, nil); err != unix.EAGAIN {
		t.Fatalf("full: %v, want EAGAIN", err)
	}
	dst := make([]byte, 6)
	res, ok := q.Dequeue([][]byte{dst}, true)
	if !ok || res.N != 6 || string(dst) != "abcdef" {
		t.Fatalf("peek: %+v %q", res, dst)
	}
	dst = make([]byte, 10)
	res, _ = q.Dequeue([][]byte{dst[:4], dst[4:]}, false)
	if res.N != 8 || string(dst[:8]) != "abcdefgh" {
		t.Fatalf("read: %d %q", res.N, dst)
	}
	if _, ok := q.Dequeue([][]byte{dst}, false); ok {
		t.Fatal("empty queue dequeued")
	}
}

func TestMessagesKeepBoundaries(t *testing.T) {
	q := NewQueue(false, 100, 2, nil, nil)
	q.Enqueue(bufs("one"), "a", nil)
	q.Enqueue(bufs("three"), "b", nil)
	if _, err := q.Enqueue(bufs("x"), nil, nil); err != unix.EAGAIN {
		t.Fatalf("message count limit: %v", err)
	}
	dst := make([]byte, 16)
	res, _ := q.Dequeue([][]byte{dst}, false)
	if res.N != 3 || res.MsgLen != 3 || res.From != "a" {
		t.Fatalf("first: %+v", res)
	}
	res, _ = q.Dequeue([][]byte{dst[:2]}, false)
	if res.N != 2 || res.MsgLen != 5 || string(dst[:2]) != "th" {
		t.Fatalf("truncated: %+v", res)
	}
	if q.Used() != 0 {
		t.Fatalf("used %d after reading everything", q.Used())
	}
}

func TestRightsStopStreamReads(t *testing.T) {
	q := NewQueue(true, 100, 0, nil, nil)
	q.Enqueue(bufs("ab"), nil, nil)
	ctl := Control{Creds: &Creds{PID: 1}}
	q.Enqueue(bufs("cd"), nil, &ctl)
	dst := make([]byte, 10)
	res, _ := q.Dequeue([][]byte{dst}, false)
	if res.N != 2 {
		t.Fatalf("read across a credentials change: %d", res.N)
	}
	res, _ = q.Dequeue([][]byte{dst}, false)
	if res.N != 2 || res.Control.Creds == nil || res.Control.Creds.PID != 1 {
		t.Fatalf("second read: %+v", res)
	}
}

func TestEndpointShutdownAndClose(t *testing.T) {
	var qa, qb waiter.Queue
	a, b := NewPair(&qa, &qb, PairOptions{Stream: true, LimitA: 64, LimitB: 64})
	e := waiter.NewChannelEntry(waiter.EventIn)
	qb.EventRegister(e)
	if n, err := a.Send(bufs("hello"), nil, nil); n != 5 || err != nil {
		t.Fatalf("send: %d %v", n, err)
	}
	select {
	case <-e.C:
	default:
		t.Fatal("reader not notified")
	}
	if b.Readiness(waiter.EventIn) == 0 {
		t.Fatal("not readable")
	}
	a.Shutdown(false, true)
	if _, err := a.Send(bufs("x"), nil, nil); err != unix.EPIPE {
		t.Fatalf("send after SHUT_WR: %v", err)
	}
	dst := make([]byte, 10)
	res, eof, err := b.Recv([][]byte{dst}, false)
	if res.N != 5 || eof || err != nil {
		t.Fatalf("recv: %+v %v %v", res, eof, err)
	}
	if _, eof, _ := b.Recv([][]byte{dst}, false); !eof {
		t.Fatal("no EOF after the peer's SHUT_WR")
	}
	if b.Readiness(waiter.EventRdHUp) == 0 {
		t.Fatal("no RDHUP")
	}
	// b can still write to a; a closes with unread data: b gets ECONNRESET.
	b.Send(bufs("unread"), nil, nil)
	a.Close(false)
	if _, _, err := b.Recv([][]byte{dst}, false); err != unix.ECONNRESET {
		t.Fatalf("after reset: %v, want ECONNRESET", err)
	}
	if _, err := b.Send(bufs("x"), nil, nil); err != unix.EPIPE {
		t.Fatalf("send to closed: %v, want EPIPE", err)
	}
	if b.Readiness(waiter.EventHUp) == 0 {
		t.Fatal("no HUP after close")
	}
}

func TestTCPWriteAfterPeerClose(t *testing.T) {
	var qa, qb waiter.Queue
	a, b := NewPair(&qa, &qb, PairOptions{Stream: true, TCP: true, LimitA: 64, LimitB: 64})
	b.Close(false)
	if n, err := a.Send(bufs("x"), nil, nil); n != 1 || err != nil {
		t.Fatalf("first write after FIN: %d %v, want success", n, err)
	}
	if _, err := a.Send(bufs("x"), nil, nil); err != unix.EPIPE {
		t.Fatalf("second write: %v, want EPIPE", err)
	}
}
