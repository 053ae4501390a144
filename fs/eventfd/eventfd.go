// Package eventfd implements eventfd(2) files: a 64-bit counter read and
// written 8 bytes at a time.
//
// Like the pipe ends, an EventFD never blocks: Read on a zero counter and
// a Write that would overflow it return unix.EAGAIN, and the system call
// layer waits on the file's queue unless the file has O_NONBLOCK.
package eventfd

import (
	"encoding/binary"
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/waiter"
)

// Flags of eventfd2.
const (
	Semaphore = 1 // EFD_SEMAPHORE
	NonBlock  = unix.O_NONBLOCK
	CloExec   = unix.O_CLOEXEC
)

// maxCount is the largest value the counter holds (ULLONG_MAX - 1).
const maxCount = ^uint64(0) - 1

// EventFD is an eventfd file description. mu guards the fields below it.
type EventFD struct {
	vfs.RefCount
	vfs.NoIO
	q waiter.Queue

	mu        sync.Mutex
	val       uint64
	semaphore bool
	flags     uint32
}

var _ vfs.FileDescription = (*EventFD)(nil)
var _ waiter.Waitable = (*EventFD)(nil)

// New returns an eventfd with counter initval and the given EFD_* flags
// (EFD_CLOEXEC is the fd table's business and ignored here), with one
// reference.
func New(initval uint64, flags int) *EventFD {
	e := &EventFD{val: initval, semaphore: flags&Semaphore != 0, flags: unix.O_RDWR | uint32(flags&NonBlock)}
	e.InitRefs()
	e.Release = func() { e.q.Notify(waiter.EventFree) }
	return e
}

// Value returns the counter.
func (e *EventFD) Value() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.val
}

func total(bufs [][]byte) int {
	n := 0
	for _, b := range bufs {
		n += len(b)
	}
	return n
}

func scatter(dst [][]byte, src []byte) {
	for _, d := range dst {
		c := copy(d, src)
		src = src[c:]
		if len(src) == 0 {
			return
		}
	}
}

func gather(src [][]byte, dst []byte) {
	for _, s := range src {
		c := copy(dst, s)
		dst = dst[c:]
		if len(dst) == 0 {
			return
		}
	}
}

// Read implements vfs.FileDescription: it returns the counter and resets
// it (or 1 and decrements it with EFD_SEMAPHORE); EAGAIN if it is zero.
func (e *EventFD) Read(dst [][]byte, off int64) (int, error) {
	if total(dst) < 8 {
		return 0, unix.EINVAL
	}
	e.mu.Lock()
	if e.val == 0 {
		e.mu.Unlock()
		return 0, unix.EAGAIN
	}
	v := e.val
	if e.semaphore {
		v = 1
	}
	e.val -= v
	e.mu.Unlock()
	var b [8]byte
	binary.NativeEndian.PutUint64(b[:], v)
	scatter(dst, b[:])
	e.q.Notify(waiter.EventOut | waiter.EventWrNorm)
	return 8, nil
}

// Write implements vfs.FileDescription: it adds the value to the counter;
// EAGAIN if that would exceed ULLONG_MAX-1, EINVAL for ULLONG_MAX.
func (e *EventFD) Write(src [][]byte, off int64) (int, error) {
	if total(src) < 8 {
		return 0, unix.EINVAL
	}
	var b [8]byte
	gather(src, b[:])
	v := binary.NativeEndian.Uint64(b[:])
	if v == ^uint64(0) {
		return 0, unix.EINVAL
	}
	e.mu.Lock()
	if maxCount-e.val < v {
		e.mu.Unlock()
		return 0, unix.EAGAIN
	}
	e.val += v
	e.mu.Unlock()
	if v != 0 {
		e.q.Notify(waiter.EventIn | waiter.EventRdNorm)
	}
	return 8, nil
}

// Seek implements vfs.FileDescription: like Linux's noop_llseek.
func (e *EventFD) Seek(int64, int) (int64, error) { return 0, nil }

// Readiness implements waiter.Waitable.
func (e *EventFD) Readiness(mask waiter.EventMask) waiter.EventMask {
	e.mu.Lock()
	defer e.mu.Unlock()
	var r waiter.EventMask
	if e.val > 0 {
		r |= waiter.EventIn | waiter.EventRdNorm
	}
	if e.val == ^uint64(0) {
		r |= waiter.EventErr
	}
	if e.val < maxCount {
		r |= waiter.EventOut | waiter.EventWrNorm
	}
	return r & mask
}

// EventRegister implements waiter.Waitable.
func (e *EventFD) EventRegister(w *waiter.Entry) { e.q.EventRegister(w) }

// EventUnregister implements waiter.Waitable.
func (e *EventFD) EventUnregister(w *waiter.Entry) { e.q.EventUnregister(w) }

// Stat implements vfs.FileDescription: an anonymous inode.
func (e *EventFD) Stat(st *unix.Stat_t) error {
	*st = unix.Stat_t{Nlink: 1, Mode: 0o600, Blksize: 4096}
	return nil
}

// StatusFlags implements vfs.FileDescription.
func (e *EventFD) StatusFlags() uint32 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.flags
}

// SetStatusFlags implements vfs.FileDescription.
func (e *EventFD) SetStatusFlags(flags uint32) error {
	const settable = unix.O_APPEND | unix.O_NONBLOCK | unix.O_ASYNC | unix.O_NOATIME
	e.mu.Lock()
	e.flags = e.flags&^settable | flags&settable
	e.mu.Unlock()
	return nil
}

// Name implements vfs.FileDescription.
func (e *EventFD) Name() string { return "anon_inode:[eventfd]" }
