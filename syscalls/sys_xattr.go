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
		"setxattr":     full(sysSetxattr),
		"lsetxattr":    full(sysLsetxattr),
		"fsetxattr":    full(sysFsetxattr),
		"removexattr":  full(sysRemovexattr),
		"lremovexattr": full(sysLremovexattr),
		"fremovexattr": full(sysFremovexattr),
	})
}

const xattrSizeMax = 65536

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
	if path == "" && dirfd == atFDCWD {
		return 0, unix.ENOENT
	}
	var st unix.Statfs_t
	dir, err := dirFor(t, dirfd, path)
	if err == errNotLocatable {
		// pipes, sockets, host stdio: report the pseudo filesystem.
		st = unix.Statfs_t{Type: 0x50495045, Bsize: 4096, Frsize: 4096, Namelen: 255}
	} else if err != nil {
		return 0, err
	} else if err := vfsOf(t).StatfsAt(t.VFSContext(), dir, path, path == "", &st); err != nil {
		return 0, errnoOf(err)
	}
	if _, err := t.CopyOut(addr, structBytes(&st)); err != nil {
		return 0, unix.EFAULT
	}
	return 0, nil
}

// xattrTarget resolves the file an xattr call names: a path (follow or
// not) or, with pathAddr 0, the fd.
func xattrTarget(t *kernel.Task, fd int32, pathAddr uintptr, follow bool) (vfs.XattrInode, vfs.VirtualDentry, error) {
	path := ""
	if pathAddr != 0 {
		var err error
		if path, err = copyInPath(t, pathAddr); err != nil {
			return nil, vfs.VirtualDentry{}, err
		}
		if path == "" {
			return nil, vfs.VirtualDentry{}, unix.ENOENT
		}
		fd = atFDCWD
	}
	dir, err := dirFor(t, fd, path)
	if err == errNotLocatable {
		return nil, vfs.VirtualDentry{}, unix.EOPNOTSUPP
	}
	if err != nil {
		return nil, vfs.VirtualDentry{}, err
	}
	x, vd, err := vfsOf(t).XattrAt(t.VFSContext(), dir, path, follow, path == "")
	return x, vd, errnoOf(err)
}

func xattrName(t *kernel.Task, addr uintptr) (string, error) {
	name, err := t.CopyInString(addr, 255)
	if err != nil {
		if err == unix.ENAMETOOLONG {
			return "", unix.ERANGE
		}
		return "", err
	}
	if name == "" {
		return "", unix.ERANGE
	}
	return name, nil
}

func doGetxattr(t *kernel.Task, fd int32, pathAddr uintptr, follow bool, a *kernel.SyscallArgs) (uintptr, error) {
	x, _, err := xattrTarget(t, fd, pathAddr, follow)
	if err != nil {
		return 0, err
	}
	name, err := xattrName(t, a[1])
	if err != nil {
		return 0, err
	}
	size := min(a[3], xattrSizeMax)
	var buf []byte
	if size > 0 {
		buf = make([]byte, size)
	}
	n, err := x.Getxattr(name, buf)
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

func doListxattr(t *kernel.Task, fd int32, pathAddr uintptr, follow bool, a *kernel.SyscallArgs) (uintptr, error) {
	x, _, err := xattrTarget(t, fd, pathAddr, follow)
	if err != nil {
		return 0, err
	}
	size := min(a[2], xattrSizeMax)
	var buf []byte
	if size > 0 {
		buf = make([]byte, size)
	}
	n, err := x.Listxattr(buf)
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

// mayWriteXattr checks that the caller may change name on the file at vd.
func mayWriteXattr(t *kernel.Task, vd vfs.VirtualDentry, name string) error {
	if vfs.ReadOnlyAt(vd) {
		return unix.EROFS
	}
	ctx := t.VFSContext()
	switch {
	case len(name) > 8 && name[:8] == "trusted.", len(name) > 9 && name[:9] == "security.":
		if !ctx.Creds.HasCap(unix.CAP_SYS_ADMIN) {
			return unix.EPERM
		}
	case len(name) > 5 && name[:5] == "user.":
		ft := vfs.FileType(vd.Inode())
		if ft != unix.S_IFREG && ft != unix.S_IFDIR {
			return unix.EPERM
		}
		return vfs.MayAccess(ctx.Creds, vd.Inode(), vfs.MayWrite)
	default:
		return unix.EOPNOTSUPP
	}
	return nil
}

func doSetxattr(t *kernel.Task, fd int32, pathAddr uintptr, follow bool, a *kernel.SyscallArgs) (uintptr, error) {
	x, vd, err := xattrTarget(t, fd, pathAddr, follow)
	if err != nil {
		return 0, err
	}
	name, err := xattrName(t, a[1])
	if err != nil {
		return 0, err
	}
	flags := int(a.Int(4))
	if flags&^(unix.XATTR_CREATE|unix.XATTR_REPLACE) != 0 {
		return 0, unix.EINVAL
	}
	if a[3] > xattrSizeMax {
		return 0, unix.E2BIG
	}
	val := make([]byte, a[3])
	if _, err := t.CopyIn(a[2], val); err != nil {
		return 0, unix.EFAULT
	}
	if err := mayWriteXattr(t, vd, name); err != nil {
		return 0, err
	}
	return 0, errnoOf(x.Setxattr(name, val, flags))
}

func sysSetxattr(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doSetxattr(t, atFDCWD, a[0], true, a)
}

func sysLsetxattr(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doSetxattr(t, atFDCWD, a[0], false, a)
}

func sysFsetxattr(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doSetxattr(t, a.Int(0), 0, true, a)
}

func doRemovexattr(t *kernel.Task, fd int32, pathAddr uintptr, follow bool, a *kernel.SyscallArgs) (uintptr, error) {
	x, vd, err := xattrTarget(t, fd, pathAddr, follow)
	if err != nil {
		return 0, err
	}
	name, err := xattrName(t, a[1])
	if err != nil {
		return 0, err
	}
	if err := mayWriteXattr(t, vd, name); err != nil {
		return 0, err
	}
	return 0, errnoOf(x.Removexattr(name))
}

func sysRemovexattr(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doRemovexattr(t, atFDCWD, a[0], true, a)
}

func sysLremovexattr(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doRemovexattr(t, atFDCWD, a[0], false, a)
}

func sysFremovexattr(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doRemovexattr(t, a.Int(0), 0, true, a)
}
