package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"wait4":  full(sysWait4),
		"waitid": partial(sysWaitid, "P_PIDFD unsupported"),
	})
}

const (
	wNoThread = 0x20000000
	wAll      = 0x40000000
	wClone    = 0x80000000
)

func sysWait4(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	pid, statusAddr, opts, rusage := a.Int(0), a[1], int(a.Int(2)), a[3]
	if opts&^(unix.WNOHANG|unix.WUNTRACED|unix.WCONTINUED|wNoThread|wAll|wClone) != 0 {
		return 0, unix.EINVAL
	}
	if pid == -2147483648 {
		return 0, unix.ESRCH
	}
	r, err := t.Wait(kernel.WaitOptions{PID: pid, Options: opts | unix.WEXITED})
	if err != nil {
		return 0, err
	}
	if r == nil {
		return 0, nil
	}
	if statusAddr != 0 {
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], r.StatusWord())
		if _, err := t.CopyOut(statusAddr, b[:]); err != nil {
			return 0, unix.EFAULT
		}
	}
	if rusage != 0 {
		if _, err := t.CopyOut(rusage, encodeRusage(r.Usage, r.MaxRSS)); err != nil {
			return 0, unix.EFAULT
		}
	}
	return uintptr(r.PID), nil
}

const (
	pAll  = 0
	pPID  = 1
	pPGID = 2
)

func sysWaitid(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	idtype, id, infoAddr, opts := int(a.Int(0)), a.Int(1), a[2], int(a.Int(3))
	if opts&^(unix.WNOHANG|unix.WEXITED|unix.WSTOPPED|unix.WCONTINUED|unix.WNOWAIT|wNoThread|wAll|wClone) != 0 {
		return 0, unix.EINVAL
	}
	if opts&(unix.WEXITED|unix.WSTOPPED|unix.WCONTINUED) == 0 {
		return 0, unix.EINVAL
	}
	var pid int32
	switch idtype {
	case pAll:
		pid = -1
	case pPID:
		if id <= 0 {
			return 0, unix.EINVAL
		}
		pid = id
	case pPGID:
		if id < 0 {
			return 0, unix.EINVAL
		}
		pid = -id
		if id == 0 {
			pid = 0
		}
	default:
		return 0, unix.EINVAL
	}
	r, err := t.Wait(kernel.WaitOptions{PID: pid, Options: opts})
	if err != nil {
		return 0, err
	}
	if infoAddr != 0 {
		b := make([]byte, 128)
		if r != nil {
			st := r.Status.Code
			switch {
			case r.Stopped != 0:
				st = r.Stopped
			case r.Continued:
				st = int(unix.SIGCONT)
			case r.Status.Signal != 0:
				st = r.Status.Signal
			}
			kernel.EncodeSiginfo(b, kernel.SigInfo{Signo: int(unix.SIGCHLD), Code: r.Code, PID: r.PID, UID: r.UID, Status: st})
		}
		if _, err := t.CopyOut(infoAddr, b); err != nil {
			return 0, unix.EFAULT
		}
	}
	return 0, nil
}
