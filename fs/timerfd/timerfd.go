// Package timerfd implements timerfd_create(2) files: a timer on a clock
// whose expirations are read as an 8-byte count.
//
// Expirations are computed from the time, not counted by a ticking host
// timer: a Go timer only wakes the waiters when the next expiration is
// due. Like the other special files, Read never blocks: it returns EAGAIN
// when nothing expired, and the system call layer waits on the file's
// queue unless it has O_NONBLOCK.
package timerfd

import (
	"encoding/binary"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/waiter"
)

// Flags of timerfd_create and timerfd_settime.
const (
	NonBlock      = unix.O_NONBLOCK
	CloExec       = unix.O_CLOEXEC
	TimerAbstime  = 1 // TFD_TIMER_ABSTIME
	CancelOnSet   = 2 // TFD_TIMER_CANCEL_ON_SET
	SettimeFlags  = TimerAbstime | CancelOnSet
	CreateFlags   = NonBlock | CloExec
	maxExpiration = 1<<63 - 1
)

// ValidClock reports whether timerfd_create accepts clock.
func ValidClock(clock int32) bool {
	switch clock {
	case unix.CLOCK_REALTIME, unix.CLOCK_MONOTONIC, unix.CLOCK_BOOTTIME,
		unix.CLOCK_REALTIME_ALARM, unix.CLOCK_BOOTTIME_ALARM:
		return true
	}
	return false
}

// Value is a timer setting: the time to the next expiration (0: disarmed)
// and the period (0: one-shot).
type Value struct {
	Value, Interval time.Duration
}

// TimerFD is a timerfd file description. mu guards the fields below it.
type TimerFD struct {
	vfs.RefCount
	vfs.NoIO
	q     waiter.Queue
	clock int32

	mu    sync.Mutex
	flags uint32
	armed bool
	// next is the next expiration not yet counted in exp.
	next     time.Time
	interval time.Duration
	exp      uint64
	timer    *time.Timer
	// gen invalidates the callbacks of replaced timers.
	gen uint64
}

var _ vfs.FileDescription = (*TimerFD)(nil)
var _ waiter.Waitable = (*TimerFD)(nil)

// New returns a disarmed timer on clock with the TFD_* creation flags,
// with one reference.
func New(clock int32, flags int) *TimerFD {
	t := &TimerFD{clock: clock, flags: unix.O_RDWR | uint32(flags&NonBlock)}
	t.InitRefs()
	t.Release = t.release
	return t
}

func (t *TimerFD) release() {
	t.mu.Lock()
	t.disarmLocked()
	t.mu.Unlock()
	t.q.Notify(waiter.EventFree)
}

func (t *TimerFD) disarmLocked() {
	t.armed = false
	t.gen++
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
}

// clockNow returns the clock's current time.
func clockNow(clock int32) time.Duration {
	var ts unix.Timespec
	switch clock {
	case unix.CLOCK_REALTIME_ALARM:
		clock = unix.CLOCK_REALTIME
	case unix.CLOCK_BOOTTIME_ALARM:
		clock = unix.CLOCK_BOOTTIME
	}
	unix.ClockGettime(clock, &ts)
	return time.Duration(ts.Nano())
}

// updateLocked counts the expirations due at now.
func (t *TimerFD) updateLocked(now time.Time) {
	if !t.armed || now.Before(t.next) {
		return
	}
	if t.interval <= 0 {
		t.exp++
		t.armed = false
		return
	}
	n := uint64(now.Sub(t.next)/t.interval) + 1
	t.exp = min(t.exp+n, maxExpiration)
	t.next = t.next.Add(time.Duration(n) * t.interval)
}

// scheduleLocked starts a Go timer for the next expiration.
func (t *TimerFD) scheduleLocked() {
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
	if !t.armed {
		return
	}
	gen := t.gen
	t.timer = time.AfterFunc(time.Until(t.next), func() { t.fire(gen) })
}

func (t *TimerFD) fire(gen uint64) {
	t.mu.Lock()
	if gen != t.gen {
		t.mu.Unlock()
		return
	}
	t.updateLocked(time.Now())
	ready := t.exp > 0
	if t.armed {
		t.scheduleLocked()
	} else {
		t.timer = nil
	}
	t.mu.Unlock()
	if ready {
		t.q.Notify(waiter.EventIn | waiter.EventRdNorm)
	}
}

// valueLocked returns the current setting.
func (t *TimerFD) valueLocked(now time.Time) Value {
	if !t.armed {
		return Value{Interval: t.interval}
	}
	d := t.next.Sub(now)
	if d <= 0 {
		d = 1 // due: Linux reports the smallest nonzero value
	}
	return Value{Value: d, Interval: t.interval}
}

// Get implements timerfd_gettime.
func (t *TimerFD) Get() Value {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	t.updateLocked(now)
	v := t.valueLocked(now)
	if !t.armed {
		v.Value = 0
	}
	return v
}

// Set implements timerfd_settime: v.Value is relative, or with abs the
// clock's absolute time of the first expiration. It returns the old
// setting. Unread expirations are discarded.
func (t *TimerFD) Set(v Value, abs bool) Value {
	t.mu.Lock()
	now := time.Now()
	t.updateLocked(now)
	old := t.valueLocked(now)
	if !t.armed {
		old.Value = 0
	}
	t.disarmLocked()
	t.exp = 0
	t.interval = v.Interval
	if v.Value != 0 {
		d := v.Value
		if abs {
			d = v.Value - clockNow(t.clock)
		}
		t.armed = true
		t.next = now.Add(max(d, 0))
		t.updateLocked(now)
		t.scheduleLocked()
	}
	ready := t.exp > 0
	t.mu.Unlock()
	if ready {
		t.q.Notify(waiter.EventIn | waiter.EventRdNorm)
	}
	return old
}

// Read implements vfs.FileDescription: the number of expirations since
// the last read, as 8 bytes; EAGAIN if none.
func (t *TimerFD) Read(dst [][]byte, off int64) (int, error) {
	total := 0
	for _, b := range dst {
		total += len(b)
	}
	if total < 8 {
		return 0, unix.EINVAL
	}
	t.mu.Lock()
	t.updateLocked(time.Now())
	n := t.exp
	t.exp = 0
	t.mu.Unlock()
	if n == 0 {
		return 0, unix.EAGAIN
	}
	var b [8]byte
	binary.NativeEndian.PutUint64(b[:], n)
	src := b[:]
	for _, d := range dst {
		c := copy(d, src)
		src = src[c:]
		if len(src) == 0 {
			break
		}
	}
	return 8, nil
}

// Write implements vfs.FileDescription.
func (t *TimerFD) Write([][]byte, int64) (int, error) { return 0, unix.EINVAL }

// Readiness implements waiter.Waitable.
func (t *TimerFD) Readiness(mask waiter.EventMask) waiter.EventMask {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.updateLocked(time.Now())
	if t.exp > 0 {
		return mask & (waiter.EventIn | waiter.EventRdNorm)
	}
	return 0
}

// EventRegister implements waiter.Waitable.
func (t *TimerFD) EventRegister(e *waiter.Entry) { t.q.EventRegister(e) }

// EventUnregister implements waiter.Waitable.
func (t *TimerFD) EventUnregister(e *waiter.Entry) { t.q.EventUnregister(e) }

// Stat implements vfs.FileDescription: an anonymous inode.
func (t *TimerFD) Stat(st *unix.Stat_t) error {
	*st = unix.Stat_t{Nlink: 1, Mode: 0o600, Blksize: 4096}
	return nil
}

// StatusFlags implements vfs.FileDescription.
func (t *TimerFD) StatusFlags() uint32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.flags
}

// SetStatusFlags implements vfs.FileDescription.
func (t *TimerFD) SetStatusFlags(flags uint32) error {
	const settable = unix.O_APPEND | unix.O_NONBLOCK | unix.O_ASYNC | unix.O_NOATIME
	t.mu.Lock()
	t.flags = t.flags&^settable | flags&settable
	t.mu.Unlock()
	return nil
}

// Name implements vfs.FileDescription.
func (t *TimerFD) Name() string { return "anon_inode:[timerfd]" }

// Seek implements vfs.FileDescription.
func (t *TimerFD) Seek(int64, int) (int64, error) { return 0, unix.ESPIPE }
