package syscalls

import (
	"strings"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"access":     full(sysAccess),
		"faccessat":  full(sysFaccessat),
		"faccessat2": full(sysFaccessat2),
		"readlink":   full(sysReadlink),
		"readlinkat": full(sysReadlinkat),
		"getcwd":     full(sysGetcwd),
		"chdir":      full(sysChdir),
		"fchdir":     full(sysFchdir),
		"chroot":     full(sysChroot),
	})
}

func doAccess(t *kernel.Task, dirfd int32, pathAddr uintptr, mode uint32, flags int) (uintptr, error) {
	if mode&^(unix.R_OK|unix.W_OK|unix.X_OK) != 0 {
		return 0, unix.EINVAL
	}
	if flags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EACCESS|unix.AT_EMPTY_PATH) != 0 {
		return 0, unix.EINVAL
	}
	path, err := copyInPath(t, pathAddr)
	if err != nil {
		return 0, err
	}
	dir, err := dirFor(t, dirfd, path)
	if err == errNotLocatable {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	ctx := t.VFSContext()
	if flags&unix.AT_EACCESS == 0 {
		// access(2) checks with the real ids, and the capabilities
		// those ids would have: the permitted set for real uid 0, none
		// otherwise (as Linux, unless SECBIT_NO_SETUID_FIXUP).
		c := t.Creds
		caps := c.Effective
		if c.SecureBits&kernel.SecNoSetuidFixup == 0 {
			caps = 0
			if c.RealUID == 0 {
				caps = c.Permitted
			}
		}
		ctx.Creds = &vfs.Creds{UID: c.RealUID, GID: c.RealGID, Groups: c.Groups, Caps: uint64(caps)}
	}
	return 0, errnoOf(vfsOf(t).AccessAt(ctx, dir, path, mode, flags&unix.AT_SYMLINK_NOFOLLOW == 0, flags&unix.AT_EMPTY_PATH != 0))
}

func sysAccess(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doAccess(t, atFDCWD, a[0], a.Uint(1), 0)
}

func sysFaccessat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doAccess(t, a.Int(0), a[1], a.Uint(2), 0)
}

func sysFaccessat2(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doAccess(t, a.Int(0), a[1], a.Uint(2), int(a.Int(3)))
}

func doReadlink(t *kernel.Task, dirfd int32, pathAddr, buf uintptr, size int32) (uintptr, error) {
	if size <= 0 {
		return 0, unix.EINVAL
	}
	path, err := copyInPath(t, pathAddr)
	if err != nil {
		return 0, err
	}
	dir, err := dirFor(t, dirfd, path)
	if err == errNotLocatable {
		return 0, unix.EINVAL
	}
	if err != nil {
		return 0, err
	}
	target, err := vfsOf(t).ReadlinkAt(t.VFSContext(), dir, path)
	if err != nil {
		return 0, errnoOf(err)
	}
	b := []byte(target)
	if len(b) > int(size) {
		b = b[:size]
	}
	if _, err := t.CopyOut(buf, b); err != nil {
		return 0, unix.EFAULT
	}
	return uintptr(len(b)), nil
}

func sysReadlink(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doReadlink(t, atFDCWD, a[0], a[1], a.Int(2))
}

func sysReadlinkat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doReadlink(t, a.Int(0), a[1], a[2], a.Int(3))
}

func sysGetcwd(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	name := vfsOf(t).PathOf(t.FS.Cwd(), t.FS.Root())
	if strings.HasSuffix(name, " (deleted)") {
		return 0, unix.ENOENT
	}
	b := append([]byte(name), 0)
	if uintptr(len(b)) > a[1] {
		return 0, unix.ERANGE
	}
	if _, err := t.CopyOut(a[0], b); err != nil {
		return 0, unix.EFAULT
	}
	return uintptr(len(b)), nil
}

// resolveDir resolves a directory the caller may search (chdir, chroot).
func resolveDir(t *kernel.Task, pathAddr uintptr) (vfs.VirtualDentry, error) {
	path, err := copyInPath(t, pathAddr)
	if err != nil {
		return vfs.VirtualDentry{}, err
	}
	ctx := t.VFSContext()
	vd, err := vfsOf(t).Resolve(ctx, vfs.VirtualDentry{}, path, vfs.ResolveOptions{Follow: true})
	if err != nil {
		return vfs.VirtualDentry{}, errnoOf(err)
	}
	if vfs.FileType(vd.Inode()) != unix.S_IFDIR {
		return vfs.VirtualDentry{}, unix.ENOTDIR
	}
	if err := vfs.MayAccess(ctx.Creds, vd.Inode(), vfs.MayExec); err != nil {
		return vfs.VirtualDentry{}, err
	}
	return vd, nil
}

func sysChdir(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	vd, err := resolveDir(t, a[0])
	if err != nil {
		return 0, err
	}
	t.FS.SetCwd(vd)
	return 0, nil
}

func sysChroot(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if !t.HasCap(unix.CAP_SYS_CHROOT) {
		return 0, unix.EPERM
	}
	vd, err := resolveDir(t, a[0])
	if err != nil {
		return 0, err
	}
	t.FS.SetRoot(vd)
	return 0, nil
}

func sysFchdir(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	f, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	l, ok := f.(vfs.Locatable)
	if !ok {
		return 0, unix.ENOTDIR
	}
	vd := l.Location()
	if vfs.FileType(vd.Inode()) != unix.S_IFDIR {
		return 0, unix.ENOTDIR
	}
	if err := vfs.MayAccess(t.VFSContext().Creds, vd.Inode(), vfs.MayExec); err != nil {
		return 0, err
	}
	t.FS.SetCwd(vd)
	return 0, nil
}
