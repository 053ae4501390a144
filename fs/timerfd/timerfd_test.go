package timerfd

import (
	"encoding/binary"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/waiter"
)

func readCount(t *testing.T, f *TimerFD) (uint64, error) {
	t.Helper()
	var b [8]byte
	n, err := f.Read([][]byte{b[:]}, -1)
	if err != nil {
		return 0, err
	}
	if n != 8 {
		t.Fatalf("read %d bytes", n)
	}
	return binary.NativeEndian.Uint64(b[:]), nil
}

func TestOneShot(t *testing.T) {
	f := New(unix.CLOCK_MONOTONIC, 0)
	defer f.DecRef()
	if _, err := readCount(t, f); err != unix.EAGAIN {
		t.Fatalf("disarmed read: %v, want EAGAIN", err)
	}
	e := waiter.NewChannelEntry(waiter.EventIn)
	f.EventRegister(e)
	defer f.EventUnregister(e)
	f.Set(Value{Value: 10 * time.Millisecond}, false)
	select {
	case <-e.C:
	case <-time.After(2 * time.Second):
		t.Fatal("no wakeup")
	}
	if n, err := readCount(t, f); err != nil || n != 1 {
		t.Fatalf("read = %d, %v", n, err)
	}
	if v := f.Get(); v.Value != 0 {
		t.Fatalf("after expiry: %+v", v)
	}
	if _, err := f.Read([][]byte{make([]byte, 4)}, -1); err != unix.EINVAL {
		t.Fatalf("short read: %v", err)
	}
}

func TestIntervalAndAbsolute(t *testing.T) {
	f := New(unix.CLOCK_MONOTONIC, 0)
	defer f.DecRef()
	f.Set(Value{Value: 5 * time.Millisecond, Interval: 5 * time.Millisecond}, false)
	time.Sleep(32 * time.Millisecond)
	n, err := readCount(t, f)
	if err != nil || n < 4 {
		t.Fatalf("read = %d, %v (want >= 4)", n, err)
	}
	if v := f.Get(); v.Interval != 5*time.Millisecond || v.Value <= 0 || v.Value > 5*time.Millisecond {
		t.Fatalf("Get = %+v", v)
	}
	// An absolute time in the past expires at once.
	old := f.Set(Value{Value: time.Millisecond}, true)
	if old.Interval != 5*time.Millisecond {
		t.Fatalf("old value = %+v", old)
	}
	if f.Readiness(waiter.EventIn) == 0 {
		t.Fatal("past absolute time not ready")
	}
	f.Set(Value{}, false)
	if f.Readiness(waiter.EventIn) != 0 {
		t.Fatal("disarming kept expirations")
	}
}
