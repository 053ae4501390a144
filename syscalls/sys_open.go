package syscalls

import (
	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"open":   partial(sysOpen, "O_TMPFILE on tmpfs and the root overlay only (EOPNOTSUPP on other filesystems)"),
		"openat": partial(sysOpenat, "O_TMPFILE on tmpfs and the root overlay only (EOPNOTSUPP on other filesystems)"),
		"creat":  full(sysCreat),
		"close":  full(sysClose),
	})
}

func doOpen(t *kernel.Task, dirfd int32, pathAddr uintptr, flags int, mode uint32) (uintptr, error) {
	path, err := copyInPath(t, pathAddr)
	if err != nil {
		return 0, err
	}
	if path == "" {
		return 0, unix.ENOENT
	}
	dir, err := dirFor(t, dirfd, path)
	if err != nil {
		return 0, err
	}
	f, err := vfsOf(t).OpenAt(t.VFSContext(), dir, path, flags|oLargefile, mode&0o7777)
	if err != nil {
		return 0, errnoOf(err)
	}
	if to, ok := f.(kernel.TaskOpener); ok {
		// Terminals finish opening with the task (kernel/tty.go).
		nf, err := to.TaskOpen(t, flags)
		f.DecRef()
		if err != nil {
			return 0, errnoOf(err)
		}
		f = nf
	}
	defer f.DecRef()
	if err := waitOpen(t, f); err != nil {
		return 0, err
	}
	fd, err := t.FDTable.New(0, f, flags&unix.O_CLOEXEC != 0)
	if err != nil {
		return 0, err
	}
	return uintptr(fd), nil
}

func sysOpen(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doOpen(t, atFDCWD, a[0], int(a.Int(1)), a.Uint(2))
}

func sysOpenat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doOpen(t, a.Int(0), a[1], int(a.Int(2)), a.Uint(3))
}

func sysCreat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doOpen(t, atFDCWD, a[0], unix.O_CREAT|unix.O_WRONLY|unix.O_TRUNC, a.Uint(1))
}

func sysClose(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return 0, t.FDTable.Remove(a.Int(0))
}
