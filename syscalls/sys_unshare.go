package syscalls

import (
	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"unshare": partial(sysUnshare, "CLONE_NEWNS, CLONE_FS, CLONE_FILES and CLONE_SYSVSEM; other namespaces return EINVAL"),
	})
}

func sysUnshare(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	flags := uint64(a[0])
	const supported = unix.CLONE_NEWNS | unix.CLONE_FS | unix.CLONE_FILES | unix.CLONE_SYSVSEM
	if flags&^supported != 0 {
		return 0, unix.EINVAL
	}
	if flags&unix.CLONE_NEWNS != 0 {
		if !t.HasCap(unix.CAP_SYS_ADMIN) {
			return 0, unix.EPERM
		}
		t.UnshareMountNamespace()
	} else if flags&unix.CLONE_FS != 0 {
		t.UnshareFS()
	}
	if flags&unix.CLONE_FILES != 0 {
		t.UnshareFiles()
	}
	return 0, nil
}
