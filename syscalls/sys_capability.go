package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"capget": full(sysCapget),
		"capset": full(sysCapset),
	})
}

// capHeader reads a cap_user_header_t and returns the number of 32-bit
// data words its version uses (1 for version 1, 2 for versions 2 and 3).
// An unknown version is answered with version 3 written back and EINVAL.
func capHeader(t *kernel.Task, addr uintptr) (words int, pid int32, err error) {
	var hdr [8]byte
	if _, err := t.CopyIn(addr, hdr[:]); err != nil {
		return 0, 0, unix.EFAULT
	}
	pid = int32(binary.LittleEndian.Uint32(hdr[4:]))
	switch binary.LittleEndian.Uint32(hdr[:]) {
	case unix.LINUX_CAPABILITY_VERSION_1:
		return 1, pid, nil
	case unix.LINUX_CAPABILITY_VERSION_2, unix.LINUX_CAPABILITY_VERSION_3:
		return 2, pid, nil
	}
	binary.LittleEndian.PutUint32(hdr[:4], unix.LINUX_CAPABILITY_VERSION_3)
	if _, err := t.CopyOut(addr, hdr[:4]); err != nil {
		return 0, 0, unix.EFAULT
	}
	return 0, 0, unix.EINVAL
}

func sysCapget(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	words, pid, err := capHeader(t, a[0])
	if a[1] == 0 {
		// A NULL data pointer only probes the version.
		if err == unix.EINVAL {
			return 0, nil
		}
		return 0, err
	}
	if err != nil {
		return 0, err
	}
	if pid < 0 {
		return 0, unix.EINVAL
	}
	c := t.Creds
	if pid != 0 && pid != t.ID {
		o := t.Kernel().FindTask(pid)
		if o == nil {
			return 0, unix.ESRCH
		}
		c = o.Creds
	}
	var out [24]byte
	for i := 0; i < words; i++ {
		binary.LittleEndian.PutUint32(out[12*i:], uint32(c.Effective>>(32*i)))
		binary.LittleEndian.PutUint32(out[12*i+4:], uint32(c.Permitted>>(32*i)))
		binary.LittleEndian.PutUint32(out[12*i+8:], uint32(c.Inheritable>>(32*i)))
	}
	if _, err := t.CopyOut(a[1], out[:12*words]); err != nil {
		return 0, unix.EFAULT
	}
	return 0, nil
}

func sysCapset(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	words, pid, err := capHeader(t, a[0])
	if err != nil {
		return 0, err
	}
	if pid != 0 && pid != t.ID {
		return 0, unix.EPERM // only the caller's own capabilities
	}
	var in [24]byte
	if _, err := t.CopyIn(a[1], in[:12*words]); err != nil {
		return 0, unix.EFAULT
	}
	var eff, perm, inh kernel.CapSet
	for i := 0; i < words; i++ {
		eff |= kernel.CapSet(binary.LittleEndian.Uint32(in[12*i:])) << (32 * i)
		perm |= kernel.CapSet(binary.LittleEndian.Uint32(in[12*i+4:])) << (32 * i)
		inh |= kernel.CapSet(binary.LittleEndian.Uint32(in[12*i+8:])) << (32 * i)
	}
	return 0, t.Capset(eff&kernel.AllCaps, perm&kernel.AllCaps, inh&kernel.AllCaps)
}
