package syscalls

import (
	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"setpgid": full(sysSetpgid),
		"getpgid": full(sysGetpgid),
		"getpgrp": full(sysGetpgrp),
		"setsid":  full(sysSetsid),
		"getsid":  full(sysGetsid),
	})
}

func sysSetpgid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return 0, t.SetPGID(a.Int(0), a.Int(1))
}

func processFor(t *kernel.Task, pid int32) (*kernel.ThreadGroup, error) {
	if pid == 0 {
		return t.ThreadGroup(), nil
	}
	if pid < 0 {
		return nil, unix.EINVAL
	}
	tg := t.FindProcess(pid)
	if tg == nil {
		return nil, unix.ESRCH
	}
	return tg, nil
}

func sysGetpgid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	tg, err := processFor(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	return uintptr(tg.PGID()), nil
}

func sysGetpgrp(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return uintptr(t.ThreadGroup().PGID()), nil
}

func sysSetsid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	sid, err := t.SetSID()
	return uintptr(sid), err
}

func sysGetsid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	tg, err := processFor(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	return uintptr(tg.SID()), nil
}
