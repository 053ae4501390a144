package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"rt_sigaction":      full(sysRtSigaction),
		"rt_sigprocmask":    full(sysRtSigprocmask),
		"rt_sigreturn":      full(sysRtSigreturn),
		"sigaltstack":       full(sysSigaltstack),
		"kill":              full(sysKill),
		"tgkill":            full(sysTgkill),
		"tkill":             full(sysTkill),
		"rt_sigpending":     full(sysRtSigpending),
		"rt_sigsuspend":     full(sysRtSigsuspend),
		"pause":             full(sysPause),
		"rt_sigtimedwait":   full(sysRtSigtimedwait),
		"rt_sigqueueinfo":   full(sysRtSigqueueinfo),
		"rt_tgsigqueueinfo": full(sysRtTgsigqueueinfo),
	})
}

const sigsetSize = 8

func sysRtSigaction(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	sig, newAddr, oldAddr := int(a.Int(0)), a[1], a[2]
	if a[3] != sigsetSize {
		return 0, unix.EINVAL
	}
	if sig < 1 || sig > 64 {
		return 0, unix.EINVAL
	}
	old := t.SigAction(sig)
	if newAddr != 0 {
		var b [32]byte
		if _, err := t.CopyIn(newAddr, b[:]); err != nil {
			return 0, unix.EFAULT
		}
		le := binary.LittleEndian
		act := kernel.SigAction{Handler: le.Uint64(b[0:]), Flags: le.Uint64(b[8:]), Restorer: le.Uint64(b[16:]), Mask: kernel.SignalSet(le.Uint64(b[24:]))}
		act.Mask &^= 1<<(unix.SIGKILL-1) | 1<<(unix.SIGSTOP-1)
		if err := t.SetSigAction(sig, act); err != nil {
			return 0, err
		}
	}
	if oldAddr != 0 {
		var b [32]byte
		le := binary.LittleEndian
		le.PutUint64(b[0:], old.Handler)
		le.PutUint64(b[8:], old.Flags)
		le.PutUint64(b[16:], old.Restorer)
		le.PutUint64(b[24:], uint64(old.Mask))
		if _, err := t.CopyOut(oldAddr, b[:]); err != nil {
			return 0, unix.EFAULT
		}
	}
	return 0, nil
}

func sysRtSigprocmask(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	how, setAddr, oldAddr := int(a.Int(0)), a[1], a[2]
	if a[3] != sigsetSize {
		return 0, unix.EINVAL
	}
	old := t.SigMask()
	if setAddr != 0 {
		var b [8]byte
		if _, err := t.CopyIn(setAddr, b[:]); err != nil {
			return 0, unix.EFAULT
		}
		set := kernel.SignalSet(binary.LittleEndian.Uint64(b[:]))
		switch how {
		case unix.SIG_BLOCK:
			t.SetSigMask(old | set)
		case unix.SIG_UNBLOCK:
			t.SetSigMask(old &^ set)
		case unix.SIG_SETMASK:
			t.SetSigMask(set)
		default:
			return 0, unix.EINVAL
		}
	}
	if oldAddr != 0 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(old))
		if _, err := t.CopyOut(oldAddr, b[:]); err != nil {
			return 0, unix.EFAULT
		}
	}
	return 0, nil
}

func sysRtSigreturn(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if err := t.SigReturn(); err != nil {
		t.SendSignal(kernel.SigInfo{Signo: int(unix.SIGSEGV)})
	}
	return 0, kernel.ErrNoReturn
}

func sysSigaltstack(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	ss, oss := a[0], a[1]
	cur := t.AltStack()
	le := binary.LittleEndian
	if oss != 0 {
		var b [24]byte
		le.PutUint64(b[0:], cur.SP)
		flags := uint32(cur.Flags)
		if cur.Size == 0 {
			flags = kernel.SSDisable
		} else if t.OnAltStack() {
			flags |= kernel.SSOnstack
		}
		le.PutUint32(b[8:], flags)
		le.PutUint64(b[16:], cur.Size)
		if _, err := t.CopyOut(oss, b[:]); err != nil {
			return 0, unix.EFAULT
		}
	}
	if ss != 0 {
		var b [24]byte
		if _, err := t.CopyIn(ss, b[:]); err != nil {
			return 0, unix.EFAULT
		}
		if t.OnAltStack() {
			return 0, unix.EPERM
		}
		n := kernel.SignalStack{SP: le.Uint64(b[0:]), Flags: int32(le.Uint32(b[8:])), Size: le.Uint64(b[16:])}
		const ssAutodisarm = 1 << 31
		if uint32(n.Flags)&^(kernel.SSDisable|ssAutodisarm) != 0 {
			return 0, unix.EINVAL
		}
		if n.Flags&kernel.SSDisable != 0 {
			n = kernel.SignalStack{}
		} else if n.Size < 2048 {
			return 0, unix.ENOMEM
		}
		t.SetAltStack(n)
	}
	return 0, nil
}

func sysKill(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	pid, sig := a.Int(0), int(a.Int(1))
	if sig < 0 || sig > 64 {
		return 0, unix.EINVAL
	}
	if pid == -2147483648 {
		return 0, unix.ESRCH
	}
	tgs := t.Processes(pid)
	if len(tgs) == 0 {
		return 0, unix.ESRCH
	}
	// Processes the caller may not signal are skipped; EPERM if that was
	// all of them (kill(-1) never reports EPERM).
	sent := false
	for _, tg := range tgs {
		if o := tg.LiveTask(); o != nil && !t.MaySignal(o, sig) {
			continue
		}
		sent = true
		if sig != 0 {
			tg.SendGroupSignal(kernel.SigInfo{Signo: sig, Code: 0 /* SI_USER */, PID: t.PID(), UID: t.Creds.RealUID})
		}
	}
	if !sent && pid != -1 {
		return 0, unix.EPERM
	}
	return 0, nil
}

func sysTgkill(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	tgid, tid, sig := a.Int(0), a.Int(1), int(a.Int(2))
	if sig < 0 || sig > 64 || tgid <= 0 || tid <= 0 {
		return 0, unix.EINVAL
	}
	target := t.FindTask(tid)
	if target == nil || target.PID() != tgid {
		return 0, unix.ESRCH
	}
	if !t.MaySignal(target, sig) {
		return 0, unix.EPERM
	}
	if sig != 0 {
		target.SendSignal(kernel.SigInfo{Signo: sig, Code: -6 /* SI_TKILL */, PID: t.PID(), UID: t.Creds.RealUID})
	}
	return 0, nil
}

func sysTkill(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	tid, sig := a.Int(0), int(a.Int(1))
	if sig < 0 || sig > 64 || tid <= 0 {
		return 0, unix.EINVAL
	}
	target := t.FindTask(tid)
	if target == nil {
		return 0, unix.ESRCH
	}
	if !t.MaySignal(target, sig) {
		return 0, unix.EPERM
	}
	if sig != 0 {
		target.SendSignal(kernel.SigInfo{Signo: sig, Code: -6, PID: t.PID(), UID: t.Creds.RealUID})
	}
	return 0, nil
}

func sysRtSigpending(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if a[1] > sigsetSize {
		return 0, unix.EINVAL
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(t.PendingSet()&t.SigMask()))
	if _, err := t.CopyOut(a[0], b[:a[1]]); err != nil {
		return 0, unix.EFAULT
	}
	return 0, nil
}

func sysRtSigsuspend(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if a[1] != sigsetSize {
		return 0, unix.EINVAL
	}
	var b [8]byte
	if _, err := t.CopyIn(a[0], b[:]); err != nil {
		return 0, unix.EFAULT
	}
	t.SuspendWithMask(kernel.SignalSet(binary.LittleEndian.Uint64(b[:])))
	return 0, unix.Errno(514) // ERESTARTNOHAND: EINTR once the handler ran
}

func sysPause(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	t.SuspendWithMask(t.SigMask())
	return 0, unix.Errno(514) // ERESTARTNOHAND: EINTR once a handler ran
}

func sysRtSigtimedwait(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if a[3] != sigsetSize {
		return 0, unix.EINVAL
	}
	var b [8]byte
	if _, err := t.CopyIn(a[0], b[:]); err != nil {
		return 0, unix.EFAULT
	}
	set := kernel.SignalSet(binary.LittleEndian.Uint64(b[:])) &^ (1<<(unix.SIGKILL-1) | 1<<(unix.SIGSTOP-1))
	var deadline time.Time
	if a[2] != 0 {
		ts, err := getTimespec(t, a[2])
		if err != nil {
			return 0, err
		}
		deadline = time.Now().Add(time.Duration(ts.Sec)*time.Second + time.Duration(ts.Nsec))
		if ts.Sec == 0 && ts.Nsec == 0 {
			deadline = time.Now()
		}
	}
	info, err := t.WaitSignal(set, deadline)
	if err != nil {
		if err == kernel.ErrTimedOut {
			return 0, unix.EAGAIN
		}
		return 0, err
	}
	if a[1] != 0 {
		ib := make([]byte, 128)
		kernel.EncodeSiginfo(ib, info)
		if _, err := t.CopyOut(a[1], ib); err != nil {
			return 0, unix.EFAULT
		}
	}
	return uintptr(info.Signo), nil
}

func decodeQueuedInfo(t *kernel.Task, addr uintptr, sig int) (kernel.SigInfo, error) {
	ib := make([]byte, 128)
	if _, err := t.CopyIn(addr, ib); err != nil {
		return kernel.SigInfo{}, unix.EFAULT
	}
	le := binary.LittleEndian
	code := int(int32(le.Uint32(ib[8:])))
	if code >= 0 || code == -6 {
		return kernel.SigInfo{}, unix.EPERM
	}
	return kernel.SigInfo{Signo: sig, Code: code, Errno: int32(le.Uint32(ib[4:])), PID: int32(le.Uint32(ib[16:])), UID: le.Uint32(ib[20:]), Value: le.Uint64(ib[24:])}, nil
}

func sysRtSigqueueinfo(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	pid, sig := a.Int(0), int(a.Int(1))
	if sig <= 0 || sig > 64 {
		return 0, unix.EINVAL
	}
	info, err := decodeQueuedInfo(t, a[2], sig)
	if err != nil {
		return 0, err
	}
	tg := t.FindProcess(pid)
	if tg == nil {
		return 0, unix.ESRCH
	}
	if o := tg.LiveTask(); o != nil && !t.MaySignal(o, sig) {
		return 0, unix.EPERM
	}
	tg.SendGroupSignal(info)
	return 0, nil
}

func sysRtTgsigqueueinfo(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	tgid, tid, sig := a.Int(0), a.Int(1), int(a.Int(2))
	if sig <= 0 || sig > 64 {
		return 0, unix.EINVAL
	}
	info, err := decodeQueuedInfo(t, a[3], sig)
	if err != nil {
		return 0, err
	}
	target := t.FindTask(tid)
	if target == nil || target.PID() != tgid {
		return 0, unix.ESRCH
	}
	if !t.MaySignal(target, sig) {
		return 0, unix.EPERM
	}
	target.SendSignal(info)
	return 0, nil
}
