package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"clone":  partial(sysClone, "no namespaces (CLONE_NEW*), no CLONE_PIDFD"),
		"clone3": partial(sysClone3, "no namespaces, pidfds, set_tid or cgroups"),
		"fork":   full(sysFork),
		"vfork":  full(sysVfork),
	})
}

func sysClone(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	// amd64 argument order: flags, stack, parent_tid, child_tid, tls.
	flags := uint64(a[0])
	o := kernel.CloneOptions{
		Flags: flags &^ 0xff, Stack: a[1], ParentTID: a[2], ChildTID: a[3], TLS: a[4],
		ExitSignal: int(flags & 0xff),
	}
	if o.ExitSignal > 64 {
		return 0, unix.EINVAL
	}
	tid, err := t.Clone(o)
	return uintptr(tid), err
}

func sysClone3(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	size := a[1]
	if size < 64 || size > 4096 {
		return 0, unix.EINVAL
	}
	b := make([]byte, size)
	if _, err := t.CopyIn(a[0], b); err != nil {
		return 0, unix.EFAULT
	}
	for _, c := range b[88:] {
		if c != 0 && size > 88 {
			return 0, unix.E2BIG
		}
	}
	le := binary.LittleEndian
	flags := le.Uint64(b[0:])
	exitSignal := le.Uint64(b[32:])
	stack, stackSize := le.Uint64(b[40:]), le.Uint64(b[48:])
	if exitSignal > 64 || flags&0xff != 0 {
		return 0, unix.EINVAL
	}
	if size >= 72 && le.Uint64(b[64:]) != 0 { // set_tid
		return 0, unix.EINVAL
	}
	if size >= 88 && le.Uint64(b[80:]) != 0 { // cgroup
		return 0, unix.EINVAL
	}
	var sp uintptr
	if stack != 0 {
		if stackSize == 0 {
			return 0, unix.EINVAL
		}
		sp = uintptr(stack + stackSize)
	}
	o := kernel.CloneOptions{
		Flags: flags, Stack: sp, ChildTID: uintptr(le.Uint64(b[16:])), ParentTID: uintptr(le.Uint64(b[24:])),
		TLS: uintptr(le.Uint64(b[56:])), ExitSignal: int(exitSignal),
	}
	tid, err := t.Clone(o)
	return uintptr(tid), err
}

func sysFork(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	tid, err := t.Clone(kernel.CloneOptions{ExitSignal: int(unix.SIGCHLD)})
	return uintptr(tid), err
}

func sysVfork(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	tid, err := t.Clone(kernel.CloneOptions{Flags: unix.CLONE_VM | unix.CLONE_VFORK, ExitSignal: int(unix.SIGCHLD)})
	return uintptr(tid), err
}
