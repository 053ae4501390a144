package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"setuid":    full(sysSetuid),
		"setgid":    full(sysSetgid),
		"setreuid":  full(sysSetreuid),
		"setregid":  full(sysSetregid),
		"setresuid": full(sysSetresuid),
		"setresgid": full(sysSetresgid),
		"setfsuid":  full(sysSetfsuid),
		"setfsgid":  full(sysSetfsgid),
		"setgroups": full(sysSetgroups),
	})
}

func sysSetuid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return 0, t.SetUID(a.Uint(0))
}

func sysSetgid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return 0, t.SetGID(a.Uint(0))
}

func sysSetreuid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return 0, t.SetReUID(a.Uint(0), a.Uint(1))
}

func sysSetregid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return 0, t.SetReGID(a.Uint(0), a.Uint(1))
}

func sysSetresuid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return 0, t.SetResUID(a.Uint(0), a.Uint(1), a.Uint(2))
}

func sysSetresgid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return 0, t.SetResGID(a.Uint(0), a.Uint(1), a.Uint(2))
}

func sysSetfsuid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return uintptr(t.SetFSUID(a.Uint(0))), nil
}

func sysSetfsgid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return uintptr(t.SetFSGID(a.Uint(0))), nil
}

// ngroupsMax is NGROUPS_MAX.
const ngroupsMax = 65536

func sysSetgroups(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	n := a.Int(0)
	if n < 0 || n > ngroupsMax {
		return 0, unix.EINVAL
	}
	b := make([]byte, 4*int(n))
	if _, err := t.CopyIn(a[1], b); err != nil {
		return 0, unix.EFAULT
	}
	groups := make([]uint32, n)
	for i := range groups {
		groups[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return 0, t.SetGroups(groups)
}
