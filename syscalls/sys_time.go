package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"clock_gettime":   partial(sysClockGettime, "CPU-time clocks (process, thread, clock_getcpuclockid) measure the host stub threads through /proc/<tid>/schedstat; PROF/VIRT clocks split user and system time in 10 ms samples"),
		"clock_getres":    full(sysClockGetres),
		"gettimeofday":    full(sysGettimeofday),
		"time":            full(sysTime),
		"nanosleep":       full(sysNanosleep),
		"clock_nanosleep": partial(sysClockNanosleep, "sleeps on CPU-time clocks poll the clock every 10 ms"),
	})
}

// clockID maps an application clock id to a host one. CPU-time clocks
// (CLOCK_*_CPUTIME_ID and clock_getcpuclockid's negative ids) are the
// application's, resolved by Task.ResolveCPUClock instead.
func clockID(id int32) (int32, error) {
	switch id {
	case unix.CLOCK_REALTIME, unix.CLOCK_MONOTONIC, unix.CLOCK_MONOTONIC_RAW,
		unix.CLOCK_REALTIME_COARSE, unix.CLOCK_MONOTONIC_COARSE, unix.CLOCK_BOOTTIME,
		unix.CLOCK_REALTIME_ALARM, unix.CLOCK_BOOTTIME_ALARM, unix.CLOCK_TAI:
		return id, nil
	}
	return 0, unix.EINVAL
}

func putTimespec(t *kernel.Task, addr uintptr, ts unix.Timespec) error {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[0:], uint64(ts.Sec))
	binary.LittleEndian.PutUint64(b[8:], uint64(ts.Nsec))
	if _, err := t.CopyOut(addr, b[:]); err != nil {
		return unix.EFAULT
	}
	return nil
}

func getTimespec(t *kernel.Task, addr uintptr) (unix.Timespec, error) {
	var b [16]byte
	if _, err := t.CopyIn(addr, b[:]); err != nil {
		return unix.Timespec{}, unix.EFAULT
	}
	ts := unix.Timespec{Sec: int64(binary.LittleEndian.Uint64(b[0:])), Nsec: int64(binary.LittleEndian.Uint64(b[8:]))}
	if ts.Sec < 0 || ts.Nsec < 0 || ts.Nsec >= 1e9 {
		return ts, unix.EINVAL
	}
	return ts, nil
}

func sysClockGettime(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if c, ok, err := t.ResolveCPUClock(a.Int(0)); ok {
		if err != nil {
			return 0, err
		}
		return 0, putTimespec(t, a[1], unix.NsecToTimespec(c.Now()))
	}
	id, err := clockID(a.Int(0))
	if err != nil {
		return 0, err
	}
	var ts unix.Timespec
	if err := unix.ClockGettime(id, &ts); err != nil {
		return 0, errnoOf(err)
	}
	return 0, putTimespec(t, a[1], ts)
}

func sysClockGetres(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if c, ok, err := t.ResolveCPUClock(a.Int(0)); ok {
		if err != nil || a[1] == 0 {
			return 0, err
		}
		return 0, putTimespec(t, a[1], unix.NsecToTimespec(c.Resolution().Nanoseconds()))
	}
	id, err := clockID(a.Int(0))
	if err != nil {
		return 0, err
	}
	if a[1] == 0 {
		return 0, nil
	}
	var ts unix.Timespec
	if err := unix.ClockGetres(id, &ts); err != nil {
		return 0, errnoOf(err)
	}
	return 0, putTimespec(t, a[1], ts)
}

func sysGettimeofday(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if a[0] != 0 {
		now := time.Now()
		var b [16]byte
		binary.LittleEndian.PutUint64(b[0:], uint64(now.Unix()))
		binary.LittleEndian.PutUint64(b[8:], uint64(now.Nanosecond()/1000))
		if _, err := t.CopyOut(a[0], b[:]); err != nil {
			return 0, unix.EFAULT
		}
	}
	if a[1] != 0 {
		var b [8]byte // struct timezone: UTC
		if _, err := t.CopyOut(a[1], b[:]); err != nil {
			return 0, unix.EFAULT
		}
	}
	return 0, nil
}

func sysTime(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	now := time.Now().Unix()
	if a[0] != 0 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(now))
		if _, err := t.CopyOut(a[0], b[:]); err != nil {
			return 0, unix.EFAULT
		}
	}
	return uintptr(now), nil
}

func sysNanosleep(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	ts, err := getTimespec(t, a[0])
	if err != nil {
		return 0, err
	}
	d := time.Duration(ts.Sec)*time.Second + time.Duration(ts.Nsec)
	return 0, sleepFor(t, time.Now().Add(d), a[1])
}

// sleepFor blocks until deadline. Interrupted, it writes the remaining time
// to remAddr (if set) and returns ERESTARTNOHAND semantics (EINTR when a
// handler runs, a transparent restart otherwise).
func sleepFor(t *kernel.Task, deadline time.Time, remAddr uintptr) error {
	err := t.Block(nil, deadline)
	switch err {
	case nil, kernel.ErrTimedOut:
		return nil
	}
	if remAddr != 0 {
		rem := time.Until(deadline)
		if rem < 0 {
			rem = 0
		}
		putTimespec(t, remAddr, unix.NsecToTimespec(rem.Nanoseconds()))
	}
	return kernel.ERESTARTNOHAND
}

func sysClockNanosleep(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if c, ok, err := t.ResolveCPUClock(a.Int(0)); ok {
		if err != nil {
			return 0, err
		}
		if c.Task == t {
			return 0, unix.EINVAL // the caller's own thread clock
		}
		return cpuClockSleep(t, c, a)
	}
	id, err := clockID(a.Int(0))
	if err != nil {
		return 0, err
	}
	ts, err := getTimespec(t, a[2])
	if err != nil {
		return 0, err
	}
	d := time.Duration(ts.Sec)*time.Second + time.Duration(ts.Nsec)
	abs := a.Int(1)&unix.TIMER_ABSTIME != 0
	if abs {
		var now unix.Timespec
		unix.ClockGettime(id, &now)
		d -= time.Duration(now.Sec)*time.Second + time.Duration(now.Nsec)
	}
	rem := a[3]
	if abs {
		rem = 0
	}
	return 0, sleepFor(t, time.Now().Add(d), rem)
}

// cpuClockSleep implements clock_nanosleep on a CPU-time clock: it
// samples the clock every 10 ms until it reaches the target.
func cpuClockSleep(t *kernel.Task, c kernel.CPUClock, a *kernel.SyscallArgs) (uintptr, error) {
	ts, err := getTimespec(t, a[2])
	if err != nil {
		return 0, err
	}
	abs := a.Int(1)&unix.TIMER_ABSTIME != 0
	target := ts.Nano()
	if !abs {
		target += c.Now()
	}
	for {
		now := c.Now()
		if now >= target {
			return 0, nil
		}
		wait := min(time.Duration(target-now), 10*time.Millisecond)
		if err := t.Block(nil, time.Now().Add(wait)); err != nil && err != kernel.ErrTimedOut {
			if !abs && a[3] != 0 {
				putTimespec(t, a[3], unix.NsecToTimespec(max(target-c.Now(), 0)))
			}
			return 0, kernel.ERESTARTNOHAND
		}
	}
}
