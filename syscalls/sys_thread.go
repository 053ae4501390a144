package syscalls

import (
	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"exit":            full(sysExit),
		"exit_group":      full(sysExitGroup),
		"getpid":          full(sysGetpid),
		"gettid":          full(sysGettid),
		"getppid":         full(sysGetppid),
		"set_tid_address": full(sysSetTidAddress),
		"set_robust_list": full(sysSetRobustList),
		"arch_prctl":      partial(sysArchPrctl, "ARCH_SET_FS/GET_FS/SET_GS/GET_GS"),
		"getuid":          full(sysGetuid),
		"geteuid":         full(sysGeteuid),
		"getgid":          full(sysGetgid),
		"getegid":         full(sysGetegid),
		"getresuid":       full(sysGetresuid),
		"getresgid":       full(sysGetresgid),
		"getgroups":       full(sysGetgroups),
	})
}

func sysExit(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	t.Exit(int(a.Int(0) & 0xff))
	return 0, nil
}

func sysExitGroup(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	t.ExitGroup(int(a.Int(0) & 0xff))
	return 0, nil
}

func sysGetpid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) { return uintptr(t.PID()), nil }
func sysGettid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) { return uintptr(t.ID), nil }
func sysGetppid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return uintptr(t.PPID()), nil
}

func sysSetTidAddress(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	t.SetClearChildTID(a[0])
	return uintptr(t.ID), nil
}

func sysSetRobustList(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if a[1] != 24 {
		return 0, unix.EINVAL
	}
	t.SetRobustList(a[0])
	return 0, nil
}

const (
	archSetGS = 0x1001
	archSetFS = 0x1002
	archGetFS = 0x1003
	archGetGS = 0x1004
)

func sysArchPrctl(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	var v [8]byte
	switch a[0] {
	case archSetFS:
		if a[1] >= t.MM.MaxAddr() {
			return 0, unix.EPERM
		}
		t.Regs.Fs_base = uint64(a[1])
	case archSetGS:
		if a[1] >= t.MM.MaxAddr() {
			return 0, unix.EPERM
		}
		t.Regs.Gs_base = uint64(a[1])
	case archGetFS:
		putU64(v[:], t.Regs.Fs_base)
		if _, err := t.CopyOut(a[1], v[:]); err != nil {
			return 0, unix.EFAULT
		}
	case archGetGS:
		putU64(v[:], t.Regs.Gs_base)
		if _, err := t.CopyOut(a[1], v[:]); err != nil {
			return 0, unix.EFAULT
		}
	default:
		return 0, unix.EINVAL
	}
	return 0, nil
}

func putU64(b []byte, v uint64) {
	for i := 0; i < 8; i++ {
		b[i] = byte(v >> (8 * i))
	}
}

func putU32(b []byte, v uint32) {
	for i := 0; i < 4; i++ {
		b[i] = byte(v >> (8 * i))
	}
}

func sysGetuid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return uintptr(t.Creds.RealUID), nil
}
func sysGeteuid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return uintptr(t.Creds.EffectiveUID), nil
}
func sysGetgid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return uintptr(t.Creds.RealGID), nil
}
func sysGetegid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return uintptr(t.Creds.EffectiveGID), nil
}

func copyOutIDs(t *kernel.Task, addrs [3]uintptr, ids [3]uint32) error {
	for i := range addrs {
		var b [4]byte
		putU32(b[:], ids[i])
		if _, err := t.CopyOut(addrs[i], b[:]); err != nil {
			return unix.EFAULT
		}
	}
	return nil
}

func sysGetresuid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	c := t.Creds
	return 0, copyOutIDs(t, [3]uintptr{a[0], a[1], a[2]}, [3]uint32{c.RealUID, c.EffectiveUID, c.SavedUID})
}

func sysGetresgid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	c := t.Creds
	return 0, copyOutIDs(t, [3]uintptr{a[0], a[1], a[2]}, [3]uint32{c.RealGID, c.EffectiveGID, c.SavedGID})
}

func sysGetgroups(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	size := a.Int(0)
	groups := t.Creds.Groups
	if size < 0 {
		return 0, unix.EINVAL
	}
	if size == 0 {
		return uintptr(len(groups)), nil
	}
	if int(size) < len(groups) {
		return 0, unix.EINVAL
	}
	b := make([]byte, 4*len(groups))
	for i, g := range groups {
		putU32(b[4*i:], g)
	}
	if _, err := t.CopyOut(a[1], b); err != nil {
		return 0, unix.EFAULT
	}
	return uintptr(len(groups)), nil
}
