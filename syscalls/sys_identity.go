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
		"capget":    partial(sysCapget, "reports all capabilities for uid 0 and none otherwise; no file capabilities"),
		"capset":    partial(sysCapset, "accepts a set that does not add to the permitted set; not enforced beyond uid 0"),
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

const (
	capV1 = 0x19980330
	capV2 = 0x20071026
	capV3 = 0x20080522
	// allCaps is every capability up to CAP_CHECKPOINT_RESTORE (40).
	allCaps = (uint64(1) << 41) - 1
)

func sysCapget(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	var hdr [8]byte
	if _, err := t.CopyIn(a[0], hdr[:]); err != nil {
		return 0, unix.EFAULT
	}
	version := binary.LittleEndian.Uint32(hdr[:])
	words := 2
	switch version {
	case capV1:
		words = 1
	case capV2, capV3:
	default:
		binary.LittleEndian.PutUint32(hdr[:], capV3)
		t.CopyOut(a[0], hdr[:4])
		if a[1] == 0 {
			return 0, nil
		}
		return 0, unix.EINVAL
	}
	if a[1] == 0 {
		return 0, nil
	}
	var caps uint64
	if t.Creds.EffectiveUID == 0 {
		caps = allCaps
	}
	out := make([]byte, 12*words)
	for i := 0; i < words; i++ {
		w := uint32(caps >> (32 * i))
		binary.LittleEndian.PutUint32(out[12*i:], w)   // effective
		binary.LittleEndian.PutUint32(out[12*i+4:], w) // permitted
		binary.LittleEndian.PutUint32(out[12*i+8:], 0) // inheritable
	}
	if _, err := t.CopyOut(a[1], out); err != nil {
		return 0, unix.EFAULT
	}
	return 0, nil
}

func sysCapset(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	var hdr [8]byte
	if _, err := t.CopyIn(a[0], hdr[:]); err != nil {
		return 0, unix.EFAULT
	}
	version := binary.LittleEndian.Uint32(hdr[:])
	words := 2
	switch version {
	case capV1:
		words = 1
	case capV2, capV3:
	default:
		return 0, unix.EINVAL
	}
	if pid := int32(binary.LittleEndian.Uint32(hdr[4:])); pid != 0 && pid != t.ID {
		return 0, unix.EPERM
	}
	in := make([]byte, 12*words)
	if _, err := t.CopyIn(a[1], in); err != nil {
		return 0, unix.EFAULT
	}
	var permitted uint64
	if t.Creds.EffectiveUID == 0 {
		permitted = allCaps
	}
	for i := 0; i < words; i++ {
		eff := uint64(binary.LittleEndian.Uint32(in[12*i:])) << (32 * i)
		perm := uint64(binary.LittleEndian.Uint32(in[12*i+4:])) << (32 * i)
		if perm&^permitted != 0 || eff&^perm != 0 {
			return 0, unix.EPERM
		}
	}
	return 0, nil
}
