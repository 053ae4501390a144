package syscalls

import (
	"golang.org/x/sys/unix"

	"stockade.dev/fs/inotify"
	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
)

func init() {
	const note = "events of changes made through the sandbox's VFS (create, delete, modify, attrib, moves, open, close, access); IN_EXCL_UNLINK is accepted and ignored; IN_DELETE_SELF comes at the last unlink even while the file is open"
	register(map[string]impl{
		"inotify_init":      partial(sysInotifyInit, note),
		"inotify_init1":     partial(sysInotifyInit1, note),
		"inotify_add_watch": partial(sysInotifyAddWatch, note),
		"inotify_rm_watch":  full(sysInotifyRmWatch),
	})
}

func sysInotifyInit(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doInotifyInit(t, 0)
}

func sysInotifyInit1(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doInotifyInit(t, int(a.Int(0)))
}

func doInotifyInit(t *kernel.Task, flags int) (uintptr, error) {
	if flags&^(inotify.NonBlock|inotify.CloExec) != 0 {
		return 0, unix.EINVAL
	}
	i := inotify.New(flags)
	defer i.DecRef()
	fd, err := t.FDTable.New(0, i, flags&inotify.CloExec != 0)
	if err != nil {
		return 0, err
	}
	return uintptr(fd), nil
}

// getInotify returns the instance at fd (EBADF, or EINVAL for other files).
func getInotify(t *kernel.Task, fd int32) (*inotify.Instance, func(), error) {
	f, err := getFile(t, fd)
	if err != nil {
		return nil, nil, err
	}
	i, ok := f.(*inotify.Instance)
	if !ok {
		f.DecRef()
		return nil, nil, unix.EINVAL
	}
	return i, f.DecRef, nil
}

func sysInotifyAddWatch(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	i, put, err := getInotify(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer put()
	mask := a.Uint(2)
	if mask&unix.IN_ALL_EVENTS == 0 {
		return 0, unix.EINVAL
	}
	path, err := copyInPath(t, a[1])
	if err != nil {
		return 0, err
	}
	ctx := t.VFSContext()
	vd, err := vfsOf(t).Resolve(ctx, vfs.VirtualDentry{}, path, vfs.ResolveOptions{Follow: mask&unix.IN_DONT_FOLLOW == 0})
	if err != nil {
		return 0, errnoOf(err)
	}
	if err := vfs.MayAccess(ctx.Creds, vd.Inode(), vfs.MayRead); err != nil {
		return 0, err
	}
	if mask&unix.IN_ONLYDIR != 0 && vfs.FileType(vd.Inode()) != unix.S_IFDIR {
		return 0, unix.ENOTDIR
	}
	wd, err := i.AddWatch(vd.Inode(), mask)
	if err != nil {
		return 0, err
	}
	return uintptr(wd), nil
}

func sysInotifyRmWatch(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	i, put, err := getInotify(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer put()
	return 0, i.RemoveWatch(a.Int(1))
}
