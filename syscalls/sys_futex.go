package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"futex": partial(sysFutex, "WAIT, WAKE, WAIT_BITSET, WAKE_BITSET, REQUEUE, CMP_REQUEUE; shared futexes only within one address space; no PI or WAKE_OP yet"),
	})
}

const (
	futexWait          = 0
	futexWake          = 1
	futexRequeue       = 3
	futexCmpRequeue    = 4
	futexWaitBitset    = 9
	futexWakeBitset    = 10
	futexPrivateFlag   = 128
	futexClockRealtime = 256
)

func sysFutex(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	addr, op, val := a[0], int(a.Int(1)), a.Uint(2)
	cmd := op &^ (futexPrivateFlag | futexClockRealtime)
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
		return 0, t.FutexWait(addr, val, bitset, deadline)
	case futexWake, futexWakeBitset:
		bitset := ^uint32(0)
		if cmd == futexWakeBitset {
			bitset = a.Uint(5)
			if bitset == 0 {
				return 0, unix.EINVAL
			}
		}
		n, err := t.FutexWake(addr, int(val), bitset)
		return uintptr(n), err
	case futexRequeue, futexCmpRequeue:
		n, err := t.FutexRequeue(addr, a[4], int(val), int(a.Uint(3)), cmd == futexCmpRequeue, a.Uint(5))
		return uintptr(n), err
	}
	return 0, unix.ENOSYS
}
