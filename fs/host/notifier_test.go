package host

import (
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/waiter"
)

func TestHostPipeWaitable(t *testing.T) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	r := NewFile(p[0], "pipe", unix.O_RDONLY)
	defer r.DecRef()
	defer unix.Close(p[1])
	if !r.Pollable() {
		t.Fatal("host pipe not pollable")
	}
	if got := r.Readiness(waiter.EventIn); got != 0 {
		t.Errorf("empty pipe readiness %#x", got)
	}
	// The read must not block in the host: the fd is blocking.
	if _, err := r.Read([][]byte{make([]byte, 8)}, -1); err != unix.EAGAIN {
		t.Fatalf("read of empty host pipe: %v, want EAGAIN", err)
	}
	if fl, _ := unix.FcntlInt(uintptr(p[0]), unix.F_GETFL, 0); fl&unix.O_NONBLOCK != 0 {
		t.Error("host fd was made non-blocking")
	}
	e := waiter.NewChannelEntry(waiter.EventIn)
	r.EventRegister(e)
	defer r.EventUnregister(e)
	unix.Write(p[1], []byte("hi"))
	select {
	case <-e.C:
	case <-time.After(5 * time.Second):
		t.Fatal("notifier did not report the write")
	}
	b := make([]byte, 8)
	if n, err := r.Read([][]byte{b}, -1); n != 2 || err != nil {
		t.Errorf("read = %d, %v", n, err)
	}
}

func TestHostRegularFileNotPollable(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	fd, _ := unix.Dup(int(f.Fd()))
	f.Close()
	hf := NewFile(fd, "x", unix.O_RDWR)
	defer hf.DecRef()
	if hf.Pollable() {
		t.Error("regular file pollable")
	}
	if got := hf.Readiness(waiter.EventIn | waiter.EventOut); got != waiter.EventIn|waiter.EventOut {
		t.Errorf("regular file readiness %#x", got)
	}
}
