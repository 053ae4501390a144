package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/signalfd"
	"stockade.dev/sentry/kernel"
)

func init() {
	const note = "reads the signals of the creating thread and its process (Linux: of the reading thread)"
	register(map[string]impl{
		"signalfd":  partial(sysSignalfd, note),
		"signalfd4": partial(sysSignalfd4, note),
	})
}

func sysSignalfd(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doSignalfd(t, a.Int(0), a[1], a[2], 0)
}

func sysSignalfd4(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doSignalfd(t, a.Int(0), a[1], a[2], int(a.Int(3)))
}

func doSignalfd(t *kernel.Task, fd int32, maskAddr, size uintptr, flags int) (uintptr, error) {
	if size != 8 || flags&^(signalfd.NonBlock|signalfd.CloExec) != 0 {
		return 0, unix.EINVAL
	}
	var b [8]byte
	if _, err := t.CopyIn(maskAddr, b[:]); err != nil {
		return 0, unix.EFAULT
	}
	mask := kernel.SignalSet(binary.LittleEndian.Uint64(b[:]))
	if fd != -1 {
		f, err := getFile(t, fd)
		if err != nil {
			return 0, err
		}
		defer f.DecRef()
		s, ok := f.(*signalfd.SignalFD)
		if !ok {
			return 0, unix.EINVAL
		}
		s.SetMask(mask)
		return uintptr(fd), nil
	}
	s := signalfd.New(t, mask, flags)
	defer s.DecRef()
	nfd, err := t.FDTable.New(0, s, flags&signalfd.CloExec != 0)
	if err != nil {
		return 0, err
	}
	return uintptr(nfd), nil
}
