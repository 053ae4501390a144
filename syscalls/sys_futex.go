package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"futex": partial(sysFutex, "no WAIT_REQUEUE_PI/CMP_REQUEUE_PI; PI locks do not boost priorities (the sandbox has none)"),
	})
}

const (
	futexWait          = 0
	futexWake          = 1
	futexRequeue       = 3
	futexCmpRequeue    = 4
	futexWakeOp        = 5
	futexLockPI        = 6
	futexUnlockPI      = 7
	futexTrylockPI     = 8
	futexLockPI2       = 13
	futexWaitBitset    = 9
	futexWakeBitset    = 10
	futexPrivateFlag   = 128
	futexClockRealtime = 256
)

func sysFutex(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	addr, op, val := a[0], int(a.Int(1)), a.Uint(2)
	cmd := op &^ (futexPrivateFlag | futexClockRealtime)
	private := op&futexPrivateFlag != 0
	switch cmd {
	case futexWait, futexWaitBitset:
		bitset := ^uint32(0)
		if cmd == futexWaitBitset {
			bitset = a.Uint(5)
			if bitset == 0 {
				return 0, unix.EINVAL
			}
		}
		var deadline time.Time
		if a[3] != 0 {
			var b [16]byte
			if _, err := t.CopyIn(a[3], b[:]); err != nil {
				return 0, unix.EFAULT
			}
			sec, nsec := int64(binary.LittleEndian.Uint64(b[0:])), int64(binary.LittleEndian.Uint64(b[8:]))
			if sec < 0 || nsec < 0 || nsec >= 1e9 {
				return 0, unix.EINVAL
			}
			d := time.Duration(sec)*time.Second + time.Duration(nsec)
			if cmd == futexWait {
				deadline = time.Now().Add(d)
			} else {
				clock := int32(unix.CLOCK_MONOTONIC)
				if op&futexClockRealtime != 0 {
					clock = unix.CLOCK_REALTIME
				}
				var now unix.Timespec
				unix.ClockGettime(clock, &now)
				deadline = time.Now().Add(d - time.Duration(now.Nano()))
			}
		}
		return 0, t.FutexWait(addr, val, bitset, deadline, private)
	case futexWake, futexWakeBitset:
		bitset := ^uint32(0)
		if cmd == futexWakeBitset {
			bitset = a.Uint(5)
			if bitset == 0 {
				return 0, unix.EINVAL
			}
		}
		n, err := t.FutexWake(addr, int(val), bitset, private)
		return uintptr(n), err
	case futexWakeOp:
		n, err := t.FutexWakeOp(addr, a[4], int(val), int(a.Uint(3)), a.Uint(5), private)
		return uintptr(n), err
	case futexLockPI, futexLockPI2, futexTrylockPI:
		var deadline time.Time
		if a[3] != 0 && cmd != futexTrylockPI {
			ts, err := getTimespec(t, a[3])
			if err != nil {
				return 0, err
			}
			// FUTEX_LOCK_PI timeouts are absolute CLOCK_REALTIME;
			// LOCK_PI2 takes CLOCK_MONOTONIC unless FUTEX_CLOCK_REALTIME.
			clock := int32(unix.CLOCK_REALTIME)
			if cmd == futexLockPI2 && op&futexClockRealtime == 0 {
				clock = unix.CLOCK_MONOTONIC
			}
			var now unix.Timespec
			unix.ClockGettime(clock, &now)
			deadline = time.Now().Add(time.Duration(ts.Nano() - now.Nano()))
		}
		return 0, t.FutexLockPI(addr, cmd == futexTrylockPI, deadline, private)
	case futexUnlockPI:
		return 0, t.FutexUnlockPI(addr, private)
	case futexRequeue, futexCmpRequeue:
		n, err := t.FutexRequeue(addr, a[4], int(val), int(a.Uint(3)), cmd == futexCmpRequeue, a.Uint(5), private)
		return uintptr(n), err
	}
	return 0, unix.ENOSYS
}
