package syscalls

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"stat":       full(sysStat),
		"lstat":      full(sysLstat),
		"fstat":      full(sysFstat),
		"newfstatat": full(sysNewfstatat),
		"statx":      partial(sysStatx, "basic fields only: no birth time, attributes or mount id"),
	})
}

func copyOutStat(t *kernel.Task, addr uintptr, st *unix.Stat_t) error {
	b := unsafe.Slice((*byte)(unsafe.Pointer(st)), unsafe.Sizeof(*st))
	if _, err := t.CopyOut(addr, b); err != nil {
		return unix.EFAULT
	}
	return nil
}

func doStatAt(t *kernel.Task, dirfd int32, pathAddr uintptr, statAddr uintptr, flags int) (uintptr, error) {
	if flags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH|unix.AT_NO_AUTOMOUNT) != 0 {
		return 0, unix.EINVAL
	}
	path, err := copyInPath(t, pathAddr)
	if err != nil {
		return 0, err
	}
	var st unix.Stat_t
	if err := statPath(t, dirfd, path, flags, &st); err != nil {
		return 0, err
	}
	return 0, copyOutStat(t, statAddr, &st)
}

// statPath stats path relative to dirfd (or the fd itself with
// AT_EMPTY_PATH and an empty path).
func statPath(t *kernel.Task, dirfd int32, path string, flags int, st *unix.Stat_t) error {
	empty := flags&unix.AT_EMPTY_PATH != 0
	if path == "" && !empty {
		return unix.ENOENT
	}
	dir, err := dirFor(t, dirfd, path)
	if err == errNotLocatable {
		f, err := getFile(t, dirfd)
		if err != nil {
			return err
		}
		defer f.DecRef()
		return errnoOf(f.Stat(st))
	}
	if err != nil {
		return err
	}
	return errnoOf(vfsOf(t).StatAt(t.VFSContext(), dir, path, flags&unix.AT_SYMLINK_NOFOLLOW == 0, empty, st))
}

func sysStat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doStatAt(t, atFDCWD, a[0], a[1], 0)
}

func sysLstat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doStatAt(t, atFDCWD, a[0], a[1], unix.AT_SYMLINK_NOFOLLOW)
}

func sysNewfstatat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doStatAt(t, a.Int(0), a[1], a[2], int(a.Int(3)))
}

func sysFstat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	f, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	var st unix.Stat_t
	if err := f.Stat(&st); err != nil {
		return 0, errnoOf(err)
	}
	return 0, copyOutStat(t, a[1], &st)
}

func sysStatx(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	dirfd, flags, mask := a.Int(0), int(a.Int(2)), a.Uint(3)
	if flags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH|unix.AT_NO_AUTOMOUNT|0x6000) != 0 {
		return 0, unix.EINVAL
	}
	if flags&0x6000 == 0x6000 || mask&unix.STATX__RESERVED != 0 {
		return 0, unix.EINVAL
	}
	path, err := copyInPath(t, a[1])
	if err != nil {
		return 0, err
	}
	var st unix.Stat_t
	if err := statPath(t, dirfd, path, flags, &st); err != nil {
		return 0, err
	}
	stx := statxFromStat(&st)
	if _, err := t.CopyOut(a[4], structBytes(&stx)); err != nil {
		return 0, unix.EFAULT
	}
	return 0, nil
}

// statxFromStat fills a statx from a stat (the basic fields; no birth time).
func statxFromStat(st *unix.Stat_t) unix.Statx_t {
	return unix.Statx_t{
		Mask:       unix.STATX_BASIC_STATS,
		Blksize:    uint32(st.Blksize),
		Nlink:      uint32(st.Nlink),
		Uid:        st.Uid,
		Gid:        st.Gid,
		Mode:       uint16(st.Mode),
		Ino:        st.Ino,
		Size:       uint64(st.Size),
		Blocks:     uint64(st.Blocks),
		Atime:      unix.StatxTimestamp{Sec: st.Atim.Sec, Nsec: uint32(st.Atim.Nsec)},
		Ctime:      unix.StatxTimestamp{Sec: st.Ctim.Sec, Nsec: uint32(st.Ctim.Nsec)},
		Mtime:      unix.StatxTimestamp{Sec: st.Mtim.Sec, Nsec: uint32(st.Mtim.Nsec)},
		Rdev_major: unix.Major(st.Rdev),
		Rdev_minor: unix.Minor(st.Rdev),
		Dev_major:  unix.Major(st.Dev),
		Dev_minor:  unix.Minor(st.Dev),
	}
}
