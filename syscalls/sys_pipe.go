package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/pipe"
	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"pipe":  full(sysPipe),
		"pipe2": partial(sysPipe2, "O_NOTIFICATION_PIPE (watch queues) is refused with EINVAL"),
	})
}

func sysPipe(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doPipe(t, a[0], 0)
}

func sysPipe2(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doPipe(t, a[0], a.Int(1))
}

// doPipe creates a pipe and stores its read and write fds at addr.
func doPipe(t *kernel.Task, addr uintptr, flags int32) (uintptr, error) {
	if flags&^(unix.O_CLOEXEC|unix.O_NONBLOCK|unix.O_DIRECT) != 0 {
		return 0, unix.EINVAL
	}
	r, w := pipe.New(t.Creds.FSUID, t.Creds.FSGID)
	defer r.DecRef()
	defer w.DecRef()
	// As Linux: O_NONBLOCK on both ends, O_DIRECT (packet mode) on the
	// write end only.
	r.SetStatusFlags(uint32(flags) & unix.O_NONBLOCK)
	w.SetStatusFlags(uint32(flags) & (unix.O_NONBLOCK | unix.O_DIRECT))
	cloexec := flags&unix.O_CLOEXEC != 0
	rfd, err := t.FDTable.New(0, r, cloexec)
	if err != nil {
		return 0, err
	}
	wfd, err := t.FDTable.New(0, w, cloexec)
	if err != nil {
		t.FDTable.Remove(rfd)
		return 0, err
	}
	var b [8]byte
	binary.LittleEndian.PutUint32(b[0:], uint32(rfd))
	binary.LittleEndian.PutUint32(b[4:], uint32(wfd))
	if _, err := t.CopyOut(addr, b[:]); err != nil {
		t.FDTable.Remove(rfd)
		t.FDTable.Remove(wfd)
		return 0, unix.EFAULT
	}
	return 0, nil
}

// pipeFcntl implements F_GETPIPE_SZ and F_SETPIPE_SZ (EBADF on other
// files, as Linux).
func pipeFcntl(f vfs.FileDescription, cmd int, arg uintptr) (uintptr, error) {
	e, ok := f.(*pipe.End)
	if !ok {
		return 0, unix.EBADF
	}
	if cmd == unix.F_GETPIPE_SZ {
		return uintptr(e.Pipe().Size()), nil
	}
	n, err := e.Pipe().SetSize(uint64(uint32(arg)))
	return uintptr(n), err
}
