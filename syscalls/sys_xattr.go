package syscalls

import (
	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"statfs":       full(sysStatfs),
		"fstatfs":      full(sysFstatfs),
		"getxattr":     full(sysGetxattr),
		"lgetxattr":    full(sysLgetxattr),
		"fgetxattr":    full(sysFgetxattr),
		"listxattr":    full(sysListxattr),
		"llistxattr":   full(sysLlistxattr),
		"flistxattr":   full(sysFlistxattr),
		"setxattr":     partial(sysSetxattr, "read-only host root: EROFS"),
		"lsetxattr":    partial(sysSetxattr, "read-only host root: EROFS"),
		"fsetxattr":    partial(sysSetxattr, "read-only host root: EROFS"),
		"removexattr":  partial(sysSetxattr, "read-only host root: EROFS"),
		"lremovexattr": partial(sysSetxattr, "read-only host root: EROFS"),
		"fremovexattr": partial(sysSetxattr, "read-only host root: EROFS"),
	})
}

const xattrSizeMax = 65536

func xfs(t *kernel.Task) (vfs.XattrFilesystem, error) {
	x, ok := t.Kernel().FS.(vfs.XattrFilesystem)
	if !ok {
		return nil, unix.EOPNOTSUPP
	}
	return x, nil
}

func sysStatfs(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	path, err := copyInPath(t, a[0])
	if err != nil {
		return 0, err
	}
	return doStatfs(t, atFDCWD, path, a[1])
}

func sysFstatfs(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doStatfs(t, a.Int(0), "", a[1])
}

func doStatfs(t *kernel.Task, dirfd int32, path string, addr uintptr) (uintptr, error) {
	x, err := xfs(t)
	if err != nil {
		return 0, err
	}
	if path == "" && dirfd == atFDCWD {
		return 0, unix.ENOENT
	}
	dir, err := dirFor(t, dirfd, path)
	if err != nil {
		return 0, err
	}
	defer release(dir)
	var st unix.Statfs_t
	if err := x.StatfsAt(dir, path, &st); err != nil {
		return 0, errnoOf(err)
	}
	if _, err := t.CopyOut(addr, structBytes(&st)); err != nil {
		return 0, unix.EFAULT
	}
	return 0, nil
}

func doGetxattr(t *kernel.Task, dirfd int32, pathAddr uintptr, follow bool, a *kernel.SyscallArgs) (uintptr, error) {
	x, err := xfs(t)
	if err != nil {
		return 0, err
	}
	path := ""
	if pathAddr != 0 || dirfd == atFDCWD {
		if path, err = copyInPath(t, pathAddr); err != nil {
			return 0, err
		}
		if path == "" {
			return 0, unix.ENOENT
		}
	}
	name, err := t.CopyInString(a[1], 255)
	if err != nil {
		if err == unix.ENAMETOOLONG {
			return 0, unix.ERANGE
		}
		return 0, err
	}
	if name == "" {
		return 0, unix.ERANGE
	}
	dir, err := dirFor(t, dirfd, path)
	if err != nil {
		return 0, err
	}
	defer release(dir)
	size := min(a[3], xattrSizeMax)
	var buf []byte
	if size > 0 {
		buf = make([]byte, size)
	}
	n, err := x.GetxattrAt(dir, path, follow, name, buf)
	if err != nil {
		return 0, errnoOf(err)
	}
	if size > 0 {
		if _, err := t.CopyOut(a[2], buf[:n]); err != nil {
			return 0, unix.EFAULT
		}
	}
	return uintptr(n), nil
}

func sysGetxattr(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doGetxattr(t, atFDCWD, a[0], true, a)
}

func sysLgetxattr(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doGetxattr(t, atFDCWD, a[0], false, a)
}

func sysFgetxattr(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doGetxattr(t, a.Int(0), 0, true, a)
}

func doListxattr(t *kernel.Task, dirfd int32, pathAddr uintptr, follow bool, a *kernel.SyscallArgs) (uintptr, error) {
	x, err := xfs(t)
	if err != nil {
		return 0, err
	}
	path := ""
	if dirfd == atFDCWD {
		if path, err = copyInPath(t, pathAddr); err != nil {
			return 0, err
		}
		if path == "" {
			return 0, unix.ENOENT
		}
	}
	dir, err := dirFor(t, dirfd, path)
	if err != nil {
		return 0, err
	}
	defer release(dir)
	size := min(a[2], xattrSizeMax)
	var buf []byte
	if size > 0 {
		buf = make([]byte, size)
	}
	n, err := x.ListxattrAt(dir, path, follow, buf)
	if err != nil {
		return 0, errnoOf(err)
	}
	if size > 0 {
		if _, err := t.CopyOut(a[1], buf[:n]); err != nil {
			return 0, unix.EFAULT
		}
	}
	return uintptr(n), nil
}

func sysListxattr(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doListxattr(t, atFDCWD, a[0], true, a)
}

func sysLlistxattr(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doListxattr(t, atFDCWD, a[0], false, a)
}

func sysFlistxattr(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doListxattr(t, a.Int(0), 0, true, a)
}

func sysSetxattr(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return 0, unix.EROFS
}
