package kernel

import (
	"bytes"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/platform"
	"stockade.dev/sentry/hostproc"
)

// CPU time accounting
//
// An application thread runs on a host stub thread, so its CPU time is the
// stub thread's. The platform names that thread through a CPU clock id
// (platform.CPUClocker), but Linux lets a process read only its own
// threads' CPU clocks, so the time is read from /proc/<tid>/schedstat
// (nanoseconds) and /proc/<tid>/stat (the user/system split in clock
// ticks, and fault counts). A thread's time survives execve (which moves it
// to a new stub thread) and its exit (its process keeps the total).

// CPUUsage is CPU time in nanoseconds and page fault counts.
type CPUUsage struct {
	// User and Sys split the CPU time as the host accounts it (in 10 ms
	// samples); Sched is the precise total (CLOCK_*_CPUTIME_ID).
	User, Sys, Sched int64
	MinFlt, MajFlt   int64
}

func (u *CPUUsage) add(o CPUUsage) {
	u.User += o.User
	u.Sys += o.Sys
	u.Sched += o.Sched
	u.MinFlt += o.MinFlt
	u.MajFlt += o.MajFlt
}

// taskCPU is a task's CPU accounting state. mu guards it.
type taskCPU struct {
	mu sync.Mutex
	// last is the last reading, base the time of stub threads the task
	// left behind (execve), retiredTID the last of those.
	last, base CPUUsage
	retiredTID int32
	// accounted is set once the time moved to the process's dead total.
	accounted bool
}

// hostTID returns the host thread id of the stub thread that last ran
// the task (0 if it never ran): the platform's CPU clock id is
// MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED), i.e. ^tid<<3 | 6.
func (t *Task) hostTID() int32 {
	c, ok := t.ctx.(platform.CPUClocker)
	if !ok {
		return 0
	}
	id, ok := c.CPUClock()
	if !ok {
		return 0
	}
	return ^(id >> 3)
}

// clockTicks is USER_HZ, the unit of /proc/<tid>/stat times.
const clockTicks = 100

// readHostSched reads a host thread's precise CPU time
// (sum_exec_runtime), the first field of /proc/<tid>/schedstat.
func readHostSched(tid int32) (int64, bool) {
	ss, err := hostproc.ReadFile(strconv.Itoa(int(tid)) + "/schedstat")
	if err != nil {
		return 0, false
	}
	sf := bytes.Fields(ss)
	if len(sf) == 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(sf[0]), 10, 64)
	return n, err == nil
}

// readHostThreadUsage reads a host thread's CPU time and faults.
func readHostThreadUsage(tid int32) (CPUUsage, bool) {
	var u CPUUsage
	ts := strconv.Itoa(int(tid))
	stat, err := hostproc.ReadFile(ts + "/stat")
	if err != nil {
		return u, false
	}
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return u, false
	}
	f := bytes.Fields(stat[i+1:])
	if len(f) < 13 {
		return u, false
	}
	num := func(b []byte) int64 { n, _ := strconv.ParseInt(string(b), 10, 64); return n }
	// Fields after the name start at field 3 (state).
	u.MinFlt, u.MajFlt = num(f[7]), num(f[9])
	ut, st := num(f[11]), num(f[12])
	u.Sched = (ut + st) * (1e9 / clockTicks)
	if n, ok := readHostSched(tid); ok && n > 0 {
		u.Sched = n
	}
	if ut+st > 0 {
		u.User = u.Sched * ut / (ut + st)
	} else {
		u.User = u.Sched
	}
	u.Sys = u.Sched - u.User
	return u, true
}

// ThreadUsage returns the task's CPU time and faults (RUSAGE_THREAD,
// CLOCK_THREAD_CPUTIME_ID). Each value only grows.
func (t *Task) ThreadUsage() CPUUsage {
	c := &t.attrs.cpu
	c.mu.Lock()
	defer c.mu.Unlock()
	t.updateUsageLocked()
	return c.last
}

// threadSched returns the task's precise CPU time alone (cheaper than
// ThreadUsage: one /proc file).
func (t *Task) threadSched() int64 {
	c := &t.attrs.cpu
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.accounted {
		return c.last.Sched
	}
	tid := t.hostTID()
	if tid <= 0 || tid == c.retiredTID {
		return c.last.Sched
	}
	if n, ok := readHostSched(tid); ok && n > 0 {
		c.last.Sched = max(c.last.Sched, c.base.Sched+n)
		return c.last.Sched
	}
	t.updateUsageLocked()
	return c.last.Sched
}

func (t *Task) updateUsageLocked() {
	c := &t.attrs.cpu
	if c.accounted {
		return
	}
	tid := t.hostTID()
	if tid <= 0 || tid == c.retiredTID {
		return
	}
	u, ok := readHostThreadUsage(tid)
	if !ok {
		return
	}
	u.add(c.base)
	l := &c.last
	l.Sched = max(l.Sched, u.Sched)
	l.User = max(l.User, u.User)
	l.Sys = max(l.Sys, u.Sys)
	l.MinFlt = max(l.MinFlt, u.MinFlt)
	l.MajFlt = max(l.MajFlt, u.MajFlt)
}

// retireHostThread keeps the time of the stub thread the task ran on
// before execve moves it to a new address space.
func (t *Task) retireHostThread() {
	c := &t.attrs.cpu
	c.mu.Lock()
	defer c.mu.Unlock()
	t.updateUsageLocked()
	c.base = c.last
	c.retiredTID = t.hostTID()
}

// processSched returns the process's precise CPU time alone.
func (tg *ThreadGroup) processSched() int64 {
	tasks := tg.Tasks()
	tg.acct.mu.Lock()
	defer tg.acct.mu.Unlock()
	sum := tg.acct.dead.Sched
	for _, t := range tasks {
		if n := t.threadSchedUnlessAccounted(); n >= 0 {
			sum += n
		}
	}
	return sum
}

// threadSchedUnlessAccounted is threadSched, or -1 once the task's time
// moved to its process. tg.acct.mu is held.
func (t *Task) threadSchedUnlessAccounted() int64 {
	if t.attrs.cpu.isAccounted() {
		return -1
	}
	return t.threadSched()
}

// ProcessUsage returns the CPU time and faults of the whole process: its
// live threads and the threads that exited (RUSAGE_SELF,
// CLOCK_PROCESS_CPUTIME_ID).
func (tg *ThreadGroup) ProcessUsage() CPUUsage {
	tasks := tg.Tasks()
	tg.acct.mu.Lock()
	defer tg.acct.mu.Unlock()
	sum := tg.acct.dead
	for _, t := range tasks {
		c := &t.attrs.cpu
		c.mu.Lock()
		if !c.accounted {
			t.updateUsageLocked()
			sum.add(c.last)
		}
		c.mu.Unlock()
	}
	return sum
}

// exitHook runs first thing when a task ends (finish): it sends
// PR_SET_PDEATHSIG signals to the children the thread created, moves the
// thread's CPU time to its process and, for the last thread, stops the
// process's timers.
func (t *Task) exitHook() {
	t.sendPdeathSignals()
	tg := t.tg
	tasks := tg.Tasks()
	rss := hostMaxRSS(t.hostTID())
	tg.acct.mu.Lock()
	c := &t.attrs.cpu
	c.mu.Lock()
	if !c.accounted {
		t.updateUsageLocked()
		tg.acct.dead.add(c.last)
		c.accounted = true
	}
	c.mu.Unlock()
	tg.acct.maxRSS = max(tg.acct.maxRSS, rss)
	last := true
	for _, o := range tasks {
		if o == t {
			continue
		}
		o.attrs.cpu.mu.Lock()
		if !o.attrs.cpu.accounted {
			last = false
		}
		o.attrs.cpu.mu.Unlock()
	}
	tg.acct.mu.Unlock()
	if last {
		tg.stopTimers()
	}
}

// Interval timers (setitimer) and POSIX timers (timer_create)
//
// Timers on wall clocks use Go timers. Timers on CPU clocks (ITIMER_VIRTUAL,
// ITIMER_PROF, CLOCK_*_CPUTIME_ID) are checked by a goroutine that samples
// the process's CPU time every cpuTimerTick while one is armed, so they
// fire up to that late (the host's own accounting is tick based too).

// cpuTimerTick is how often armed CPU-time timers are checked.
const cpuTimerTick = 10 * time.Millisecond

// cpuITimerTick is the tick Linux adds to ITIMER_VIRTUAL/PROF's first
// expiry (TICK_NSEC with the usual HZ=250).
const cpuITimerTick = 4 * time.Millisecond

// minTimerPeriod bounds how often a periodic wall-clock timer wakes the
// sentry; shorter intervals are counted as overruns instead.
const minTimerPeriod = 50 * time.Microsecond

// Signal codes.
const (
	siKernel = 0x80
	siTimer  = -2
)

// ITimer ids (setitimer's which).
const (
	ITimerReal    = 0
	ITimerVirtual = 1
	ITimerProf    = 2
)

// sigevent notify values.
const (
	SigevSignal   = 0
	SigevNone     = 1
	SigevThread   = 2
	SigevThreadID = 4
)

// maxTimers bounds the POSIX timers of one process.
const maxTimers = 1 << 16

// timerState are a process's timers. mu guards them; it is taken before
// Kernel.mu and ThreadGroup.mu.
type timerState struct {
	mu sync.Mutex
	// real is ITIMER_REAL (and alarm).
	real wallTimer
	// virt and prof are ITIMER_VIRTUAL and ITIMER_PROF: expiry in CPU ns
	// (0: disarmed) and interval.
	virt, prof cpuTimer
	posix      map[int32]*posixTimer
	nextID     int32
	polling    bool
	// dead is set when the process exited: nothing fires any more.
	dead bool
}

// wallTimer is a timer on a wall clock.
type wallTimer struct {
	next     time.Time // zero: disarmed
	interval time.Duration
	tmr      *time.Timer
	gen      uint64
}

func (w *wallTimer) stop() {
	if w.tmr != nil {
		w.tmr.Stop()
		w.tmr = nil
	}
	w.gen++
	w.next = time.Time{}
}

// cpuTimer is a timer on a CPU clock, in nanoseconds.
type cpuTimer struct {
	next, interval int64
}

// posixTimer is one timer_create timer.
type posixTimer struct {
	id    int32
	clock int32
	// cpu: the clock is a CPU clock, of cpuTask if set (a thread clock)
	// or of the process.
	cpu     bool
	cpuTask *Task
	wall    wallTimer
	cpuT    cpuTimer
	// Notification.
	notify int32
	signo  int32
	value  uint64
	target *Task // SIGEV_THREAD_ID
	// Overruns: queued is set while the last signal sent may still be
	// pending, with queuedOverrun in its siginfo; lastOverrun is
	// timer_getoverrun's answer.
	queued        bool
	queuedOverrun int32
	lastOverrun   int32
}

// ITimerValue is a timer setting: time to the next expiry (0: disarmed)
// and the interval.
type ITimerValue struct {
	Value, Interval time.Duration
}

// GetITimer returns an interval timer's setting.
func (tg *ThreadGroup) GetITimer(which int) (ITimerValue, error) {
	ts := &tg.timers
	switch which {
	case ITimerReal:
		ts.mu.Lock()
		defer ts.mu.Unlock()
		return wallValue(&ts.real), nil
	case ITimerVirtual, ITimerProf:
		u := tg.ProcessUsage()
		ts.mu.Lock()
		defer ts.mu.Unlock()
		ct, now := &ts.virt, u.User
		if which == ITimerProf {
			ct, now = &ts.prof, u.User+u.Sys
		}
		return cpuValue(ct, now), nil
	}
	return ITimerValue{}, unix.EINVAL
}

func wallValue(w *wallTimer) ITimerValue {
	if w.next.IsZero() {
		return ITimerValue{Interval: w.interval}
	}
	rem := time.Until(w.next)
	if rem <= 0 {
		rem = time.Microsecond
	}
	return ITimerValue{Value: rem, Interval: w.interval}
}

func cpuValue(c *cpuTimer, now int64) ITimerValue {
	v := ITimerValue{Interval: time.Duration(c.interval)}
	if c.next != 0 {
		v.Value = time.Duration(max(c.next-now, 1))
	}
	return v
}

// SetITimer arms or disarms an interval timer and returns its old setting.
func (tg *ThreadGroup) SetITimer(which int, v ITimerValue) (ITimerValue, error) {
	ts := &tg.timers
	switch which {
	case ITimerReal:
		ts.mu.Lock()
		defer ts.mu.Unlock()
		old := wallValue(&ts.real)
		ts.real.stop()
		ts.real.interval = 0
		if v.Value > 0 && !ts.dead {
			ts.real.interval = v.Interval
			tg.armWallLocked(&ts.real, time.Now().Add(v.Value), tg.fireRealLocked)
		}
		return old, nil
	case ITimerVirtual, ITimerProf:
		u := tg.ProcessUsage()
		ts.mu.Lock()
		defer ts.mu.Unlock()
		ct, now := &ts.virt, u.User
		if which == ITimerProf {
			ct, now = &ts.prof, u.User+u.Sys
		}
		old := cpuValue(ct, now)
		ct.next, ct.interval = 0, int64(v.Interval)
		if v.Value > 0 && !ts.dead {
			// Linux adds a tick (TICK_NSEC) to the first expiry.
			ct.next = now + int64(v.Value) + int64(cpuITimerTick)
			tg.startPollerLocked()
		}
		return old, nil
	}
	return ITimerValue{}, unix.EINVAL
}

// armWallLocked arms w to expire at next; fire runs (with timers.mu held)
// with the number of expirations.
func (tg *ThreadGroup) armWallLocked(w *wallTimer, next time.Time, fire func(n int64)) {
	w.gen++
	gen := w.gen
	w.next = next
	w.tmr = time.AfterFunc(time.Until(next), func() {
		ts := &tg.timers
		ts.mu.Lock()
		defer ts.mu.Unlock()
		if w.gen != gen || ts.dead {
			return
		}
		now := time.Now()
		n := int64(1)
		if w.interval > 0 {
			if late := now.Sub(w.next); late > 0 {
				n += int64(late / w.interval)
			}
			w.next = w.next.Add(time.Duration(n) * w.interval)
			d := max(time.Until(w.next), minTimerPeriod)
			w.tmr.Reset(d)
		} else {
			w.next = time.Time{}
			w.tmr = nil
		}
		fire(n)
	})
}

// fireRealLocked delivers ITIMER_REAL's SIGALRM.
func (tg *ThreadGroup) fireRealLocked(int64) {
	tg.SendGroupSignal(SigInfo{Signo: int(unix.SIGALRM), Code: siKernel})
}

// Alarm implements alarm(2): it sets ITIMER_REAL to secs seconds (0
// cancels) and returns the seconds left of the previous alarm, rounded.
func (tg *ThreadGroup) Alarm(secs uint32) uint32 {
	old, _ := tg.SetITimer(ITimerReal, ITimerValue{Value: time.Duration(secs) * time.Second})
	if old.Value == 0 {
		return 0
	}
	s := old.Value / time.Second
	us := (old.Value % time.Second) / time.Microsecond
	if (s == 0 && us > 0) || us >= 500000 {
		s++
	}
	return uint32(s)
}

// startPollerLocked starts the goroutine that checks CPU-time timers.
func (tg *ThreadGroup) startPollerLocked() {
	ts := &tg.timers
	if ts.polling {
		return
	}
	ts.polling = true
	go tg.pollCPUTimers()
}

func (ts *timerState) cpuArmedLocked() bool {
	if ts.virt.next != 0 || ts.prof.next != 0 {
		return true
	}
	for _, pt := range ts.posix {
		if pt.cpu && pt.cpuT.next != 0 && pt.notify != SigevNone {
			return true
		}
	}
	return false
}

// pollCPUTimers fires CPU-time timers until none is armed.
func (tg *ThreadGroup) pollCPUTimers() {
	ts := &tg.timers
	tick := time.NewTicker(cpuTimerTick)
	defer tick.Stop()
	for range tick.C {
		ts.mu.Lock()
		if ts.dead || !ts.cpuArmedLocked() {
			ts.polling = false
			ts.mu.Unlock()
			return
		}
		if ts.virt.next != 0 || ts.prof.next != 0 {
			u := tg.ProcessUsage()
			if n := expireCPU(&ts.virt, u.User); n > 0 {
				tg.SendGroupSignal(SigInfo{Signo: int(unix.SIGVTALRM), Code: siKernel})
			}
			if n := expireCPU(&ts.prof, u.User+u.Sys); n > 0 {
				tg.SendGroupSignal(SigInfo{Signo: int(unix.SIGPROF), Code: siKernel})
			}
		}
		procSched := int64(-1)
		for _, pt := range ts.posix {
			if !pt.cpu || pt.cpuT.next == 0 || pt.notify == SigevNone {
				continue
			}
			if pt.cpuTask == nil && procSched < 0 {
				procSched = tg.processSched()
			}
			now := procSched
			if pt.cpuTask != nil {
				if pt.cpuTask.attrs.cpu.isAccounted() {
					pt.cpuT.next = 0 // the thread is gone
					continue
				}
				now = pt.cpuTask.threadSched()
			}
			if n := expireCPU(&pt.cpuT, now); n > 0 {
				tg.deliverTimerLocked(pt, n)
			}
		}
		ts.mu.Unlock()
	}
}

func (c *taskCPU) isAccounted() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.accounted
}

// expireCPU advances c if it expired at CPU time now and returns the
// number of expirations (0: not yet).
func expireCPU(c *cpuTimer, now int64) int64 {
	if c.next == 0 || now < c.next {
		return 0
	}
	if c.interval <= 0 {
		c.next = 0
		return 1
	}
	n := 1 + (now-c.next)/c.interval
	c.next += n * c.interval
	return n
}

// stopTimers disarms everything when the process has exited.
func (tg *ThreadGroup) stopTimers() {
	ts := &tg.timers
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.dead = true
	ts.real.stop()
	ts.virt, ts.prof = cpuTimer{}, cpuTimer{}
	for id, pt := range ts.posix {
		pt.wall.stop()
		delete(ts.posix, id)
	}
}

// deletePosixTimers deletes every POSIX timer (execve).
func (ts *timerState) deletePosixTimers() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for id, pt := range ts.posix {
		pt.wall.stop()
		delete(ts.posix, id)
	}
}

// SigEvent is timer_create's struct sigevent.
type SigEvent struct {
	Value    uint64
	Signo    int32
	Notify   int32
	ThreadID int32
}

// CPU clock ids (clock_getcpuclockid(3)): ^pid<<3 | perthread<<2 | which.
const (
	cpuClockProf      = 0
	cpuClockVirt      = 1
	cpuClockSched     = 2
	cpuClockMax       = 3
	cpuClockPerThread = 4
)

// CPUClock is a decoded CPU-time clock id.
type CPUClock struct {
	// Task is set for a thread clock; Process for a process clock.
	Task    *Task
	Process *ThreadGroup
	// Which is CPUCLOCK_PROF, _VIRT or _SCHED.
	Which int
}

// ResolveCPUClock decodes a CPU-time clock id: CLOCK_PROCESS_CPUTIME_ID,
// CLOCK_THREAD_CPUTIME_ID or a negative pid/tid clock. ok is false for
// other clocks; err is EINVAL for a CPU clock the caller may not use (a
// thread outside its process, an unknown pid, a bad type).
func (t *Task) ResolveCPUClock(id int32) (c CPUClock, ok bool, err error) {
	switch id {
	case unix.CLOCK_PROCESS_CPUTIME_ID:
		return CPUClock{Process: t.tg, Which: cpuClockSched}, true, nil
	case unix.CLOCK_THREAD_CPUTIME_ID:
		return CPUClock{Task: t, Which: cpuClockSched}, true, nil
	}
	if id >= 0 {
		return c, false, nil
	}
	which := int(id & 3)
	if which == cpuClockMax {
		return c, true, unix.EINVAL
	}
	pid := ^(id >> 3)
	c.Which = which
	if id&cpuClockPerThread != 0 {
		if pid == 0 {
			c.Task = t
			return c, true, nil
		}
		o := t.k.FindTask(pid)
		if o == nil || o.tg != t.tg {
			return c, true, unix.EINVAL
		}
		c.Task = o
		return c, true, nil
	}
	if pid == 0 {
		c.Process = t.tg
		return c, true, nil
	}
	o := t.k.FindTask(pid)
	if o == nil || (o.tg.ID != pid && o != t) {
		return c, true, unix.EINVAL
	}
	c.Process = o.tg
	return c, true, nil
}

// Now returns the clock's time in nanoseconds.
func (c CPUClock) Now() int64 {
	if c.Which == cpuClockSched {
		if c.Task != nil {
			return c.Task.threadSched()
		}
		return c.Process.processSched()
	}
	var u CPUUsage
	if c.Task != nil {
		u = c.Task.ThreadUsage()
	} else {
		u = c.Process.ProcessUsage()
	}
	switch c.Which {
	case cpuClockProf:
		return u.User + u.Sys
	case cpuClockVirt:
		return u.User
	}
	return u.Sched
}

// Resolution returns clock_getres's answer: 1 ns for the scheduler clock,
// a tick for the sampled ones.
func (c CPUClock) Resolution() time.Duration {
	if c.Which == cpuClockSched {
		return 1
	}
	return time.Second / 250
}

// CreateTimer implements timer_create. ev nil means SIGEV_SIGNAL with
// SIGALRM and the timer id as the value.
func (t *Task) CreateTimer(clock int32, ev *SigEvent) (int32, error) {
	pt := &posixTimer{clock: clock}
	switch clock {
	case unix.CLOCK_REALTIME, unix.CLOCK_MONOTONIC, unix.CLOCK_BOOTTIME, unix.CLOCK_TAI:
	case unix.CLOCK_REALTIME_ALARM, unix.CLOCK_BOOTTIME_ALARM:
		if !t.HasCap(unix.CAP_WAKE_ALARM) {
			return 0, unix.EPERM
		}
	case unix.CLOCK_MONOTONIC_RAW, unix.CLOCK_REALTIME_COARSE, unix.CLOCK_MONOTONIC_COARSE:
		return 0, unix.EOPNOTSUPP
	default:
		c, ok, err := t.ResolveCPUClock(clock)
		if !ok {
			return 0, unix.EINVAL
		}
		if err != nil {
			return 0, err
		}
		if c.Process != nil && c.Process != t.tg {
			return 0, unix.EINVAL // timers on other processes' clocks
		}
		if c.Which != cpuClockSched {
			return 0, unix.EINVAL
		}
		pt.cpu, pt.cpuTask = true, c.Task
	}
	if ev == nil {
		pt.notify, pt.signo = SigevSignal, int32(unix.SIGALRM)
	} else {
		pt.notify, pt.signo, pt.value = ev.Notify, ev.Signo, ev.Value
		switch ev.Notify {
		case SigevSignal | SigevThreadID:
			o := t.k.FindTask(ev.ThreadID)
			if o == nil || o.tg != t.tg {
				return 0, unix.EINVAL
			}
			pt.target = o
			fallthrough
		case SigevSignal, SigevThread:
			if ev.Signo <= 0 || ev.Signo > numSignals {
				return 0, unix.EINVAL
			}
		case SigevNone:
		default:
			return 0, unix.EINVAL
		}
	}
	ts := &t.tg.timers
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.posix == nil {
		ts.posix = map[int32]*posixTimer{}
	}
	if len(ts.posix) >= maxTimers {
		return 0, unix.EAGAIN
	}
	for {
		id := ts.nextID
		ts.nextID++
		if ts.nextID < 0 {
			ts.nextID = 0
		}
		if _, used := ts.posix[id]; !used {
			pt.id = id
			break
		}
	}
	if ev == nil {
		pt.value = uint64(pt.id)
	}
	ts.posix[pt.id] = pt
	return pt.id, nil
}

// DeleteTimer implements timer_delete.
func (t *Task) DeleteTimer(id int32) error {
	ts := &t.tg.timers
	ts.mu.Lock()
	defer ts.mu.Unlock()
	pt, ok := ts.posix[id]
	if !ok {
		return unix.EINVAL
	}
	pt.wall.stop()
	delete(ts.posix, id)
	return nil
}

// timerNow returns a POSIX timer's clock reading for absolute times.
func (t *Task) timerNow(pt *posixTimer) int64 {
	if pt.cpu {
		if pt.cpuTask != nil {
			return pt.cpuTask.threadSched()
		}
		return t.tg.processSched()
	}
	var ts unix.Timespec
	unix.ClockGettime(pt.clock, &ts)
	return ts.Nano()
}

// SetTimer implements timer_settime: value is relative, or an absolute
// time on the timer's clock if abs. It returns the old setting.
func (t *Task) SetTimer(id int32, abs bool, v ITimerValue) (ITimerValue, error) {
	ts := &t.tg.timers
	ts.mu.Lock()
	pt, ok := ts.posix[id]
	ts.mu.Unlock()
	if !ok {
		return ITimerValue{}, unix.EINVAL
	}
	// Read the clock without timers.mu (CPU clocks take other locks).
	now := t.timerNow(pt)
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.posix[id] != pt {
		return ITimerValue{}, unix.EINVAL
	}
	old := t.timerValueLocked(pt, now)
	pt.wall.stop()
	pt.cpuT = cpuTimer{}
	pt.wall.interval = v.Interval
	pt.cpuT.interval = int64(v.Interval)
	pt.queued, pt.lastOverrun = false, 0
	if v.Value == 0 {
		return old, nil
	}
	rel := v.Value
	if abs {
		rel = time.Duration(int64(v.Value) - now)
	}
	if pt.cpu {
		pt.cpuT.next = now + int64(rel)
		if rel <= 0 {
			pt.cpuT.next = now // expires at the next check
			if pt.cpuT.next == 0 {
				pt.cpuT.next = 1
			}
		}
		if pt.notify != SigevNone {
			t.tg.startPollerLocked()
		}
		return old, nil
	}
	deadline := time.Now().Add(rel)
	if pt.notify == SigevNone {
		pt.wall.next = deadline
		return old, nil
	}
	tg := t.tg
	tg.armWallLocked(&pt.wall, deadline, func(n int64) { tg.deliverTimerLocked(pt, n) })
	return old, nil
}

// timerValueLocked returns a timer's setting; SIGEV_NONE timers are
// advanced here since nothing fires them.
func (t *Task) timerValueLocked(pt *posixTimer, now int64) ITimerValue {
	if pt.cpu {
		c := pt.cpuT
		if pt.notify == SigevNone {
			expireCPU(&pt.cpuT, now)
			c = pt.cpuT
			if c.next == 0 {
				return ITimerValue{Interval: time.Duration(c.interval)}
			}
		}
		return cpuValue(&c, now)
	}
	w := &pt.wall
	if pt.notify == SigevNone && !w.next.IsZero() {
		if n := time.Now(); !n.Before(w.next) {
			if w.interval > 0 {
				w.next = w.next.Add((n.Sub(w.next)/w.interval + 1) * w.interval)
			} else {
				w.next = time.Time{}
			}
		}
	}
	return wallValue(w)
}

// GetTimer implements timer_gettime.
func (t *Task) GetTimer(id int32) (ITimerValue, error) {
	ts := &t.tg.timers
	ts.mu.Lock()
	pt, ok := ts.posix[id]
	ts.mu.Unlock()
	if !ok {
		return ITimerValue{}, unix.EINVAL
	}
	var now int64
	if pt.cpu {
		now = t.timerNow(pt)
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.posix[id] != pt {
		return ITimerValue{}, unix.EINVAL
	}
	return t.timerValueLocked(pt, now), nil
}

// TimerOverrun implements timer_getoverrun: the overrun count of the last
// expiration signalled and delivered.
func (t *Task) TimerOverrun(id int32) (int32, error) {
	ts := &t.tg.timers
	ts.mu.Lock()
	defer ts.mu.Unlock()
	pt, ok := ts.posix[id]
	if !ok {
		return 0, unix.EINVAL
	}
	t.tg.syncOverrunLocked(pt)
	return pt.lastOverrun, nil
}

// findQueuedLocked returns the queued siginfo of pt's last signal, if it
// is still pending. For SI_TIMER, siginfo_t's _timer member puts si_tid
// and si_overrun where _kill has si_pid and si_uid, so SigInfo's PID and
// UID carry the timer id and the overrun count. tg.mu must be held.
func (tg *ThreadGroup) findQueuedLocked(pt *posixTimer) *SigInfo {
	q := tg.pending
	if pt.target != nil {
		q = pt.target.pending
	}
	for i := range q {
		p := &q[i]
		if p.Code == siTimer && p.PID == pt.id && p.Signo == int(pt.signo) {
			return p
		}
	}
	return nil
}

// syncOverrunLocked notices that pt's last signal was delivered.
func (tg *ThreadGroup) syncOverrunLocked(pt *posixTimer) {
	if !pt.queued {
		return
	}
	tg.mu.Lock()
	q := tg.findQueuedLocked(pt)
	tg.mu.Unlock()
	if q == nil {
		pt.lastOverrun = pt.queuedOverrun
		pt.queued = false
	}
}

// deliverTimerLocked signals n expirations of pt: a new signal, or more
// overruns on the one still pending.
func (tg *ThreadGroup) deliverTimerLocked(pt *posixTimer, n int64) {
	if pt.notify == SigevNone {
		return
	}
	tg.mu.Lock()
	if q := tg.findQueuedLocked(pt); q != nil {
		ov := min(int64(int32(q.UID))+n, 1<<31-1)
		q.UID = uint32(ov)
		pt.queuedOverrun = int32(ov)
		tg.mu.Unlock()
		return
	}
	tg.mu.Unlock()
	if pt.queued {
		pt.lastOverrun = pt.queuedOverrun
	}
	ov := int32(min(n-1, 1<<31-1))
	pt.queued, pt.queuedOverrun = true, ov
	info := SigInfo{Signo: int(pt.signo), Code: siTimer, PID: pt.id, UID: uint32(ov), Value: pt.value}
	if pt.target != nil {
		select {
		case <-pt.target.done:
			return
		default:
		}
		pt.target.SendSignal(info)
		return
	}
	tg.SendGroupSignal(info)
}
