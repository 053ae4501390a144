package syscalls

import (
	"encoding/binary"
	"math"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/waiter"
)

func init() {
	register(map[string]impl{
		"flock": full(sysFlock),
	})
}

// flock(2) operations.
const (
	lockSH = 1
	lockEX = 2
	lockNB = 4
	lockUN = 8
)

func sysFlock(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	f, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if f.StatusFlags()&unix.O_PATH != 0 {
		return 0, unix.EBADF
	}
	op := int(a.Int(1))
	nb := op&lockNB != 0
	var typ int16
	switch op &^ lockNB {
	case lockSH:
		typ = vfs.ReadLock
	case lockEX:
		typ = vfs.WriteLock
	case lockUN:
		typ = vfs.Unlock
	default:
		return 0, unix.EINVAL
	}
	key, owner := vfs.LockKey(f), vfs.FileOwner(f)
	err = vfs.Locks.Flock(key, owner, typ)
	if err != unix.EAGAIN || nb {
		return 0, err
	}
	return 0, waitLock(t, key, owner, func() error { return vfs.Locks.Flock(key, owner, typ) })
}

// waitLock retries try, a lock attempt returning EAGAIN while it
// conflicts, each time a lock of key is released, until it succeeds,
// fails otherwise, or a signal interrupts the wait (ERESTARTSYS).
func waitLock(t *kernel.Task, key, owner any, try func() error) error {
	e := waiter.NewChannelEntry(waiter.EventIn)
	vfs.Locks.EventRegister(key, e)
	defer vfs.Locks.EventUnregister(key, e)
	defer vfs.Locks.StopWaiting(owner)
	for {
		err := try()
		if err != unix.EAGAIN {
			return err
		}
		if berr := t.Block(e.C, time.Time{}); berr != nil {
			return berr
		}
	}
}

// flockSize is sizeof(struct flock) on amd64.
const flockSize = 32

// fcntlLock implements F_GETLK, F_SETLK, F_SETLKW and their F_OFD_
// versions.
func fcntlLock(t *kernel.Task, f vfs.FileDescription, cmd int, addr uintptr) (uintptr, error) {
	if f.StatusFlags()&unix.O_PATH != 0 {
		return 0, unix.EBADF
	}
	var b [flockSize]byte
	if _, err := t.CopyIn(addr, b[:]); err != nil {
		return 0, unix.EFAULT
	}
	le := binary.LittleEndian
	typ := int16(le.Uint16(b[0:]))
	whence := int16(le.Uint16(b[2:]))
	start := int64(le.Uint64(b[8:]))
	length := int64(le.Uint64(b[16:]))
	pid := int32(le.Uint32(b[24:]))
	ofd := cmd == unix.F_OFD_GETLK || cmd == unix.F_OFD_SETLK || cmd == unix.F_OFD_SETLKW
	if ofd && pid != 0 {
		return 0, unix.EINVAL
	}
	if typ != vfs.ReadLock && typ != vfs.WriteLock && typ != vfs.Unlock {
		return 0, unix.EINVAL
	}
	r, err := lockRange(f, whence, start, length)
	if err != nil {
		return 0, err
	}
	key := vfs.LockKey(f)
	var owner any = t.FDTable
	if ofd {
		owner = vfs.FileOwner(f)
	}
	switch cmd {
	case unix.F_GETLK, unix.F_OFD_GETLK:
		if typ == vfs.Unlock {
			return 0, unix.EINVAL
		}
		info, found := vfs.Locks.TestRecord(key, owner, typ, r)
		if !found {
			le.PutUint16(b[0:], uint16(vfs.Unlock))
		} else {
			le.PutUint16(b[0:], uint16(info.Type))
			le.PutUint16(b[2:], unix.SEEK_SET)
			le.PutUint64(b[8:], info.Range.Start)
			l := int64(0)
			if info.Range.End != vfs.LockEOF {
				l = int64(info.Range.End - info.Range.Start)
			}
			le.PutUint64(b[16:], uint64(l))
			le.PutUint32(b[24:], uint32(info.PID))
		}
		if _, err := t.CopyOut(addr, b[:]); err != nil {
			return 0, unix.EFAULT
		}
		return 0, nil
	}
	acc := f.StatusFlags() & unix.O_ACCMODE
	switch typ {
	case vfs.ReadLock:
		if acc != unix.O_RDONLY && acc != unix.O_RDWR {
			return 0, unix.EBADF
		}
	case vfs.WriteLock:
		if acc != unix.O_WRONLY && acc != unix.O_RDWR {
			return 0, unix.EBADF
		}
	}
	wait := cmd == unix.F_SETLKW || cmd == unix.F_OFD_SETLKW
	pid = t.PID()
	err = vfs.Locks.SetRecord(key, owner, pid, ofd, typ, r, wait)
	if err != unix.EAGAIN || !wait {
		if err == unix.EAGAIN {
			vfs.Locks.StopWaiting(owner)
		}
		return 0, err
	}
	return 0, waitLock(t, key, owner, func() error {
		return vfs.Locks.SetRecord(key, owner, pid, ofd, typ, r, true)
	})
}

// lockRange converts struct flock's whence/start/len to a byte range.
func lockRange(f vfs.FileDescription, whence int16, start, length int64) (vfs.LockRange, error) {
	var base int64
	switch whence {
	case unix.SEEK_SET:
	case unix.SEEK_CUR:
		off, err := f.Seek(0, unix.SEEK_CUR)
		if err != nil {
			off = 0
		}
		base = off
	case unix.SEEK_END:
		var st unix.Stat_t
		if err := f.Stat(&st); err != nil {
			return vfs.LockRange{}, errnoOf(err)
		}
		base = st.Size
	default:
		return vfs.LockRange{}, unix.EINVAL
	}
	if start > 0 && base > math.MaxInt64-start {
		return vfs.LockRange{}, unix.EOVERFLOW
	}
	s := base + start
	if s < 0 {
		return vfs.LockRange{}, unix.EINVAL
	}
	switch {
	case length == 0:
		return vfs.LockRange{Start: uint64(s), End: vfs.LockEOF}, nil
	case length > 0:
		if s > math.MaxInt64-(length-1) {
			return vfs.LockRange{}, unix.EOVERFLOW
		}
		return vfs.LockRange{Start: uint64(s), End: uint64(s + length)}, nil
	default:
		if s+length < 0 {
			return vfs.LockRange{}, unix.EINVAL
		}
		return vfs.LockRange{Start: uint64(s + length), End: uint64(s)}, nil
	}
}
