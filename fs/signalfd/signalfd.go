// Package signalfd implements signalfd(2) files: reading one takes the
// pending signals in its mask, as struct signalfd_siginfo records.
//
// A signalfd reads the signals of the thread that created it (and of its
// process); Linux reads those of the reading thread, which is the same
// thread for every ordinary use. Readiness follows the process's signal
// queue (kernel.Task.SignalQueue). Read never blocks: it returns EAGAIN
// when no signal of the mask is pending, and the system call layer waits
// unless the file has O_NONBLOCK.
package signalfd

import (
	"encoding/binary"
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/waiter"
)

// Flags of signalfd4.
const (
	NonBlock = unix.O_NONBLOCK
	CloExec  = unix.O_CLOEXEC
)

// InfoSize is sizeof(struct signalfd_siginfo).
const InfoSize = 128

// unmaskable are SIGKILL and SIGSTOP, which a signalfd never takes.
const unmaskable = kernel.SignalSet(1<<(unix.SIGKILL-1) | 1<<(unix.SIGSTOP-1))

// SignalFD is a signalfd file description. mu guards mask and flags.
type SignalFD struct {
	vfs.RefCount
	vfs.NoIO
	task *kernel.Task

	mu    sync.Mutex
	mask  kernel.SignalSet
	flags uint32
}

var _ vfs.FileDescription = (*SignalFD)(nil)
var _ waiter.Waitable = (*SignalFD)(nil)

// New returns a signalfd of t's signals in mask, with one reference.
func New(t *kernel.Task, mask kernel.SignalSet, flags int) *SignalFD {
	s := &SignalFD{task: t, mask: mask &^ unmaskable, flags: unix.O_RDWR | uint32(flags&NonBlock)}
	s.InitRefs()
	return s
}

// SetMask replaces the signal mask (signalfd on an existing fd).
func (s *SignalFD) SetMask(mask kernel.SignalSet) {
	s.mu.Lock()
	s.mask = mask &^ unmaskable
	s.mu.Unlock()
	s.task.SignalQueue().Notify(waiter.EventIn)
}

// Mask returns the signal mask.
func (s *SignalFD) Mask() kernel.SignalSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mask
}

// siTimer is SI_TIMER.
const siTimer = -2

// Encode writes info as a struct signalfd_siginfo.
func Encode(b []byte, info kernel.SigInfo) {
	clear(b[:InfoSize])
	le := binary.LittleEndian
	le.PutUint32(b[0:], uint32(info.Signo))
	le.PutUint32(b[4:], uint32(info.Errno))
	le.PutUint32(b[8:], uint32(int32(info.Code)))
	sig := unix.Signal(info.Signo)
	switch {
	case info.Code > 0 && (sig == unix.SIGSEGV || sig == unix.SIGBUS || sig == unix.SIGILL || sig == unix.SIGFPE || sig == unix.SIGTRAP):
		le.PutUint64(b[72:], uint64(info.Addr))
	case info.Code == siTimer:
		le.PutUint32(b[24:], uint32(info.PID)) // ssi_tid: the timer id
		le.PutUint32(b[32:], info.UID)         // ssi_overrun
		le.PutUint32(b[44:], uint32(info.Value))
		le.PutUint64(b[48:], info.Value)
	case sig == unix.SIGCHLD && info.Code > 0:
		le.PutUint32(b[12:], uint32(info.PID))
		le.PutUint32(b[16:], info.UID)
		le.PutUint32(b[40:], uint32(int32(info.Status)))
	default:
		le.PutUint32(b[12:], uint32(info.PID))
		le.PutUint32(b[16:], info.UID)
		le.PutUint32(b[44:], uint32(info.Value))
		le.PutUint64(b[48:], info.Value)
	}
}

// Read implements vfs.FileDescription: as many pending signals of the
// mask as fit, EAGAIN if none.
func (s *SignalFD) Read(dst [][]byte, off int64) (int, error) {
	total := 0
	for _, b := range dst {
		total += len(b)
	}
	if total < InfoSize {
		return 0, unix.EINVAL
	}
	mask := s.Mask()
	n := 0
	var rec [InfoSize]byte
	for total-n >= InfoSize {
		info, ok := s.task.TakeSignal(mask)
		if !ok {
			break
		}
		Encode(rec[:], info)
		src := rec[:]
		for len(src) > 0 {
			for len(dst[0]) == 0 {
				dst = dst[1:]
			}
			c := copy(dst[0], src)
			dst[0] = dst[0][c:]
			src = src[c:]
		}
		n += InfoSize
	}
	if n == 0 {
		return 0, unix.EAGAIN
	}
	return n, nil
}

// Write implements vfs.FileDescription.
func (s *SignalFD) Write([][]byte, int64) (int, error) { return 0, unix.EINVAL }

// Readiness implements waiter.Waitable.
func (s *SignalFD) Readiness(mask waiter.EventMask) waiter.EventMask {
	if s.task.PendingSet()&s.Mask() != 0 {
		return mask & (waiter.EventIn | waiter.EventRdNorm)
	}
	return 0
}

// EventRegister implements waiter.Waitable.
func (s *SignalFD) EventRegister(e *waiter.Entry) { s.task.SignalQueue().EventRegister(e) }

// EventUnregister implements waiter.Waitable.
func (s *SignalFD) EventUnregister(e *waiter.Entry) { s.task.SignalQueue().EventUnregister(e) }

// Stat implements vfs.FileDescription: an anonymous inode.
func (s *SignalFD) Stat(st *unix.Stat_t) error {
	*st = unix.Stat_t{Nlink: 1, Mode: 0o600, Blksize: 4096}
	return nil
}

// StatusFlags implements vfs.FileDescription.
func (s *SignalFD) StatusFlags() uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flags
}

// SetStatusFlags implements vfs.FileDescription.
func (s *SignalFD) SetStatusFlags(flags uint32) error {
	const settable = unix.O_APPEND | unix.O_NONBLOCK | unix.O_ASYNC | unix.O_NOATIME
	s.mu.Lock()
	s.flags = s.flags&^settable | flags&settable
	s.mu.Unlock()
	return nil
}

// Name implements vfs.FileDescription.
func (s *SignalFD) Name() string { return "anon_inode:[signalfd]" }
