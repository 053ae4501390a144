package epoll

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/eventfd"
	"stockade.dev/fs/pipe"
	"stockade.dev/sentry/waiter"
)

func wait(ep *EventPoll) []Event {
	evs := make([]Event, 8)
	return evs[:ep.ReadEvents(evs)]
}

func bump(e *eventfd.EventFD, v uint64) {
	var b [8]byte
	binary.NativeEndian.PutUint64(b[:], v)
	e.Write([][]byte{b[:]}, -1)
}

func TestLevelTriggered(t *testing.T) {
	ep := New()
	defer ep.DecRef()
	r, w := pipe.New(0, 0)
	defer r.DecRef()
	defer w.DecRef()
	if err := ep.Add(3, r, unix.EPOLLIN, 1); err != nil {
		t.Fatal(err)
	}
	if err := ep.Add(3, r, unix.EPOLLIN, 1); err != unix.EEXIST {
		t.Errorf("second add: %v", err)
	}
	if evs := wait(ep); len(evs) != 0 {
		t.Fatalf("events on an empty pipe: %v", evs)
	}
	ch := waiter.NewChannelEntry(waiter.EventIn)
	ep.EventRegister(ch)
	defer ep.EventUnregister(ch)
	w.Write([][]byte{[]byte("x")}, -1)
	select {
	case <-ch.C:
	default:
		t.Fatal("epoll queue not notified")
	}
	if ep.Readiness(waiter.EventIn) == 0 {
		t.Error("epoll not readable")
	}
	for i := 0; i < 2; i++ {
		evs := wait(ep)
		if len(evs) != 1 || evs[0].Data != 1 || evs[0].Events != unix.EPOLLIN {
			t.Fatalf("wait %d: %v", i, evs)
		}
	}
	r.Read([][]byte{make([]byte, 1)}, -1)
	if evs := wait(ep); len(evs) != 0 {
		t.Errorf("events after draining: %v", evs)
	}
	if err := ep.Delete(3, r); err != nil {
		t.Fatal(err)
	}
	if err := ep.Delete(3, r); err != unix.ENOENT {
		t.Errorf("second delete: %v", err)
	}
}

func TestEdgeTriggeredAndOneShot(t *testing.T) {
	ep := New()
	defer ep.DecRef()
	e := eventfd.New(0, eventfd.NonBlock)
	defer e.DecRef()
	ep.Add(4, e, unix.EPOLLIN|EPOLLET, 7)
	bump(e, 1)
	if evs := wait(ep); len(evs) != 1 {
		t.Fatalf("edge: %v", evs)
	}
	if evs := wait(ep); len(evs) != 0 {
		t.Fatalf("no new edge: %v", evs)
	}
	bump(e, 1)
	if evs := wait(ep); len(evs) != 1 {
		t.Fatalf("second edge: %v", evs)
	}
	ep.Modify(4, e, unix.EPOLLIN|EPOLLONESHOT, 8)
	if evs := wait(ep); len(evs) != 1 || evs[0].Data != 8 {
		t.Fatalf("oneshot: %v", evs)
	}
	bump(e, 1)
	if evs := wait(ep); len(evs) != 0 {
		t.Fatalf("disarmed oneshot fired: %v", evs)
	}
	ep.Modify(4, e, unix.EPOLLIN, 9)
	if evs := wait(ep); len(evs) != 1 || evs[0].Data != 9 {
		t.Fatalf("re-armed: %v", evs)
	}
}

func TestReleaseRemoves(t *testing.T) {
	ep := New()
	defer ep.DecRef()
	e := eventfd.New(1, 0)
	ep.Add(5, e, unix.EPOLLIN, 1)
	e.DecRef()
	if evs := wait(ep); len(evs) != 0 {
		t.Fatalf("released file still reported: %v", evs)
	}
	if len(ep.interest) != 0 {
		t.Errorf("interest set not empty")
	}
}

func TestNestingAndLoops(t *testing.T) {
	a, b := New(), New()
	defer a.DecRef()
	defer b.DecRef()
	if err := a.Add(1, b, unix.EPOLLIN, 1); err != nil {
		t.Fatal(err)
	}
	if err := b.Add(2, a, unix.EPOLLIN, 2); err != unix.ELOOP {
		t.Errorf("cycle: %v, want ELOOP", err)
	}
	if err := a.Add(3, a, unix.EPOLLIN, 3); err != unix.EINVAL {
		t.Errorf("self: %v, want EINVAL", err)
	}
	e := eventfd.New(0, 0)
	defer e.DecRef()
	b.Add(4, e, unix.EPOLLIN, 4)
	bump(e, 1)
	if evs := wait(a); len(evs) != 1 || evs[0].Data != 1 {
		t.Errorf("outer: %v", evs)
	}
	if err := a.Add(5, e, unix.EPOLLIN|EPOLLEXCLUSIVE|EPOLLONESHOT, 5); err != unix.EINVAL {
		t.Errorf("exclusive with oneshot: %v", err)
	}
}

func TestMaxEventsKeepsOrder(t *testing.T) {
	ep := New()
	defer ep.DecRef()
	var fds []*eventfd.EventFD
	for i := 0; i < 3; i++ {
		e := eventfd.New(1, 0)
		defer e.DecRef()
		fds = append(fds, e)
		ep.Add(int32(i), e, unix.EPOLLIN, uint64(i))
	}
	one := make([]Event, 1)
	var got []uint64
	for i := 0; i < 4; i++ {
		ep.ReadEvents(one)
		got = append(got, one[0].Data)
	}
	if got[0] != 0 || got[1] != 1 || got[2] != 2 || got[3] != 0 {
		t.Errorf("round robin order %v", got)
	}
}
