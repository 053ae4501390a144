package syscalls

import (
	"golang.org/x/sys/unix"

	"stockade.dev/fs/eventfd"
	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"eventfd":  full(sysEventfd),
		"eventfd2": full(sysEventfd2),
	})
}

func sysEventfd(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doEventfd(t, a.Uint(0), 0)
}

func sysEventfd2(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doEventfd(t, a.Uint(0), int(a.Int(1)))
}

func doEventfd(t *kernel.Task, initval uint32, flags int) (uintptr, error) {
	if flags&^(eventfd.Semaphore|eventfd.NonBlock|eventfd.CloExec) != 0 {
		return 0, unix.EINVAL
	}
	e := eventfd.New(uint64(initval), flags)
	defer e.DecRef()
	fd, err := t.FDTable.New(0, e, flags&eventfd.CloExec != 0)
	if err != nil {
		return 0, err
	}
	return uintptr(fd), nil
}
