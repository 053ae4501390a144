// Package pipe implements anonymous pipes (pipe(2), pipe2(2)) in the
// sentry.
//
// A Pipe is a ring of page-sized buffers, like Linux's: its capacity is a
// number of slots (16 pages, 64 KiB, by default; F_SETPIPE_SZ changes it up
// to MaxSize), small writes merge into the last page, writes of at most
// PipeBuf bytes are atomic, and O_DIRECT on the write end makes every write
// a packet that one read consumes whole.
//
// The two ends are vfs.FileDescriptions and waiter.Waitables. Their Read and
// Write never block: when the caller would have to wait they return
// unix.EAGAIN (with the byte count already transferred for a partial
// write). The system call layer owns blocking policy: for a file without
// O_NONBLOCK it waits on the end's queue with Task.Block and calls again.
package pipe

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/waiter"
)

const (
	// PageSize is the size of one pipe buffer.
	PageSize = 4096
	// DefaultSize is the capacity of a new pipe (16 pages).
	DefaultSize = 16 * PageSize
	// MaxSize is /proc/sys/fs/pipe-max-size: F_SETPIPE_SZ refuses larger
	// sizes with EPERM.
	MaxSize = 1 << 20
	// PipeBuf is PIPE_BUF: writes of at most this many bytes are atomic.
	PipeBuf = 4096
)

// pipefsDev is st_dev of pipes (Linux's pipefs is an anonymous device).
const pipefsDev = 0xd

var lastIno atomic.Uint64

// buffer is one page of the ring.
type buffer struct {
	data     [PageSize]byte
	off, len int
	// packet marks an O_DIRECT write: a read consumes the whole buffer.
	packet bool
}

// Pipe is the object both ends share. mu guards every field below it.
type Pipe struct {
	ino uint64
	uid uint32
	gid uint32

	mu sync.Mutex
	// bufs holds the occupied buffers, oldest first; len(bufs) <= slots.
	bufs  []*buffer
	slots int
	// used is the number of unread bytes.
	used             int
	readers, writers int
	ends             [2]*End
	atime, mtime     time.Time
	free             *buffer

	// fifoEnds are the ends of a named pipe opened with OpenEnd (fifo.go),
	// guarded by fifoMu; notify wakes them too.
	fifoMu   sync.Mutex
	fifoEnds map[*End]struct{}
}

// New returns the read and write ends of a new pipe, each with one
// reference, owned by uid/gid.
func New(uid, gid uint32) (r, w *End) {
	now := time.Now()
	p := &Pipe{
		ino:     lastIno.Add(1),
		uid:     uid,
		gid:     gid,
		slots:   DefaultSize / PageSize,
		readers: 1,
		writers: 1,
		atime:   now,
		mtime:   now,
	}
	r = &End{p: p, read: true, flags: unix.O_RDONLY}
	w = &End{p: p, flags: unix.O_WRONLY}
	for _, e := range []*End{r, w} {
		e.InitRefs()
		e.Release = e.release
	}
	p.ends = [2]*End{r, w}
	return r, w
}

// notify wakes the waiters of both ends.
func (p *Pipe) notify(mask waiter.EventMask) {
	for _, e := range p.ends {
		if e != nil {
			e.q.Notify(mask)
		}
	}
	p.notifyFIFO(mask)
}

// full reports whether every slot is occupied (p.mu held).
func (p *Pipe) full() bool { return len(p.bufs) >= p.slots }

// Size returns the capacity in bytes (F_GETPIPE_SZ).
func (p *Pipe) Size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.slots * PageSize
}

// SetSize implements F_SETPIPE_SZ: the size is rounded up to a power of two
// pages; growing past MaxSize is refused (EPERM), shrinking below the
// buffers in use too (EBUSY). It returns the new size.
func (p *Pipe) SetSize(size uint64) (int, error) {
	if size > 1<<31 {
		return 0, unix.EINVAL
	}
	pages := 1
	for uint64(pages)*PageSize < size {
		pages <<= 1
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if pages > p.slots && pages*PageSize > MaxSize {
		return 0, unix.EPERM
	}
	if pages < len(p.bufs) {
		return 0, unix.EBUSY
	}
	wasFull := p.full()
	p.slots = pages
	if wasFull && !p.full() {
		defer p.notify(waiter.EventOut | waiter.EventWrNorm)
	}
	return pages * PageSize, nil
}

// Queued returns the number of unread bytes (FIONREAD).
func (p *Pipe) Queued() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.used
}

func (p *Pipe) newBuffer() *buffer {
	b := p.free
	if b != nil {
		p.free = nil
		b.off, b.len, b.packet = 0, 0, false
		return b
	}
	return &buffer{}
}

// read moves up to the length of dst from the pipe (p.mu held).
func (p *Pipe) read(dst [][]byte) int {
	n := 0
	for len(p.bufs) > 0 && len(dst) > 0 {
		if len(dst[0]) == 0 {
			dst = dst[1:]
			continue
		}
		b := p.bufs[0]
		c := copy(dst[0], b.data[b.off:b.off+b.len])
		n += c
		dst[0] = dst[0][c:]
		if len(dst[0]) == 0 {
			dst = dst[1:]
		}
		b.off += c
		b.len -= c
		p.used -= c
		if b.packet {
			// The rest of a packet is discarded.
			p.used -= b.len
			b.len = 0
		}
		if b.len == 0 {
			p.bufs[0] = nil
			p.bufs = p.bufs[1:]
			if len(p.bufs) == 0 {
				p.bufs = p.bufs[:0:0]
			}
			p.free = b
		}
		if b.packet {
			break
		}
	}
	return n
}

// srcReader walks a list of source slices.
type srcReader struct{ src [][]byte }

func (s *srcReader) copyTo(dst []byte) int {
	n := 0
	for len(dst) > 0 && len(s.src) > 0 {
		c := copy(dst, s.src[0])
		dst = dst[c:]
		n += c
		s.src[0] = s.src[0][c:]
		if len(s.src[0]) == 0 {
			s.src = s.src[1:]
		}
	}
	return n
}

// write moves as much of src as fits, following Linux's pipe_write: the
// sub-page remainder of the write merges into the last buffer when it fits
// whole, the rest fills new pages. A write of at most PipeBuf bytes is thus
// all or nothing (p.mu held).
func (p *Pipe) write(src [][]byte, total int, packet bool) int {
	sr := srcReader{src: append([][]byte(nil), src...)}
	n := 0
	if chars := total & (PageSize - 1); chars != 0 && !packet && len(p.bufs) > 0 {
		last := p.bufs[len(p.bufs)-1]
		if !last.packet && last.off+last.len+chars <= PageSize {
			c := sr.copyTo(last.data[last.off+last.len : last.off+last.len+chars])
			last.len += c
			n += c
		}
	}
	for n < total && !p.full() {
		b := p.newBuffer()
		b.packet = packet
		c := sr.copyTo(b.data[:min(PageSize, total-n)])
		b.len = c
		n += c
		p.bufs = append(p.bufs, b)
	}
	p.used += n
	return n
}

// End is one end of a pipe: an open file description.
type End struct {
	vfs.RefCount
	vfs.NoIO
	p    *Pipe
	read bool
	q    waiter.Queue

	mu    sync.Mutex
	flags uint32
}

var _ vfs.FileDescription = (*End)(nil)
var _ waiter.Waitable = (*End)(nil)

// Pipe returns the pipe e is an end of.
func (e *End) Pipe() *Pipe { return e.p }

// IsReadEnd reports whether e is the read end.
func (e *End) IsReadEnd() bool { return e.read }

func (e *End) release() {
	p := e.p
	p.mu.Lock()
	if e.read {
		p.readers--
	} else {
		p.writers--
	}
	p.mu.Unlock()
	p.forgetFIFOEnd(e)
	p.notify(waiter.EventIn | waiter.EventRdNorm | waiter.EventOut | waiter.EventWrNorm | waiter.EventErr | waiter.EventHUp)
	e.q.Notify(waiter.EventFree)
}

// Read implements vfs.FileDescription. It returns EAGAIN when the pipe is
// empty and has writers, and 0 (end of file) when it has none.
func (e *End) Read(dst [][]byte, off int64) (int, error) {
	if !e.read {
		return 0, unix.EBADF
	}
	if off >= 0 {
		return 0, unix.ESPIPE
	}
	want := 0
	for _, d := range dst {
		want += len(d)
	}
	if want == 0 {
		return 0, nil
	}
	p := e.p
	p.mu.Lock()
	wasFull := p.full()
	n := p.read(append([][]byte(nil), dst...))
	if n == 0 {
		eof := p.writers == 0
		p.mu.Unlock()
		if eof {
			return 0, nil
		}
		return 0, unix.EAGAIN
	}
	p.atime = time.Now()
	nowFull := p.full()
	p.mu.Unlock()
	// Linux wakes writers only when the pipe stops being full.
	if wasFull && !nowFull {
		p.notify(waiter.EventOut | waiter.EventWrNorm)
	}
	return n, nil
}

// Write implements vfs.FileDescription. It returns EPIPE without readers,
// EAGAIN when nothing fits, and (n, EAGAIN) for a partial write whose rest
// would have to wait.
func (e *End) Write(src [][]byte, off int64) (int, error) {
	if e.read {
		return 0, unix.EBADF
	}
	if off >= 0 {
		return 0, unix.ESPIPE
	}
	total := 0
	for _, s := range src {
		total += len(s)
	}
	if total == 0 {
		return 0, nil
	}
	packet := e.StatusFlags()&unix.O_DIRECT != 0
	p := e.p
	p.mu.Lock()
	if p.readers == 0 {
		p.mu.Unlock()
		return 0, unix.EPIPE
	}
	n := p.write(src, total, packet)
	if n > 0 {
		p.mtime = time.Now()
	}
	p.mu.Unlock()
	if n > 0 {
		p.notify(waiter.EventIn | waiter.EventRdNorm)
	}
	if n < total {
		return n, unix.EAGAIN
	}
	return n, nil
}

// Readiness implements waiter.Waitable, as Linux's pipe_poll.
func (e *End) Readiness(mask waiter.EventMask) waiter.EventMask {
	p := e.p
	p.mu.Lock()
	defer p.mu.Unlock()
	var r waiter.EventMask
	if e.read {
		if p.used > 0 {
			r |= waiter.EventIn | waiter.EventRdNorm
		}
		if p.writers == 0 {
			r |= waiter.EventHUp
		}
	} else {
		if !p.full() {
			r |= waiter.EventOut | waiter.EventWrNorm
		}
		if p.readers == 0 {
			r |= waiter.EventErr
		}
	}
	return r & mask
}

// EventRegister implements waiter.Waitable.
func (e *End) EventRegister(w *waiter.Entry) { e.q.EventRegister(w) }

// EventUnregister implements waiter.Waitable.
func (e *End) EventUnregister(w *waiter.Entry) { e.q.EventUnregister(w) }

// Stat implements vfs.FileDescription: a FIFO owned by the creator.
func (e *End) Stat(st *unix.Stat_t) error {
	p := e.p
	p.mu.Lock()
	at, mt := p.atime, p.mtime
	p.mu.Unlock()
	*st = unix.Stat_t{
		Dev:     pipefsDev,
		Ino:     p.ino,
		Nlink:   1,
		Mode:    unix.S_IFIFO | 0o600,
		Uid:     p.uid,
		Gid:     p.gid,
		Blksize: PageSize,
		Atim:    unix.NsecToTimespec(at.UnixNano()),
		Mtim:    unix.NsecToTimespec(mt.UnixNano()),
		Ctim:    unix.NsecToTimespec(mt.UnixNano()),
	}
	return nil
}

// fionread is FIONREAD (TIOCINQ).
const fionread = 0x541b

// Ioctl implements vfs.FileDescription: FIONREAD.
func (e *End) Ioctl(m vfs.Memory, req, arg uintptr) (uintptr, error) {
	switch req {
	case fionread:
		v := uint32(e.p.Queued())
		b := []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
		if _, err := m.CopyOut(arg, b); err != nil {
			return 0, unix.EFAULT
		}
		return 0, nil
	}
	return 0, unix.ENOTTY
}

// StatusFlags implements vfs.FileDescription.
func (e *End) StatusFlags() uint32 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.flags
}

// SetStatusFlags implements vfs.FileDescription. O_DIRECT on the write end
// selects packet mode.
func (e *End) SetStatusFlags(flags uint32) error {
	const settable = unix.O_APPEND | unix.O_NONBLOCK | unix.O_ASYNC | unix.O_DIRECT | unix.O_NOATIME
	e.mu.Lock()
	e.flags = e.flags&^settable | flags&settable
	e.mu.Unlock()
	return nil
}

// Name implements vfs.FileDescription.
func (e *End) Name() string { return fmt.Sprintf("pipe:[%d]", e.p.ino) }
