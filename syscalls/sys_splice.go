package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/pipe"
	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/waiter"
)

// sendfile, splice, tee, vmsplice and copy_file_range move data between
// file descriptions through a sentry buffer, in chunks: there is no page
// cache to move pages through, and every file description can read and
// write. The errors follow Linux's checks.

func init() {
	register(map[string]impl{
		"sendfile":        full(sysSendfile),
		"splice":          partial(sysSplice, "data is copied, not moved (SPLICE_F_MOVE and SPLICE_F_GIFT are hints)"),
		"tee":             full(sysTee),
		"vmsplice":        partial(sysVmsplice, "data is copied into the pipe (SPLICE_F_GIFT is a hint)"),
		"copy_file_range": full(sysCopyFileRange),
	})
}

// splice(2) flags.
const (
	spliceFMove     = 1
	spliceFNonblock = 2
	spliceFMore     = 4
	spliceFGift     = 8
	spliceFlags     = spliceFMove | spliceFNonblock | spliceFMore | spliceFGift
)

// spliceChunk is the most one read of a transfer asks for.
const spliceChunk = 128 << 10

// pipeEnd is a file description that is one end of a pipe (pipe.End and
// the FIFO descriptions embedding one).
type pipeEnd interface {
	Pipe() *pipe.Pipe
	IsReadEnd() bool
}

func pipeOf(f vfs.FileDescription) (pipeEnd, bool) {
	p, ok := f.(pipeEnd)
	return p, ok
}

func fileMode(f vfs.FileDescription) uint32 {
	var st unix.Stat_t
	if f.Stat(&st) != nil {
		return 0
	}
	return st.Mode & unix.S_IFMT
}

// readable and writable check the access mode as Linux's FMODE_READ and
// FMODE_WRITE do (EBADF otherwise).
func readable(f vfs.FileDescription) bool {
	fl := f.StatusFlags()
	acc := fl & unix.O_ACCMODE
	return fl&unix.O_PATH == 0 && (acc == unix.O_RDONLY || acc == unix.O_RDWR)
}

func writable(f vfs.FileDescription) bool {
	fl := f.StatusFlags()
	acc := fl & unix.O_ACCMODE
	return fl&unix.O_PATH == 0 && (acc == unix.O_WRONLY || acc == unix.O_RDWR)
}

// readOnce reads into buf, waiting for data if block and the file is a
// waitable one (as read(2) does), else returning EAGAIN.
func readOnce(t *kernel.Task, f vfs.FileDescription, buf []byte, off int64, block bool) (int, error) {
	if block {
		return blockingRead(t, f, [][]byte{buf}, off)
	}
	return f.Read([][]byte{buf}, off)
}

// writeOut writes buf, waiting for room if block (a short count only on
// interruption or error), else writing what fits now.
func writeOut(t *kernel.Task, f vfs.FileDescription, buf []byte, off int64, block bool) (int, error) {
	if block {
		return blockingWrite(t, f, [][]byte{buf}, off)
	}
	n, err := f.Write([][]byte{buf}, off)
	if err == unix.EAGAIN && n > 0 {
		err = nil
	}
	return n, err
}

// transfer copies up to count bytes from in to out. inOff/outOff point at
// explicit offsets (advanced), or are nil for the files' own offsets.
// The first read may wait for data when blockIn; later ones only take
// what is there. Writes wait for room when blockOut.
func transfer(t *kernel.Task, in vfs.FileDescription, inOff *int64, out vfs.FileDescription, outOff *int64, count int64, blockIn, blockOut bool) (int64, error) {
	buf := make([]byte, min(count, spliceChunk))
	var done int64
	for done < count {
		b := buf[:min(int64(len(buf)), count-done)]
		roff := int64(-1)
		if inOff != nil {
			roff = *inOff
		}
		n, err := readOnce(t, in, b, roff, blockIn && done == 0)
		if n <= 0 {
			if done > 0 || err == nil {
				return done, nil
			}
			return 0, errnoOf(err)
		}
		woff := int64(-1)
		if outOff != nil {
			woff = *outOff
		}
		w, werr := writeOut(t, out, b[:n], woff, blockOut)
		if w < 0 {
			w = 0
		}
		if inOff != nil {
			*inOff += int64(w)
		} else if w < n {
			// Give back what was read but not written, where possible.
			in.Seek(int64(w-n), unix.SEEK_CUR)
		}
		if outOff != nil {
			*outOff += int64(w)
		}
		done += int64(w)
		if werr != nil || w < n {
			if done > 0 {
				return done, nil
			}
			if werr == nil {
				werr = unix.EAGAIN
			}
			return 0, errnoOf(werr)
		}
		if n < len(b) && inOff == nil {
			// A short read: for a pipe or socket, what was there is
			// taken; files at EOF answer 0 next time anyway.
			if _, ok := pipeOf(in); ok {
				return done, nil
			}
		}
	}
	return done, nil
}

// getOffset reads a loff_t argument.
func getOffset(t *kernel.Task, addr uintptr) (int64, error) {
	var b [8]byte
	if _, err := t.CopyIn(addr, b[:]); err != nil {
		return 0, unix.EFAULT
	}
	return int64(binary.LittleEndian.Uint64(b[:])), nil
}

func putOffset(t *kernel.Task, addr uintptr, off int64) error {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(off))
	if _, err := t.CopyOut(addr, b[:]); err != nil {
		return unix.EFAULT
	}
	return nil
}

// blocksOn reports whether calls on f wait (it is waitable and has no
// O_NONBLOCK) and the call did not ask not to.
func blocksOn(f vfs.FileDescription, nonblock bool) bool {
	if nonblock {
		return false
	}
	_, ok := blockingWaitable(f)
	return ok
}

func sysSendfile(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	out, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer out.DecRef()
	in, err := getFile(t, a.Int(1))
	if err != nil {
		return 0, err
	}
	defer in.DecRef()
	if !readable(in) || !writable(out) {
		return 0, unix.EBADF
	}
	if out.StatusFlags()&unix.O_APPEND != 0 {
		return 0, unix.EINVAL
	}
	count := int64(a[3])
	if count < 0 {
		return 0, unix.EINVAL
	}
	count = min(count, maxRW)
	var off int64
	var inOff *int64
	if a[2] != 0 {
		if off, err = getOffset(t, a[2]); err != nil {
			return 0, err
		}
		if off < 0 {
			return 0, unix.EINVAL
		}
		inOff = &off
	}
	if count == 0 {
		return 0, nil
	}
	n, err := transfer(t, in, inOff, out, nil, count, blocksOn(in, false), blocksOn(out, false))
	if inOff != nil {
		if perr := putOffset(t, a[2], off); perr != nil {
			return 0, perr
		}
	}
	if n > 0 {
		return uintptr(n), nil
	}
	return 0, err
}

func sysSplice(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	count, flags := int64(a[4]), a.Uint(5)
	if flags&^spliceFlags != 0 {
		return 0, unix.EINVAL
	}
	in, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer in.DecRef()
	out, err := getFile(t, a.Int(2))
	if err != nil {
		return 0, err
	}
	defer out.DecRef()
	if !readable(in) || !writable(out) {
		return 0, unix.EBADF
	}
	inPipe, inIsPipe := pipeOf(in)
	outPipe, outIsPipe := pipeOf(out)
	if !inIsPipe && !outIsPipe {
		return 0, unix.EINVAL
	}
	if inIsPipe && outIsPipe && inPipe.Pipe() == outPipe.Pipe() {
		return 0, unix.EINVAL
	}
	var inOff, outOff *int64
	var ioff, ooff int64
	if a[1] != 0 {
		if inIsPipe {
			return 0, unix.ESPIPE
		}
		if ioff, err = getOffset(t, a[1]); err != nil {
			return 0, err
		}
		if ioff < 0 {
			return 0, unix.EINVAL
		}
		inOff = &ioff
	}
	if a[3] != 0 {
		if outIsPipe {
			return 0, unix.ESPIPE
		}
		if ooff, err = getOffset(t, a[3]); err != nil {
			return 0, err
		}
		if ooff < 0 {
			return 0, unix.EINVAL
		}
		outOff = &ooff
	}
	if !outIsPipe && out.StatusFlags()&unix.O_APPEND != 0 {
		return 0, unix.EINVAL
	}
	if count == 0 {
		return 0, nil
	}
	count = min(count, maxRW)
	nonblock := flags&spliceFNonblock != 0
	// SPLICE_F_NONBLOCK makes the pipe side non-blocking; the other side
	// keeps its own mode.
	blockIn := blocksOn(in, nonblock && inIsPipe)
	blockOut := blocksOn(out, nonblock && outIsPipe)
	n, err := transfer(t, in, inOff, out, outOff, count, blockIn, blockOut)
	if inOff != nil {
		if perr := putOffset(t, a[1], ioff); perr != nil && n == 0 {
			return 0, perr
		}
	}
	if outOff != nil {
		if perr := putOffset(t, a[3], ooff); perr != nil && n == 0 {
			return 0, perr
		}
	}
	if n > 0 {
		return uintptr(n), nil
	}
	return 0, err
}

func sysTee(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	count, flags := int64(a[2]), a.Uint(3)
	if flags&^spliceFlags != 0 {
		return 0, unix.EINVAL
	}
	in, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer in.DecRef()
	out, err := getFile(t, a.Int(1))
	if err != nil {
		return 0, err
	}
	defer out.DecRef()
	if !readable(in) || !writable(out) {
		return 0, unix.EBADF
	}
	ip, ok1 := pipeOf(in)
	op, ok2 := pipeOf(out)
	if !ok1 || !ok2 || !ip.IsReadEnd() || op.IsReadEnd() || ip.Pipe() == op.Pipe() {
		return 0, unix.EINVAL
	}
	if count == 0 {
		return 0, nil
	}
	nonblock := flags&spliceFNonblock != 0
	buf := make([]byte, min(count, int64(pipe.MaxSize)))
	// Wait for data in the input pipe (tee takes none of it).
	var e *waiter.Entry
	var n int
	for {
		var eof bool
		n, eof = ip.Pipe().Peek(buf)
		if n > 0 || eof {
			break
		}
		if nonblock || in.StatusFlags()&unix.O_NONBLOCK != 0 {
			return 0, unix.EAGAIN
		}
		w := in.(waiter.Waitable)
		if e == nil {
			e = waiter.NewChannelEntry(waiter.EventIn | waiter.EventRdNorm | waiter.EventHUp)
			w.EventRegister(e)
			defer w.EventUnregister(e)
			continue
		}
		if berr := t.Block(e.C, time.Time{}); berr != nil {
			return 0, berr
		}
	}
	if n == 0 {
		return 0, nil
	}
	w, err := writeOut(t, out, buf[:n], -1, blocksOn(out, nonblock))
	if w > 0 {
		return uintptr(w), nil
	}
	return 0, errnoOf(err)
}

func sysVmsplice(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	flags := a.Uint(3)
	if flags&^spliceFlags != 0 {
		return 0, unix.EINVAL
	}
	f, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	p, ok := pipeOf(f)
	if !ok {
		return 0, unix.EBADF
	}
	nonblock := flags&spliceFNonblock != 0
	if p.IsReadEnd() {
		if !readable(f) {
			return 0, unix.EBADF
		}
		bufs, err := iovecBlocks(t, a[1], a.Int(2), true)
		if err != nil || len(bufs) == 0 {
			return 0, err
		}
		var n int
		if blocksOn(f, nonblock) {
			n, err = blockingRead(t, f, bufs, -1)
		} else {
			n, err = f.Read(bufs, -1)
		}
		if n > 0 {
			return uintptr(n), nil
		}
		return 0, errnoOf(err)
	}
	if !writable(f) {
		return 0, unix.EBADF
	}
	bufs, err := iovecBlocks(t, a[1], a.Int(2), false)
	if err != nil || len(bufs) == 0 {
		return 0, err
	}
	var n int
	if blocksOn(f, nonblock) {
		n, err = blockingWrite(t, f, bufs, -1)
	} else {
		n, err = f.Write(bufs, -1)
	}
	if n > 0 {
		return uintptr(n), nil
	}
	return 0, errnoOf(err)
}

func sysCopyFileRange(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if a[5] != 0 {
		return 0, unix.EINVAL
	}
	in, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer in.DecRef()
	out, err := getFile(t, a.Int(2))
	if err != nil {
		return 0, err
	}
	defer out.DecRef()
	if !readable(in) || !writable(out) || out.StatusFlags()&unix.O_APPEND != 0 {
		return 0, unix.EBADF
	}
	im, om := fileMode(in), fileMode(out)
	if im == unix.S_IFDIR || om == unix.S_IFDIR {
		return 0, unix.EISDIR
	}
	if im != unix.S_IFREG || om != unix.S_IFREG {
		return 0, unix.EINVAL
	}
	var ioff, ooff int64
	var inOff, outOff *int64
	if a[1] != 0 {
		if ioff, err = getOffset(t, a[1]); err != nil {
			return 0, err
		}
		inOff = &ioff
	} else if ioff, err = in.Seek(0, unix.SEEK_CUR); err != nil {
		return 0, errnoOf(err)
	}
	if a[3] != 0 {
		if ooff, err = getOffset(t, a[3]); err != nil {
			return 0, err
		}
		outOff = &ooff
	} else if ooff, err = out.Seek(0, unix.SEEK_CUR); err != nil {
		return 0, errnoOf(err)
	}
	count := int64(a[4])
	if ioff < 0 || ooff < 0 || count < 0 {
		return 0, unix.EINVAL
	}
	count = min(count, maxRW)
	if ioff > 1<<63-1-count || ooff > 1<<63-1-count {
		return 0, unix.EOVERFLOW
	}
	if vfs.LockKey(in) == vfs.LockKey(out) && ioff < ooff+count && ooff < ioff+count {
		return 0, unix.EINVAL
	}
	if count == 0 {
		return 0, nil
	}
	// Explicit offsets throughout; the files' own offsets are advanced
	// afterwards when no pointer was given.
	si, so := ioff, ooff
	n, err := transfer(t, in, &ioff, out, &ooff, count, false, false)
	if n > 0 {
		if inOff != nil {
			if perr := putOffset(t, a[1], ioff); perr != nil {
				return 0, perr
			}
		} else {
			in.Seek(si+n, unix.SEEK_SET)
		}
		if outOff != nil {
			if perr := putOffset(t, a[3], ooff); perr != nil {
				return 0, perr
			}
		} else {
			out.Seek(so+n, unix.SEEK_SET)
		}
		return uintptr(n), nil
	}
	return 0, err
}
