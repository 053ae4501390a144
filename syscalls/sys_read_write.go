package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/waiter"
)

func init() {
	register(map[string]impl{
		"read":     full(sysRead),
		"write":    full(sysWrite),
		"pread64":  full(sysPread64),
		"pwrite64": full(sysPwrite64),
		"readv":    full(sysReadv),
		"writev":   full(sysWritev),
		"preadv":   full(sysPreadv),
		"pwritev":  full(sysPwritev),
		"preadv2":  partial(sysPreadv2, "RWF_* flags other than RWF_HIPRI are refused"),
		"pwritev2": partial(sysPwritev2, "RWF_HIPRI, RWF_DSYNC, RWF_SYNC (hints) and RWF_APPEND only; RWF_NOWAIT is refused"),
	})
}

// maxRW is MAX_RW_COUNT: Linux caps one transfer at 2 GiB minus a page.
const maxRW = 0x7ffff000

func doRead(t *kernel.Task, fd int32, addr uintptr, n uintptr, off int64) (uintptr, error) {
	f, err := getFile(t, fd)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if int64(n) < 0 {
		return 0, unix.EINVAL
	}
	n = min(n, maxRW)
	if n == 0 {
		_, err := f.Read(nil, off)
		if err == unix.EINVAL {
			err = nil
		}
		return 0, errnoOf(err)
	}
	bufs, err := t.MM.Blocks(t.IOBlocks[:0], addr, int(n), true)
	t.IOBlocks = bufs[:0]
	if err != nil {
		return 0, err
	}
	r, err := blockingRead(t, f, bufs, off)
	if r > 0 {
		return uintptr(r), nil
	}
	return 0, errnoOf(err)
}

// Blocking I/O. File descriptions never block: a read or write that would
// have to wait returns EAGAIN (a write possibly after a partial transfer).
// For a file that is a waiter.Waitable without O_NONBLOCK, the functions
// below wait on the file's queue (interruptibly, with Task.Block) and try
// again; that is the one place where blocking policy lives.

// blockingWaitable returns f as a Waitable if calls on it should block.
func blockingWaitable(f vfs.FileDescription) (waiter.Waitable, bool) {
	w, ok := f.(waiter.Waitable)
	if !ok || f.StatusFlags()&unix.O_NONBLOCK != 0 {
		return nil, false
	}
	return w, true
}

// blockingRead reads into bufs, waiting for data as described above. An
// interrupted wait returns ERESTARTSYS (restarted under SA_RESTART).
func blockingRead(t *kernel.Task, f vfs.FileDescription, bufs [][]byte, off int64) (int, error) {
	if jc, ok := f.(kernel.JobControlled); ok {
		// Terminal job control: SIGTTIN for background readers.
		if err := jc.CheckJobControl(t, false); err != nil {
			return 0, err
		}
	}
	n, err := f.Read(bufs, off)
	if n > 0 {
		vfs.NotifyIO(vfsOf(t), f, false) // inotify IN_ACCESS
	}
	if err != unix.EAGAIN || n > 0 {
		return n, err
	}
	w, ok := blockingWaitable(f)
	if !ok {
		return n, err
	}
	e := waiter.NewChannelEntry(waiter.EventIn | waiter.EventRdNorm | waiter.EventHUp | waiter.EventErr)
	w.EventRegister(e)
	defer w.EventUnregister(e)
	for {
		n, err = f.Read(bufs, off)
		if err != unix.EAGAIN || n > 0 {
			if n > 0 {
				vfs.NotifyIO(vfsOf(t), f, false)
			}
			return n, err
		}
		if berr := blockIO(t, e.C, f, false, time.Time{}); berr != nil {
			return 0, berr
		}
	}
}

// advance drops the first n bytes of bufs (in place).
func advance(bufs [][]byte, n int) [][]byte {
	for n > 0 && len(bufs) > 0 {
		c := min(n, len(bufs[0]))
		bufs[0] = bufs[0][c:]
		n -= c
		if len(bufs[0]) == 0 {
			bufs = bufs[1:]
		}
	}
	return bufs
}

// blockingWrite writes bufs, waiting for room as described above. It
// returns the bytes written if any, even when interrupted or when the
// reader went away (EPIPE); SIGPIPE is sent on EPIPE either way.
func blockingWrite(t *kernel.Task, f vfs.FileDescription, bufs [][]byte, off int64) (int, error) {
	if jc, ok := f.(kernel.JobControlled); ok {
		// Terminal job control: SIGTTOU for background writers (TOSTOP).
		if err := jc.CheckJobControl(t, true); err != nil {
			return 0, err
		}
	}
	total := 0
	var w waiter.Waitable
	var e *waiter.Entry
	defer func() {
		if e != nil {
			w.EventUnregister(e)
		}
	}()
	defer func() {
		if total > 0 {
			vfs.NotifyIO(vfsOf(t), f, true) // inotify IN_MODIFY
		}
	}()
	for {
		n, err := f.Write(bufs, off)
		total += n
		if err != unix.EAGAIN {
			if err == unix.EPIPE {
				t.SendSignal(kernel.SigInfo{Signo: int(unix.SIGPIPE), PID: t.PID(), UID: t.Creds.RealUID})
			}
			if total > 0 {
				return total, nil
			}
			return 0, err
		}
		bufs = advance(bufs, n)
		if off >= 0 {
			off += int64(n)
		}
		if e == nil {
			var ok bool
			if w, ok = blockingWaitable(f); !ok {
				if total > 0 {
					return total, nil
				}
				return 0, err
			}
			e = waiter.NewChannelEntry(waiter.EventOut | waiter.EventWrNorm | waiter.EventHUp | waiter.EventErr)
			w.EventRegister(e)
			// Try again: room may have appeared before we registered.
			continue
		}
		if berr := blockIO(t, e.C, f, true, time.Time{}); berr != nil {
			if total > 0 {
				return total, nil
			}
			return 0, berr
		}
	}
}

func doWrite(t *kernel.Task, fd int32, addr uintptr, n uintptr, off int64) (uintptr, error) {
	f, err := getFile(t, fd)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if int64(n) < 0 {
		return 0, unix.EINVAL
	}
	n = min(n, maxRW)
	if n == 0 {
		return 0, nil
	}
	bufs, err := t.MM.Blocks(t.IOBlocks[:0], addr, int(n), false)
	t.IOBlocks = bufs[:0]
	if err != nil {
		return 0, err
	}
	if bufs, err = limitFileSize(t, f, bufs, off); err != nil {
		return 0, err
	}
	w, err := blockingWrite(t, f, bufs, off)
	if w > 0 {
		return uintptr(w), nil
	}
	return 0, errnoOf(err)
}

func sysRead(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doRead(t, a.Int(0), a[1], a[2], -1)
}

func sysWrite(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doWrite(t, a.Int(0), a[1], a[2], -1)
}

func sysPread64(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if a.Int64(3) < 0 {
		return 0, unix.EINVAL
	}
	return doRead(t, a.Int(0), a[1], a[2], a.Int64(3))
}

func sysPwrite64(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if a.Int64(3) < 0 {
		return 0, unix.EINVAL
	}
	return doWrite(t, a.Int(0), a[1], a[2], a.Int64(3))
}

// iovecs reads an iovec array and returns the application blocks it names.
func iovecBlocks(t *kernel.Task, addr uintptr, cnt int32, write bool) ([][]byte, error) {
	if cnt < 0 || cnt > 1024 {
		return nil, unix.EINVAL
	}
	raw := make([]byte, 16*int(cnt))
	if _, err := t.CopyIn(addr, raw); err != nil {
		return nil, unix.EFAULT
	}
	var bufs [][]byte
	var total uint64
	for i := 0; i < int(cnt); i++ {
		base := uintptr(binary.LittleEndian.Uint64(raw[16*i:]))
		l := binary.LittleEndian.Uint64(raw[16*i+8:])
		if int64(l) < 0 {
			return nil, unix.EINVAL
		}
		if total+l > maxRW {
			l = maxRW - total
		}
		total += l
		if l == 0 {
			continue
		}
		b, err := t.MM.Blocks(bufs, base, int(l), write)
		if err != nil {
			if len(bufs) == 0 {
				return nil, err
			}
			break
		}
		short := len(b) > 0 && blocksLen(b[len(bufs):]) < int(l)
		bufs = b
		if short {
			break
		}
	}
	return bufs, nil
}

func blocksLen(bs [][]byte) int {
	n := 0
	for _, b := range bs {
		n += len(b)
	}
	return n
}

func doReadv(t *kernel.Task, a *kernel.SyscallArgs, off int64) (uintptr, error) {
	f, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	bufs, err := iovecBlocks(t, a[1], a.Int(2), true)
	if err != nil {
		return 0, err
	}
	if len(bufs) == 0 {
		return 0, nil
	}
	n, err := blockingRead(t, f, bufs, off)
	if n > 0 {
		return uintptr(n), nil
	}
	return 0, errnoOf(err)
}

func doWritev(t *kernel.Task, a *kernel.SyscallArgs, off int64) (uintptr, error) {
	f, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	bufs, err := iovecBlocks(t, a[1], a.Int(2), false)
	if err != nil {
		return 0, err
	}
	if len(bufs) == 0 {
		return 0, nil
	}
	if bufs, err = limitFileSize(t, f, bufs, off); err != nil {
		return 0, err
	}
	n, err := blockingWrite(t, f, bufs, off)
	if n > 0 {
		return uintptr(n), nil
	}
	return 0, errnoOf(err)
}

func sysReadv(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error)  { return doReadv(t, a, -1) }
func sysWritev(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) { return doWritev(t, a, -1) }

func sysPreadv(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if a.Int64(3) < 0 {
		return 0, unix.EINVAL
	}
	return doReadv(t, a, a.Int64(3))
}

func sysPwritev(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if a.Int64(3) < 0 {
		return 0, unix.EINVAL
	}
	return doWritev(t, a, a.Int64(3))
}

// rwfHIPRI is RWF_HIPRI, a hint.
const rwfHIPRI = 1

func sysPreadv2(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if a[5]&^rwfHIPRI != 0 {
		return 0, unix.EOPNOTSUPP
	}
	off := a.Int64(3)
	if off < -1 {
		return 0, unix.EINVAL
	}
	return doReadv(t, a, off)
}

func sysPwritev2(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if a[5]&^rwfHIPRI != 0 {
		return pwritev2Flags(t, a) // sys_misc_fd.go
	}
	off := a.Int64(3)
	if off < -1 {
		return 0, unix.EINVAL
	}
	return doWritev(t, a, off)
}

// rlimitFSIZE is RLIMIT_FSIZE.
const rlimitFSIZE = 1

// limitFileSize enforces RLIMIT_FSIZE on a write to a regular file at off
// (< 0: the file offset, or the end with O_APPEND): a write starting at or
// beyond the limit fails with EFBIG and SIGXFSZ; one crossing it is cut
// short.
func limitFileSize(t *kernel.Task, f vfs.FileDescription, bufs [][]byte, off int64) ([][]byte, error) {
	lim := t.Rlimit(rlimitFSIZE)
	if lim.Cur == ^uint64(0) {
		return bufs, nil
	}
	var st unix.Stat_t
	if f.Stat(&st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return bufs, nil
	}
	pos := off
	if pos < 0 {
		if f.StatusFlags()&unix.O_APPEND != 0 {
			pos = st.Size
		} else if p, err := f.Seek(0, unix.SEEK_CUR); err == nil {
			pos = p
		}
	}
	if uint64(pos) >= lim.Cur {
		t.SendSignal(kernel.SigInfo{Signo: int(unix.SIGXFSZ)})
		return nil, unix.EFBIG
	}
	room := int(min(lim.Cur-uint64(pos), uint64(maxRW)))
	var out [][]byte
	for _, b := range bufs {
		if room == 0 {
			break
		}
		if len(b) > room {
			b = b[:room]
		}
		out = append(out, b)
		room -= len(b)
	}
	return out, nil
}
