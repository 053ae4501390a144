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
		"statx":      full(sysStatx),
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
	if flags&unix.AT_SYMLINK_NOFOLLOW == 0 {
		path = procSelfExe(t, path)
	}
	var st unix.Stat_t
	if path == "" && flags&unix.AT_EMPTY_PATH != 0 && dirfd != atFDCWD {
		f, err := getFile(t, dirfd)
		if err != nil {
			return 0, err
		}
		err = f.Stat(&st)
		f.DecRef()
		if err != nil {
			return 0, errnoOf(err)
		}
		return 0, copyOutStat(t, statAddr, &st)
	}
	dir, err := dirFor(t, dirfd, path)
	if err != nil {
		return 0, err
	}
	defer release(dir)
	if err := t.Kernel().FS.StatAt(dir, path, flags, &st); err != nil {
		return 0, errnoOf(err)
	}
	return 0, copyOutStat(t, statAddr, &st)
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
	dirfd, flags, mask := a.Int(0), int(a.Int(2)), int(a.Uint(3))
	if flags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH|unix.AT_NO_AUTOMOUNT|0x6000) != 0 {
		return 0, unix.EINVAL
	}
	if flags&0x6000 == 0x6000 || uint32(mask)&unix.STATX__RESERVED != 0 {
		return 0, unix.EINVAL
	}
	path, err := copyInPath(t, a[1])
	if err != nil {
		return 0, err
	}
	var stx unix.Statx_t
	if path == "" && flags&unix.AT_EMPTY_PATH != 0 && dirfd != atFDCWD {
		f, err := getFile(t, dirfd)
		if err != nil {
			return 0, err
		}
		defer f.DecRef()
		hfd := f.HostFD()
		if hfd < 0 {
			return 0, unix.EBADF
		}
		if err := unix.Statx(hfd, "", unix.AT_EMPTY_PATH, mask, &stx); err != nil {
			return 0, errnoOf(err)
		}
	} else {
		dir, err := dirFor(t, dirfd, path)
		if err != nil {
			return 0, err
		}
		defer release(dir)
		if err := t.Kernel().FS.StatxAt(dir, path, flags, mask, &stx); err != nil {
			return 0, errnoOf(err)
		}
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&stx)), unsafe.Sizeof(stx))
	if _, err := t.CopyOut(a[4], b); err != nil {
		return 0, unix.EFAULT
	}
	return 0, nil
}
