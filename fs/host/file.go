// Package host provides file descriptions backed by host file descriptors,
// and a read-only filesystem on the host's root used by `runsc do` until the
// gofer serves files. The sentry reads and writes the host fds directly.
//
// Host files are waiter.Waitables: readiness comes from a zero-timeout host
// poll, and waiting from a notifier goroutine running epoll_wait on a host
// epoll instance that wakes the files' queues. A read or write on a host
// pipe, socket or terminal that is not ready returns EAGAIN instead of
// blocking in the host, and the system call layer waits (interruptibly) and
// retries unless the file has O_NONBLOCK; the host fd itself is never made
// non-blocking, since it is shared with processes outside the sandbox. See
// notifier.go for details and limits.
package host

import (
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/mm"
	"stockade.dev/sentry/waiter"
)

// File is a host fd as a file description. The host fd carries the file
// offset, so descriptions shared by dup or fork share it as Linux does.
type File struct {
	vfs.RefCount
	fd    int
	name  string
	flags uint32
	// owned reports whether the sentry owns fd and closes it on release.
	owned bool

	// q is woken by the host notifier (notifier.go).
	q waiter.Queue
	// pollOnce guards registered: whether fd is in the notifier's epoll.
	pollOnce   sync.Once
	registered bool
	// kindOnce guards stream: whether fd is a pipe, socket or terminal.
	kindOnce sync.Once
	stream   bool
	// closed is set once the file is released.
	closed atomic.Bool
}

var _ waiter.Waitable = (*File)(nil)

// NewFile wraps host fd (taking ownership) as a file description named name
// with the given open flags.
func NewFile(fd int, name string, flags uint32) *File {
	f := &File{fd: fd, name: name, flags: flags, owned: true}
	f.InitRefs()
	f.Release = f.release
	return f
}

func (f *File) release() {
	f.closed.Store(true)
	f.unregisterHost()
	f.q.Notify(waiter.EventFree)
	if f.owned {
		unix.Close(f.fd)
	}
}

// Read implements vfs.FileDescription.
func (f *File) Read(dst [][]byte, off int64) (int, error) {
	if f.flags&unix.O_ACCMODE == unix.O_WRONLY || f.flags&unix.O_PATH != 0 {
		return 0, unix.EBADF
	}
	if off < 0 && hasBytes(dst) && f.wouldBlock(waiter.EventIn) {
		return 0, unix.EAGAIN
	}
	if len(dst) == 1 {
		if off < 0 {
			return retry(func() (int, error) { return unix.Read(f.fd, dst[0]) })
		}
		return retry(func() (int, error) { return unix.Pread(f.fd, dst[0], off) })
	}
	if off < 0 {
		return retry(func() (int, error) { return unix.Readv(f.fd, dst) })
	}
	return retry(func() (int, error) { return unix.Preadv(f.fd, dst, off) })
}

// Write implements vfs.FileDescription.
func (f *File) Write(src [][]byte, off int64) (int, error) {
	if f.flags&unix.O_ACCMODE == unix.O_RDONLY || f.flags&unix.O_PATH != 0 {
		return 0, unix.EBADF
	}
	if off < 0 && hasBytes(src) && f.wouldBlock(waiter.EventOut) {
		return 0, unix.EAGAIN
	}
	if len(src) == 1 {
		if off < 0 {
			return retry(func() (int, error) { return unix.Write(f.fd, src[0]) })
		}
		return retry(func() (int, error) { return unix.Pwrite(f.fd, src[0], off) })
	}
	if off < 0 {
		return retry(func() (int, error) { return unix.Writev(f.fd, src) })
	}
	return retry(func() (int, error) { return unix.Pwritev(f.fd, src, off) })
}

func hasBytes(bufs [][]byte) bool {
	for _, b := range bufs {
		if len(b) > 0 {
			return true
		}
	}
	return false
}

// retry repeats a host call interrupted by the Go runtime's own signals.
func retry(fn func() (int, error)) (int, error) {
	for {
		n, err := fn()
		if err == unix.EINTR {
			continue
		}
		if n < 0 {
			n = 0
		}
		return n, err
	}
}

// ReadAt implements vfs.FileDescription.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	done := 0
	for done < len(p) {
		n, err := retry(func() (int, error) { return unix.Pread(f.fd, p[done:], off+int64(done)) })
		if err != nil {
			return done, err
		}
		if n == 0 {
			break
		}
		done += n
	}
	return done, nil
}

// Seek implements vfs.FileDescription.
func (f *File) Seek(off int64, whence int) (int64, error) {
	if f.flags&unix.O_PATH != 0 {
		return 0, unix.EBADF
	}
	return unix.Seek(f.fd, off, whence)
}

// Stat implements vfs.FileDescription.
func (f *File) Stat(st *unix.Stat_t) error { return unix.Fstat(f.fd, st) }

// Getdents implements vfs.FileDescription: the host's linux_dirent64
// records are the application's.
func (f *File) Getdents(buf []byte) (int, error) {
	if f.flags&unix.O_PATH != 0 {
		return 0, unix.EBADF
	}
	return retry(func() (int, error) { return unix.Getdents(f.fd, buf) })
}

// Ioctl implements vfs.FileDescription: the terminal ioctls programs make on
// their stdio pass through to the host terminal.
func (f *File) Ioctl(m vfs.Memory, req, arg uintptr) (uintptr, error) {
	switch req {
	case unix.TCGETS:
		t, err := unix.IoctlGetTermios(f.fd, unix.TCGETS)
		if err != nil {
			return 0, err
		}
		// struct termios is the first 36 bytes of unix.Termios
		// (termios2, with the speeds).
		b := unsafe.Slice((*byte)(unsafe.Pointer(t)), termiosSize)
		if _, err := m.CopyOut(arg, b); err != nil {
			return 0, unix.EFAULT
		}
		return 0, nil
	case unix.TCSETS, unix.TCSETSW, unix.TCSETSF:
		t, err := unix.IoctlGetTermios(f.fd, unix.TCGETS)
		if err != nil {
			return 0, err
		}
		b := unsafe.Slice((*byte)(unsafe.Pointer(t)), termiosSize)
		if _, err := m.CopyIn(arg, b); err != nil {
			return 0, unix.EFAULT
		}
		return 0, unix.IoctlSetTermios(f.fd, uint(req), t)
	case unix.TIOCGWINSZ:
		ws, err := unix.IoctlGetWinsize(f.fd, unix.TIOCGWINSZ)
		if err != nil {
			return 0, err
		}
		b := unsafe.Slice((*byte)(unsafe.Pointer(ws)), unsafe.Sizeof(*ws))
		if _, err := m.CopyOut(arg, b); err != nil {
			return 0, unix.EFAULT
		}
		return 0, nil
	case unix.TIOCSWINSZ:
		var ws unix.Winsize
		b := unsafe.Slice((*byte)(unsafe.Pointer(&ws)), unsafe.Sizeof(ws))
		if _, err := m.CopyIn(arg, b); err != nil {
			return 0, unix.EFAULT
		}
		return 0, unix.IoctlSetWinsize(f.fd, unix.TIOCSWINSZ, &ws)
	case unix.TIOCINQ:
		n, err := unix.IoctlGetInt(f.fd, unix.TIOCINQ)
		if err != nil {
			return 0, err
		}
		v := int32(n)
		if _, err := m.CopyOut(arg, unsafe.Slice((*byte)(unsafe.Pointer(&v)), 4)); err != nil {
			return 0, unix.EFAULT
		}
		return 0, nil
	}
	return 0, unix.ENOTTY
}

// termiosSize is sizeof(struct termios), which TCGETS and TCSETS use.
const termiosSize = 36

// StatusFlags implements vfs.FileDescription.
func (f *File) StatusFlags() uint32 { return f.flags }

// SetStatusFlags implements vfs.FileDescription. O_NONBLOCK is kept in the
// sentry only: the host fd may be shared with other host processes (stdio).
func (f *File) SetStatusFlags(flags uint32) error {
	const settable = unix.O_APPEND | unix.O_NONBLOCK | unix.O_ASYNC | unix.O_DIRECT | unix.O_NOATIME
	if flags&unix.O_APPEND != f.flags&unix.O_APPEND {
		hf, err := unix.FcntlInt(uintptr(f.fd), unix.F_GETFL, 0)
		if err == nil {
			hf = hf&^unix.O_APPEND | int(flags&unix.O_APPEND)
			unix.FcntlInt(uintptr(f.fd), unix.F_SETFL, hf)
		}
	}
	f.flags = f.flags&^settable | flags&settable
	return nil
}

// Name implements vfs.FileDescription.
func (f *File) Name() string { return f.name }

// MappableName implements mm.Mappable.
func (f *File) MappableName() string { return f.name }

// HostFD implements vfs.FileDescription.
func (f *File) HostFD() int { return f.fd }

// String describes the file for logs.
func (f *File) String() string { return fmt.Sprintf("host file %q (fd %d)", f.name, f.fd) }

// CacheKey implements mm.Cacheable: regular files of the host root are
// cached by identity, size and modification time.
func (f *File) CacheKey() (mm.FileKey, bool) {
	var st unix.Stat_t
	if unix.Fstat(f.fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return mm.FileKey{}, false
	}
	return mm.FileKey{Dev: st.Dev, Ino: st.Ino, Size: st.Size, MtimeNanos: st.Mtim.Nano()}, true
}
