package syscalls

import (
	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"mount":   partial(sysMount, "tmpfs, proc, sysfs and bind mounts; remount changes flags; propagation flags are accepted and ignored; one mount namespace"),
		"umount2": partial(sysUmount2, "MNT_FORCE and MNT_EXPIRE are treated as plain unmounts"),
	})
}

// mountFlags maps MS_* flags to VFS mount flags.
func mountFlags(f uint64) uint64 {
	var out uint64
	if f&unix.MS_RDONLY != 0 {
		out |= vfs.MountReadOnly
	}
	if f&unix.MS_NOSUID != 0 {
		out |= vfs.MountNoSuid
	}
	if f&unix.MS_NODEV != 0 {
		out |= vfs.MountNoDev
	}
	if f&unix.MS_NOEXEC != 0 {
		out |= vfs.MountNoExec
	}
	return out
}

func sysMount(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if !t.HasCap(unix.CAP_SYS_ADMIN) {
		return 0, unix.EPERM
	}
	flags := uint64(a[3])
	target, err := copyInPath(t, a[1])
	if err != nil {
		return 0, err
	}
	ctx := t.VFSContext()
	v := vfsOf(t)
	at, err := v.Resolve(ctx, vfs.VirtualDentry{}, target, vfs.ResolveOptions{Follow: true})
	if err != nil {
		return 0, errnoOf(err)
	}
	const propagation = unix.MS_SHARED | unix.MS_PRIVATE | unix.MS_SLAVE | unix.MS_UNBINDABLE
	switch {
	case flags&unix.MS_REMOUNT != 0:
		if at.Dentry != at.Mount.Root() {
			return 0, unix.EINVAL
		}
		at.Mount.Flags = at.Mount.Flags&^(vfs.MountReadOnly|vfs.MountNoSuid|vfs.MountNoDev|vfs.MountNoExec) | mountFlags(flags)
		return 0, nil
	case flags&propagation != 0 && flags&(unix.MS_BIND|unix.MS_MOVE) == 0:
		return 0, nil // one namespace: propagation has no effect
	case flags&unix.MS_MOVE != 0:
		return 0, unix.EINVAL
	case flags&unix.MS_BIND != 0:
		source, err := copyInPath(t, a[0])
		if err != nil {
			return 0, err
		}
		src, err := v.Resolve(ctx, vfs.VirtualDentry{}, source, vfs.ResolveOptions{Follow: true})
		if err != nil {
			return 0, errnoOf(err)
		}
		if (vfs.FileType(src.Inode()) == unix.S_IFDIR) != (vfs.FileType(at.Inode()) == unix.S_IFDIR) {
			return 0, unix.ENOTDIR
		}
		if _, err := v.BindMount(at, src, src.Mount.Flags|mountFlags(flags)); err != nil {
			return 0, errnoOf(err)
		}
		return 0, nil
	}
	if vfs.FileType(at.Inode()) != unix.S_IFDIR {
		return 0, unix.ENOTDIR
	}
	fstype, err := t.CopyInString(a[2], 255)
	if err != nil {
		return 0, err
	}
	source := ""
	if a[0] != 0 {
		if source, err = t.CopyInString(a[0], pathMax-1); err != nil {
			return 0, err
		}
	}
	data := ""
	if a[4] != 0 {
		if data, err = t.CopyInString(a[4], 4095); err != nil && err != unix.ENAMETOOLONG {
			return 0, err
		}
	}
	root, opts, err := t.Kernel().NewFilesystem(fstype, source, data)
	if err != nil {
		return 0, errnoOf(err)
	}
	if source == "" {
		source = "none"
	}
	if _, err := v.Mount(at, root, fstype, source, mountFlags(flags), opts); err != nil {
		return 0, errnoOf(err)
	}
	return 0, nil
}

func sysUmount2(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if !t.HasCap(unix.CAP_SYS_ADMIN) {
		return 0, unix.EPERM
	}
	flags := a.Int(1)
	if flags&^(unix.MNT_FORCE|unix.MNT_DETACH|unix.MNT_EXPIRE|unix.UMOUNT_NOFOLLOW) != 0 {
		return 0, unix.EINVAL
	}
	target, err := copyInPath(t, a[0])
	if err != nil {
		return 0, err
	}
	vd, err := vfsOf(t).Resolve(t.VFSContext(), vfs.VirtualDentry{}, target, vfs.ResolveOptions{Follow: flags&unix.UMOUNT_NOFOLLOW == 0})
	if err != nil {
		return 0, errnoOf(err)
	}
	if vd.Dentry != vd.Mount.Root() {
		return 0, unix.EINVAL
	}
	return 0, errnoOf(vfsOf(t).Unmount(vd, flags&unix.MNT_DETACH != 0))
}
