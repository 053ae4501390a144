package pipe

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/waiter"
)

func read(t *testing.T, e *End, n int) ([]byte, error) {
	t.Helper()
	b := make([]byte, n)
	c, err := e.Read([][]byte{b}, -1)
	return b[:c], err
}

func TestReadWrite(t *testing.T) {
	r, w := New(0, 0)
	defer r.DecRef()
	defer w.DecRef()
	if _, err := read(t, r, 10); err != unix.EAGAIN {
		t.Fatalf("read of empty pipe: %v, want EAGAIN", err)
	}
	if n, err := w.Write([][]byte{[]byte("hel"), []byte("lo")}, -1); n != 5 || err != nil {
		t.Fatalf("write = %d, %v", n, err)
	}
	if q := r.Pipe().Queued(); q != 5 {
		t.Errorf("queued %d, want 5", q)
	}
	b, err := read(t, r, 3)
	if string(b) != "hel" || err != nil {
		t.Fatalf("read = %q, %v", b, err)
	}
	b, _ = read(t, r, 10)
	if string(b) != "lo" {
		t.Fatalf("read = %q", b)
	}
	if _, err := r.Write([][]byte{{1}}, -1); err != unix.EBADF {
		t.Errorf("write to read end: %v", err)
	}
	if _, err := w.Read([][]byte{make([]byte, 1)}, -1); err != unix.EBADF {
		t.Errorf("read from write end: %v", err)
	}
	if _, err := r.Read([][]byte{make([]byte, 1)}, 0); err != unix.ESPIPE {
		t.Errorf("pread: %v", err)
	}
}

func TestCapacityAndAtomicity(t *testing.T) {
	r, w := New(0, 0)
	defer r.DecRef()
	defer w.DecRef()
	buf := make([]byte, 1000)
	total := 0
	for {
		n, err := w.Write([][]byte{buf}, -1)
		total += n
		if err == unix.EAGAIN {
			break
		}
	}
	// 1000-byte writes merge into pages until the 16th page is full of
	// whole writes, as in Linux.
	if total != 64000 {
		t.Errorf("filled %d bytes, want 64000", total)
	}
	if w.Readiness(waiter.EventOut) != 0 {
		t.Error("full pipe is writable")
	}
	read(t, r, 1)
	if n, err := w.Write([][]byte{{1}}, -1); n != 1 || err != nil {
		// 64000 = 15 pages + 2560 bytes: the last page has room.
		t.Errorf("small write into the last page: %d, %v", n, err)
	}
	read(t, r, 4095)
	// A 5000-byte write is not atomic: one free page takes 4096.
	if n, err := w.Write([][]byte{make([]byte, 5000)}, -1); n != 4096 || err != unix.EAGAIN {
		t.Errorf("partial write = %d, %v; want 4096, EAGAIN", n, err)
	}
	// An atomic write that does not fit is refused whole.
	if n, err := w.Write([][]byte{make([]byte, PipeBuf)}, -1); n != 0 || err != unix.EAGAIN {
		t.Errorf("atomic write into full pipe = %d, %v", n, err)
	}
}

func TestPacketMode(t *testing.T) {
	r, w := New(0, 0)
	defer r.DecRef()
	defer w.DecRef()
	w.SetStatusFlags(unix.O_DIRECT)
	w.Write([][]byte{[]byte("abc")}, -1)
	w.Write([][]byte{[]byte("defgh")}, -1)
	first := make([]byte, 100)
	if n, _ := r.Read([][]byte{nil, first}, -1); string(first[:n]) != "abc" {
		t.Errorf("first packet %q", first[:n])
	}
	if b, _ := read(t, r, 2); string(b) != "de" {
		t.Errorf("second packet %q", b)
	}
	if q := r.Pipe().Queued(); q != 0 {
		t.Errorf("%d bytes left, want the packet's rest discarded", q)
	}
}

func TestSetSize(t *testing.T) {
	r, w := New(0, 0)
	defer r.DecRef()
	defer w.DecRef()
	p := r.Pipe()
	for _, c := range []struct {
		in   uint64
		want int
		err  error
	}{
		{100000, 131072, nil},
		{0, 4096, nil},
		{MaxSize, MaxSize, nil},
		{MaxSize + 1, 0, unix.EPERM},
		{1 << 32, 0, unix.EINVAL},
	} {
		n, err := p.SetSize(c.in)
		if n != c.want || err != c.err {
			t.Errorf("SetSize(%d) = %d, %v; want %d, %v", c.in, n, err, c.want, c.err)
		}
	}
	p.SetSize(3 * PageSize)
	w.Write([][]byte{make([]byte, 3*PageSize)}, -1)
	if _, err := p.SetSize(PageSize); err != unix.EBUSY {
		t.Errorf("shrinking below the contents: %v, want EBUSY", err)
	}
}

func TestCloseAndNotify(t *testing.T) {
	r, w := New(0, 0)
	e := waiter.NewChannelEntry(waiter.EventIn | waiter.EventHUp)
	r.EventRegister(e)
	w.Write([][]byte{[]byte("x")}, -1)
	select {
	case <-e.C:
	default:
		t.Fatal("write did not notify the reader")
	}
	if got := r.Readiness(waiter.AllEvents); got != waiter.EventIn|waiter.EventRdNorm {
		t.Errorf("readiness %#x", got)
	}
	w.DecRef()
	select {
	case <-e.C:
	default:
		t.Fatal("closing the writer did not notify the reader")
	}
	if got := r.Readiness(waiter.AllEvents); got != waiter.EventIn|waiter.EventRdNorm|waiter.EventHUp {
		t.Errorf("readiness after close %#x", got)
	}
	read(t, r, 1)
	if b, err := read(t, r, 1); len(b) != 0 || err != nil {
		t.Errorf("read at EOF: %q, %v", b, err)
	}
	r.EventUnregister(e)

	r, w = New(0, 0)
	r.DecRef()
	if _, err := w.Write([][]byte{{1}}, -1); err != unix.EPIPE {
		t.Errorf("write without readers: %v", err)
	}
	if got := w.Readiness(waiter.AllEvents); got != waiter.EventOut|waiter.EventWrNorm|waiter.EventErr {
		t.Errorf("writer readiness without readers %#x", got)
	}
	free := waiter.NewChannelEntry(waiter.EventFree)
	w.EventRegister(free)
	w.DecRef()
	select {
	case <-free.C:
	default:
		t.Error("release did not notify EventFree")
	}
}

func TestStat(t *testing.T) {
	r, w := New(7, 8)
	defer r.DecRef()
	defer w.DecRef()
	var st unix.Stat_t
	r.Stat(&st)
	if st.Mode&unix.S_IFMT != unix.S_IFIFO || st.Uid != 7 || st.Gid != 8 {
		t.Errorf("stat %+v", st)
	}
	if !bytes.HasPrefix([]byte(r.Name()), []byte("pipe:[")) {
		t.Errorf("name %q", r.Name())
	}
}
