package syscalls

import (
	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"lseek": full(sysLseek),
		"dup":   full(sysDup),
		"dup2":  full(sysDup2),
		"dup3":  full(sysDup3),
		"fcntl": partial(sysFcntl, "F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_GETPIPE_SZ, F_SETPIPE_SZ, F_ADD_SEALS, F_GET_SEALS, the record locks (F_GETLK/F_SETLK/F_SETLKW and F_OFD_*) only"),
		"ioctl": partial(sysIoctl, "FIOCLEX, FIONCLEX, FIONBIO, the terminal ioctls on host terminals and ptys (fs/devpts)"),
	})
}

func sysLseek(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	f, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	whence := int(a.Int(2))
	if whence < unix.SEEK_SET || whence > unix.SEEK_HOLE {
		return 0, unix.EINVAL
	}
	off, err := f.Seek(a.Int64(1), whence)
	if err != nil {
		return 0, errnoOf(err)
	}
	return uintptr(off), nil
}

func sysDup(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	f, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	fd, err := t.FDTable.New(0, f, false)
	return uintptr(fd), err
}

func sysDup2(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	oldfd, newfd := a.Int(0), a.Int(1)
	f, err := getFile(t, oldfd)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if oldfd == newfd {
		return uintptr(newfd), nil
	}
	if err := t.FDTable.Set(newfd, f, false); err != nil {
		return 0, err
	}
	return uintptr(newfd), nil
}

func sysDup3(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	oldfd, newfd, flags := a.Int(0), a.Int(1), a.Int(2)
	if flags&^unix.O_CLOEXEC != 0 || oldfd == newfd {
		return 0, unix.EINVAL
	}
	f, err := getFile(t, oldfd)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if err := t.FDTable.Set(newfd, f, flags&unix.O_CLOEXEC != 0); err != nil {
		return 0, err
	}
	return uintptr(newfd), nil
}

func sysFcntl(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	fd, cmd := a.Int(0), int(a.Int(1))
	f, cloexec, err := t.FDTable.Get(fd)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	switch cmd {
	case unix.F_DUPFD, unix.F_DUPFD_CLOEXEC:
		min := a.Int(2)
		if min < 0 {
			return 0, unix.EINVAL
		}
		nfd, err := t.FDTable.New(min, f, cmd == unix.F_DUPFD_CLOEXEC)
		return uintptr(nfd), err
	case unix.F_GETFD:
		if cloexec {
			return unix.FD_CLOEXEC, nil
		}
		return 0, nil
	case unix.F_SETFD:
		return 0, t.FDTable.SetCloexec(fd, a[2]&unix.FD_CLOEXEC != 0)
	case unix.F_GETFL:
		return uintptr(f.StatusFlags() | oLargefile), nil
	case unix.F_SETFL:
		return 0, errnoOf(f.SetStatusFlags(a.Uint(2)))
	case unix.F_SETPIPE_SZ, unix.F_GETPIPE_SZ:
		return pipeFcntl(f, cmd, a[2])
	case fAddSeals, fGetSeals:
		return sealFcntl(f, cmd, a[2])
	case unix.F_GETLK, unix.F_SETLK, unix.F_SETLKW, unix.F_OFD_GETLK, unix.F_OFD_SETLK, unix.F_OFD_SETLKW:
		return fcntlLock(t, f, cmd, a[2]) // sys_lock.go
	}
	return 0, unix.EINVAL
}

func sysIoctl(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	fd, req := a.Int(0), a[1]&0xffffffff
	f, err := getFile(t, fd)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	switch req {
	case fioclex:
		return 0, t.FDTable.SetCloexec(fd, true)
	case fionclex:
		return 0, t.FDTable.SetCloexec(fd, false)
	case fionbio:
		var v [4]byte
		if _, err := t.CopyIn(a[2], v[:]); err != nil {
			return 0, unix.EFAULT
		}
		fl := f.StatusFlags() &^ unix.O_NONBLOCK
		if v != [4]byte{} {
			fl |= unix.O_NONBLOCK
		}
		return 0, errnoOf(f.SetStatusFlags(fl))
	}
	if ti, ok := f.(kernel.TaskIoctler); ok {
		// Terminal ioctls need the caller (kernel/tty.go).
		r, err := ti.TaskIoctl(t, req, a[2])
		return r, errnoOf(err)
	}
	r, err := f.Ioctl(t.MM, req, a[2])
	return r, errnoOf(err)
}

// ioctl numbers unix lacks.
const (
	fionclex = 0x5450
	fioclex  = 0x5451
	fionbio  = 0x5421
)
