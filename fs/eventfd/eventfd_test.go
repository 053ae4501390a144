package eventfd

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/waiter"
)

func readVal(e *EventFD) (uint64, error) {
	var b [8]byte
	_, err := e.Read([][]byte{b[:]}, -1)
	return binary.NativeEndian.Uint64(b[:]), err
}

func writeVal(e *EventFD, v uint64) error {
	var b [8]byte
	binary.NativeEndian.PutUint64(b[:], v)
	_, err := e.Write([][]byte{b[:]}, -1)
	return err
}

func TestCounter(t *testing.T) {
	e := New(3, 0)
	defer e.DecRef()
	if v, err := readVal(e); v != 3 || err != nil {
		t.Fatalf("read = %d, %v", v, err)
	}
	if _, err := readVal(e); err != unix.EAGAIN {
		t.Fatalf("read of zero counter: %v", err)
	}
	writeVal(e, 5)
	writeVal(e, 7)
	if v, _ := readVal(e); v != 12 {
		t.Errorf("sum %d", v)
	}
	if err := writeVal(e, ^uint64(0)); err != unix.EINVAL {
		t.Errorf("write of ULLONG_MAX: %v", err)
	}
	if _, err := e.Read([][]byte{make([]byte, 4)}, -1); err != unix.EINVAL {
		t.Errorf("short read: %v", err)
	}
	if err := writeVal(e, maxCount); err != nil {
		t.Fatal(err)
	}
	if got := e.Readiness(waiter.AllEvents); got != waiter.EventIn|waiter.EventRdNorm {
		t.Errorf("readiness at max %#x", got)
	}
	if err := writeVal(e, 1); err != unix.EAGAIN {
		t.Errorf("overflowing write: %v", err)
	}
}

func TestSemaphoreAndNotify(t *testing.T) {
	e := New(2, Semaphore)
	defer e.DecRef()
	w := waiter.NewChannelEntry(waiter.EventOut)
	e.EventRegister(w)
	defer e.EventUnregister(w)
	for i := 0; i < 2; i++ {
		if v, err := readVal(e); v != 1 || err != nil {
			t.Fatalf("semaphore read = %d, %v", v, err)
		}
	}
	select {
	case <-w.C:
	default:
		t.Error("read did not notify writers")
	}
	if _, err := readVal(e); err != unix.EAGAIN {
		t.Errorf("third read: %v", err)
	}
	r := waiter.NewChannelEntry(waiter.EventIn)
	e.EventRegister(r)
	defer e.EventUnregister(r)
	writeVal(e, 1)
	select {
	case <-r.C:
	default:
		t.Error("write did not notify readers")
	}
}
