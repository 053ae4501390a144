package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"alarm":            full(sysAlarm),
		"setitimer":        partial(sysSetitimer, "ITIMER_VIRTUAL and ITIMER_PROF sample the process's CPU time every 10 ms, so they fire up to 10 ms late"),
		"getitimer":        full(sysGetitimer),
		"timer_create":     partial(sysTimerCreate, "timers on CPU-time clocks sample the clock every 10 ms; not on other processes' CPU clocks"),
		"timer_settime":    full(sysTimerSettime),
		"timer_gettime":    full(sysTimerGettime),
		"timer_getoverrun": full(sysTimerGetoverrun),
		"timer_delete":     full(sysTimerDelete),
	})
}

func sysAlarm(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return uintptr(t.ThreadGroup().Alarm(a.Uint(0))), nil
}

// itimerval and itimerspec are {interval, value}, each two longs:
// seconds and microseconds or nanoseconds.
func decodeTimerPair(b []byte, unit time.Duration) (kernel.ITimerValue, error) {
	le := binary.LittleEndian
	limit := int64(time.Second / unit)
	var d [2]time.Duration
	for i := range d {
		sec, frac := int64(le.Uint64(b[16*i:])), int64(le.Uint64(b[16*i+8:]))
		if sec < 0 || frac < 0 || frac >= limit {
			return kernel.ITimerValue{}, unix.EINVAL
		}
		// Saturate rather than overflow for absurdly long timers.
		if sec > int64(1<<62)/int64(time.Second) {
			sec = int64(1<<62) / int64(time.Second)
		}
		d[i] = time.Duration(sec)*time.Second + time.Duration(frac)*unit
	}
	return kernel.ITimerValue{Interval: d[0], Value: d[1]}, nil
}

func encodeTimerPair(v kernel.ITimerValue, unit time.Duration) []byte {
	b := make([]byte, 32)
	le := binary.LittleEndian
	for i, d := range []time.Duration{v.Interval, v.Value} {
		le.PutUint64(b[16*i:], uint64(d/time.Second))
		le.PutUint64(b[16*i+8:], uint64((d%time.Second)/unit))
	}
	return b
}

func sysSetitimer(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	which, newAddr, oldAddr := int(a.Int(0)), a[1], a[2]
	var v kernel.ITimerValue
	if newAddr != 0 {
		b := make([]byte, 32)
		if _, err := t.CopyIn(newAddr, b); err != nil {
			return 0, unix.EFAULT
		}
		var err error
		if v, err = decodeTimerPair(b, time.Microsecond); err != nil {
			return 0, err
		}
	}
	old, err := t.ThreadGroup().SetITimer(which, v)
	if err != nil {
		return 0, err
	}
	if oldAddr != 0 {
		if _, err := t.CopyOut(oldAddr, encodeTimerPair(old, time.Microsecond)); err != nil {
			return 0, unix.EFAULT
		}
	}
	return 0, nil
}

func sysGetitimer(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	v, err := t.ThreadGroup().GetITimer(int(a.Int(0)))
	if err != nil {
		return 0, err
	}
	if _, err := t.CopyOut(a[1], encodeTimerPair(v, time.Microsecond)); err != nil {
		return 0, unix.EFAULT
	}
	return 0, nil
}

// sigeventSize is sizeof(struct sigevent).
const sigeventSize = 64

func sysTimerCreate(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	clock, evAddr, idAddr := a.Int(0), a[1], a[2]
	var ev *kernel.SigEvent
	if evAddr != 0 {
		b := make([]byte, sigeventSize)
		if _, err := t.CopyIn(evAddr, b); err != nil {
			return 0, unix.EFAULT
		}
		le := binary.LittleEndian
		ev = &kernel.SigEvent{
			Value:    le.Uint64(b[0:]),
			Signo:    int32(le.Uint32(b[8:])),
			Notify:   int32(le.Uint32(b[12:])),
			ThreadID: int32(le.Uint32(b[16:])),
		}
	}
	id, err := t.CreateTimer(clock, ev)
	if err != nil {
		return 0, err
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(id))
	if _, err := t.CopyOut(idAddr, b[:]); err != nil {
		t.DeleteTimer(id)
		return 0, unix.EFAULT
	}
	return 0, nil
}

func sysTimerSettime(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	id, flags, newAddr, oldAddr := a.Int(0), a.Int(1), a[2], a[3]
	if newAddr == 0 {
		return 0, unix.EINVAL
	}
	b := make([]byte, 32)
	if _, err := t.CopyIn(newAddr, b); err != nil {
		return 0, unix.EFAULT
	}
	v, err := decodeTimerPair(b, time.Nanosecond)
	if err != nil {
		return 0, err
	}
	old, err := t.SetTimer(id, flags&unix.TIMER_ABSTIME != 0, v)
	if err != nil {
		return 0, err
	}
	if oldAddr != 0 {
		if _, err := t.CopyOut(oldAddr, encodeTimerPair(old, time.Nanosecond)); err != nil {
			return 0, unix.EFAULT
		}
	}
	return 0, nil
}

func sysTimerGettime(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	v, err := t.GetTimer(a.Int(0))
	if err != nil {
		return 0, err
	}
	if _, err := t.CopyOut(a[1], encodeTimerPair(v, time.Nanosecond)); err != nil {
		return 0, unix.EFAULT
	}
	return 0, nil
}

func sysTimerGetoverrun(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	n, err := t.TimerOverrun(a.Int(0))
	return uintptr(n), err
}

func sysTimerDelete(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return 0, t.DeleteTimer(a.Int(0))
}
