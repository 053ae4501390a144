package kernel

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestExpireCPU(t *testing.T) {
	cases := []struct {
		c        cpuTimer
		now      int64
		n        int64
		wantNext int64
	}{
		{cpuTimer{}, 100, 0, 0},                        // disarmed
		{cpuTimer{next: 50}, 40, 0, 50},                // not yet
		{cpuTimer{next: 50}, 50, 1, 0},                 // one shot
		{cpuTimer{next: 50, interval: 10}, 55, 1, 60},  // periodic
		{cpuTimer{next: 50, interval: 10}, 85, 4, 90},  // overruns
		{cpuTimer{next: 50, interval: 10}, 90, 5, 100}, // exactly on a period
		{cpuTimer{next: 1, interval: 1 << 40}, 2, 1, 1 + 1<<40},
	}
	for i, c := range cases {
		ct := c.c
		if n := expireCPU(&ct, c.now); n != c.n || ct.next != c.wantNext {
			t.Errorf("case %d: expireCPU(%+v, %d) = %d, next %d; want %d, next %d", i, c.c, c.now, n, ct.next, c.n, c.wantNext)
		}
	}
}

func TestReadHostThreadUsage(t *testing.T) {
	// Burn a little CPU so the counters are non-zero.
	end := time.Now().Add(20 * time.Millisecond)
	x := 0
	for time.Now().Before(end) {
		x++
	}
	u, ok := readHostThreadUsage(int32(unix.Getpid()))
	if !ok {
		t.Skip("/proc/<pid>/stat is not readable here")
	}
	if u.Sched <= 0 || u.User+u.Sys != u.Sched || u.User < 0 || u.Sys < 0 {
		t.Errorf("usage %+v: want Sched > 0 split into User+Sys", u)
	}
	if n, ok := readHostSched(int32(unix.Getpid())); ok && n < u.Sched {
		t.Errorf("schedstat went backwards: %d < %d", n, u.Sched)
	}
	if _, ok := readHostThreadUsage(-5); ok {
		t.Error("reading a bad tid succeeded")
	}
}

func TestAffinity(t *testing.T) {
	if len(OnlineCPUs()) == 0 || CPUMaskBytes()%8 != 0 {
		t.Fatalf("cpus %v, mask bytes %d", OnlineCPUs(), CPUMaskBytes())
	}
	task := &Task{}
	all := task.Affinity()
	if len(all)*8 != CPUMaskBytes() {
		t.Fatalf("default mask %v has the wrong size", all)
	}
	if err := task.SetAffinity(make([]uint64, len(all))); err != unix.EINVAL {
		t.Errorf("empty mask: %v, want EINVAL", err)
	}
	first := OnlineCPUs()[0]
	one := make([]uint64, len(all))
	one[first/64] = 1 << (first % 64)
	if err := task.SetAffinity(one); err != nil {
		t.Fatal(err)
	}
	if got := task.Affinity(); got[first/64] != one[first/64] {
		t.Errorf("mask %v, want %v", got, one)
	}
	if c := task.CurrentCPU(); c != first {
		t.Errorf("CurrentCPU %d, want %d", c, first)
	}
}

func TestAlarmRoundsAndCancels(t *testing.T) {
	tg := &ThreadGroup{}
	if got := tg.Alarm(100); got != 0 {
		t.Errorf("first alarm returned %d", got)
	}
	if got := tg.Alarm(0); got != 100 {
		t.Errorf("alarm(0) returned %d, want 100 (rounded)", got)
	}
	v, err := tg.GetITimer(ITimerReal)
	if err != nil || v.Value != 0 || v.Interval != 0 {
		t.Errorf("after cancel: %+v, %v", v, err)
	}
	if _, err := tg.GetITimer(7); err != unix.EINVAL {
		t.Errorf("bad which: %v", err)
	}
	old, _ := tg.SetITimer(ITimerReal, ITimerValue{Value: time.Hour, Interval: time.Second})
	if old.Value != 0 {
		t.Errorf("old %+v", old)
	}
	v, _ = tg.GetITimer(ITimerReal)
	if v.Interval != time.Second || v.Value <= 59*time.Minute || v.Value > time.Hour {
		t.Errorf("armed: %+v", v)
	}
	tg.stopTimers()
	if v, _ := tg.GetITimer(ITimerReal); v.Value != 0 {
		t.Errorf("after stop: %+v", v)
	}
}

func TestTimerSlackDefaults(t *testing.T) {
	task := &Task{}
	if s := task.TimerSlack(); s != defaultTimerSlack {
		t.Errorf("slack %d", s)
	}
	task.SetTimerSlack(1000)
	if s := task.TimerSlack(); s != 1000 {
		t.Errorf("slack %d", s)
	}
	task.SetTimerSlack(0)
	if s := task.TimerSlack(); s != defaultTimerSlack {
		t.Errorf("slack after reset %d", s)
	}
}
