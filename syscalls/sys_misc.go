package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"uname":       full(sysUname),
		"getrandom":   full(sysGetrandom),
		"prlimit64":   partial(sysPrlimit64, "own process only; limits other than RLIMIT_NOFILE are recorded, not enforced"),
		"getrlimit":   full(sysGetrlimit),
		"setrlimit":   partial(sysSetrlimit, "limits other than RLIMIT_NOFILE are recorded, not enforced"),
		"umask":       full(sysUmask),
		"sched_yield": full(sysSchedYield),
	})
}

// Release is the kernel release the sandbox reports.
const Release = "6.1.0"

// Version is the kernel version string the sandbox reports.
const Version = "#1 SMP Stockade"

func sysUname(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	var u unix.Utsname
	set := func(dst *[65]byte, s string) { copy(dst[:64], s) }
	set(&u.Sysname, "Linux")
	set(&u.Nodename, t.Kernel().Hostname)
	set(&u.Release, Release)
	set(&u.Version, Version)
	set(&u.Machine, "x86_64")
	set(&u.Domainname, "(none)")
	b := make([]byte, 65*6)
	for i, f := range []*[65]byte{&u.Sysname, &u.Nodename, &u.Release, &u.Version, &u.Machine, &u.Domainname} {
		copy(b[65*i:], f[:])
	}
	if _, err := t.CopyOut(a[0], b); err != nil {
		return 0, unix.EFAULT
	}
	return 0, nil
}

func sysGetrandom(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	flags := a.Uint(2)
	if flags&^(unix.GRND_NONBLOCK|unix.GRND_RANDOM|0x4 /* GRND_INSECURE */) != 0 {
		return 0, unix.EINVAL
	}
	n := min(a[1], 1<<25)
	bufs, err := t.MM.Blocks(t.IOBlocks[:0], a[0], int(n), true)
	t.IOBlocks = bufs[:0]
	if err != nil {
		return 0, err
	}
	total := 0
	for _, b := range bufs {
		t.Kernel().Random(b)
		total += len(b)
	}
	return uintptr(total), nil
}

const rlimInfinity = ^uint64(0)

func sysPrlimit64(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	pid, res, newAddr, oldAddr := a.Int(0), int(a.Int(1)), a[2], a[3]
	if pid != 0 && pid != t.PID() {
		return 0, unix.ESRCH
	}
	if res < 0 || res >= 16 {
		return 0, unix.EINVAL
	}
	old := t.Rlimit(res)
	if newAddr != 0 {
		var b [16]byte
		if _, err := t.CopyIn(newAddr, b[:]); err != nil {
			return 0, unix.EFAULT
		}
		n := kernel.Rlimit{Cur: binary.LittleEndian.Uint64(b[0:]), Max: binary.LittleEndian.Uint64(b[8:])}
		if n.Cur > n.Max {
			return 0, unix.EINVAL
		}
		if n.Max > old.Max && !t.HasCap(unix.CAP_SYS_RESOURCE) {
			return 0, unix.EPERM
		}
		if res == 7 && n.Max > 1<<20 {
			return 0, unix.EPERM
		}
		t.SetRlimit(res, n)
	}
	if oldAddr != 0 {
		var b [16]byte
		binary.LittleEndian.PutUint64(b[0:], old.Cur)
		binary.LittleEndian.PutUint64(b[8:], old.Max)
		if _, err := t.CopyOut(oldAddr, b[:]); err != nil {
			return 0, unix.EFAULT
		}
	}
	return 0, nil
}

func sysGetrlimit(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	args := kernel.SyscallArgs{0, a[0], 0, a[1]}
	return sysPrlimit64(t, &args)
}

func sysSetrlimit(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	args := kernel.SyscallArgs{0, a[0], a[1], 0}
	return sysPrlimit64(t, &args)
}

func sysUmask(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return uintptr(t.FS.SwapUmask(a.Uint(0))), nil
}

func sysSchedYield(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) { return 0, nil }
