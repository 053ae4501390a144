package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/timerfd"
	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"timerfd_create":  partial(sysTimerfdCreate, "CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME (and the _ALARM clocks, without waking the system); TFD_TIMER_CANCEL_ON_SET is accepted and never cancels"),
		"timerfd_settime": full(sysTimerfdSettime),
		"timerfd_gettime": full(sysTimerfdGettime),
	})
}

func sysTimerfdCreate(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	clock, flags := a.Int(0), int(a.Int(1))
	if flags&^timerfd.CreateFlags != 0 || !timerfd.ValidClock(clock) {
		return 0, unix.EINVAL
	}
	f := timerfd.New(clock, flags)
	defer f.DecRef()
	fd, err := t.FDTable.New(0, f, flags&timerfd.CloExec != 0)
	if err != nil {
		return 0, err
	}
	return uintptr(fd), nil
}

// getTimerFD returns the timerfd at fd (EBADF, or EINVAL for other files).
func getTimerFD(t *kernel.Task, fd int32) (*timerfd.TimerFD, func(), error) {
	f, err := getFile(t, fd)
	if err != nil {
		return nil, nil, err
	}
	tf, ok := f.(*timerfd.TimerFD)
	if !ok {
		f.DecRef()
		return nil, nil, unix.EINVAL
	}
	return tf, f.DecRef, nil
}

func encodeItimerspec(v timerfd.Value) []byte {
	b := make([]byte, 32)
	le := binary.LittleEndian
	le.PutUint64(b[0:], uint64(v.Interval/time.Second))
	le.PutUint64(b[8:], uint64(v.Interval%time.Second))
	le.PutUint64(b[16:], uint64(v.Value/time.Second))
	le.PutUint64(b[24:], uint64(v.Value%time.Second))
	return b
}

func sysTimerfdSettime(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	flags := int(a.Int(1))
	if flags&^timerfd.SettimeFlags != 0 {
		return 0, unix.EINVAL
	}
	tf, put, err := getTimerFD(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer put()
	var b [32]byte
	if _, err := t.CopyIn(a[2], b[:]); err != nil {
		return 0, unix.EFAULT
	}
	le := binary.LittleEndian
	var ts [4]int64
	for i := range ts {
		ts[i] = int64(le.Uint64(b[8*i:]))
	}
	for i := 0; i < 4; i += 2 {
		if ts[i] < 0 || ts[i+1] < 0 || ts[i+1] >= 1e9 {
			return 0, unix.EINVAL
		}
	}
	dur := func(sec, nsec int64) time.Duration {
		if sec >= int64(maxTimeout/time.Second) {
			return maxTimeout
		}
		return time.Duration(sec)*time.Second + time.Duration(nsec)
	}
	v := timerfd.Value{Interval: dur(ts[0], ts[1]), Value: dur(ts[2], ts[3])}
	if flags&timerfd.TimerAbstime != 0 && (ts[2] != 0 || ts[3] != 0) && v.Value == 0 {
		v.Value = 1
	}
	old := tf.Set(v, flags&timerfd.TimerAbstime != 0)
	if a[3] != 0 {
		if _, err := t.CopyOut(a[3], encodeItimerspec(old)); err != nil {
			return 0, unix.EFAULT
		}
	}
	return 0, nil
}

func sysTimerfdGettime(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	tf, put, err := getTimerFD(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer put()
	if _, err := t.CopyOut(a[1], encodeItimerspec(tf.Get())); err != nil {
		return 0, unix.EFAULT
	}
	return 0, nil
}
