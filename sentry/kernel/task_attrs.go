package kernel

import (
	"bytes"
	"runtime"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/hostproc"
)

// taskAttrs are the per-thread attributes set by prctl(2), the sched_*
// calls, setpriority and ioprio_set. The zero value is what the sandbox's
// first task has: every field's zero means Linux's default. mu guards
// everything; other tasks read them (sched_getaffinity(pid), getpriority).
type taskAttrs struct {
	mu sync.Mutex
	// affinity is the CPU mask (sched_setaffinity); nil means every CPU
	// the sandbox has.
	affinity []uint64
	// policy and rtPriority are the scheduling policy and its static
	// priority (sched_setscheduler); resetOnFork is SCHED_RESET_ON_FORK.
	policy      int32
	rtPriority  int32
	resetOnFork bool
	// nice is the nice value, -20..19.
	nice int32
	// ioprio is the I/O priority (ioprio_set); 0 is IOPRIO_CLASS_NONE.
	ioprio int32
	// pdeathSig is PR_SET_PDEATHSIG's signal (0: none).
	pdeathSig int32
	// timerSlack and defaultSlack are PR_SET_TIMERSLACK's values in ns
	// (0: Linux's 50 µs default).
	timerSlack, defaultSlack uint64
	// noNewPrivs is PR_SET_NO_NEW_PRIVS (sticky, inherited).
	noNewPrivs bool
	// thpDisable is PR_SET_THP_DISABLE.
	thpDisable bool

	// cpu caches CPU time for accounting (see timers.go).
	cpu taskCPU
}

// processAttrs are the per-process attributes of prctl(2) and the
// accounting the rusage and timer code keeps. mu guards them.
type processAttrs struct {
	mu sync.Mutex
	// notDumpable is the inverse of PR_GET_DUMPABLE (reset by execve).
	notDumpable bool
	// creator is the thread that created this process (its Linux
	// real_parent): PR_SET_PDEATHSIG fires when that thread exits.
	// Guarded by Kernel.mu.
	creator *Task
}

// defaultTimerSlack is Linux's default timer slack, 50 µs.
const defaultTimerSlack = 50000

// Scheduling policies.
const (
	SchedOther    = 0
	SchedFIFO     = 1
	SchedRR       = 2
	SchedBatch    = 3
	SchedIdle     = 5
	SchedDeadline = 6
	// SchedResetOnFork is the SCHED_RESET_ON_FORK flag of the policy.
	SchedResetOnFork = 0x40000000
)

// hostCPUs is the set of CPUs the sandbox offers: the CPUs the sentry may
// run on when it starts (before the platform pins its threads).
var hostCPUs = func() []int {
	var set unix.CPUSet
	var cpus []int
	if unix.SchedGetaffinity(0, &set) == nil {
		for i := 0; i < len(set)*64; i++ {
			if set.IsSet(i) {
				cpus = append(cpus, i)
			}
		}
	}
	if len(cpus) == 0 {
		for i := 0; i < runtime.NumCPU(); i++ {
			cpus = append(cpus, i)
		}
	}
	return cpus
}()

// OnlineCPUs returns the CPUs of the sandbox, ascending.
func OnlineCPUs() []int { return append([]int(nil), hostCPUs...) }

// CPUMaskBytes is the size of the kernel's CPU mask (cpumask_size()): the
// longs needed for the highest CPU id. sched_getaffinity returns it.
func CPUMaskBytes() int {
	maxCPU := hostCPUs[len(hostCPUs)-1]
	return (maxCPU/64 + 1) * 8
}

// onlineMask returns the mask of every sandbox CPU.
func onlineMask() []uint64 {
	m := make([]uint64, CPUMaskBytes()/8)
	for _, c := range hostCPUs {
		m[c/64] |= 1 << (c % 64)
	}
	return m
}

// Affinity returns the task's CPU mask (CPUMaskBytes()/8 words).
func (t *Task) Affinity() []uint64 {
	a := &t.attrs
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.affinity == nil {
		return onlineMask()
	}
	return append([]uint64(nil), a.affinity...)
}

// SetAffinity sets the task's CPU mask, restricted to the sandbox's CPUs;
// EINVAL if no sandbox CPU is left.
func (t *Task) SetAffinity(mask []uint64) error {
	on := onlineMask()
	m := make([]uint64, len(on))
	empty := true
	for i := range m {
		if i < len(mask) {
			m[i] = mask[i] & on[i]
		}
		if m[i] != 0 {
			empty = false
		}
	}
	if empty {
		return unix.EINVAL
	}
	a := &t.attrs
	a.mu.Lock()
	a.affinity = m
	a.mu.Unlock()
	return nil
}

// SchedPolicy returns the scheduling policy (with SCHED_RESET_ON_FORK if
// set) and the static priority.
func (t *Task) SchedPolicy() (policy int32, prio int32) {
	a := &t.attrs
	a.mu.Lock()
	defer a.mu.Unlock()
	policy = a.policy
	if a.resetOnFork {
		policy |= SchedResetOnFork
	}
	return policy, a.rtPriority
}

// SetSchedPolicy sets the policy (without flags), static priority and
// SCHED_RESET_ON_FORK. The caller validated them.
func (t *Task) SetSchedPolicy(policy, prio int32, resetOnFork bool) {
	a := &t.attrs
	a.mu.Lock()
	a.policy, a.rtPriority, a.resetOnFork = policy, prio, resetOnFork
	a.mu.Unlock()
}

// Nice returns the task's nice value.
func (t *Task) Nice() int32 {
	a := &t.attrs
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.nice
}

// SetNice sets the task's nice value, clamped to -20..19.
func (t *Task) SetNice(n int32) {
	n = max(-20, min(19, n))
	a := &t.attrs
	a.mu.Lock()
	a.nice = n
	a.mu.Unlock()
}

// IOPrio returns the I/O priority.
func (t *Task) IOPrio() int32 {
	a := &t.attrs
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ioprio
}

// SetIOPrio sets the I/O priority.
func (t *Task) SetIOPrio(p int32) {
	a := &t.attrs
	a.mu.Lock()
	a.ioprio = p
	a.mu.Unlock()
}

// PdeathSignal returns PR_GET_PDEATHSIG's signal.
func (t *Task) PdeathSignal() int32 {
	a := &t.attrs
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.pdeathSig
}

// SetPdeathSignal sets the signal the task gets when its parent thread
// exits.
func (t *Task) SetPdeathSignal(sig int32) {
	a := &t.attrs
	a.mu.Lock()
	a.pdeathSig = sig
	a.mu.Unlock()
}

// TimerSlack returns the timer slack in ns.
func (t *Task) TimerSlack() uint64 {
	a := &t.attrs
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.timerSlack == 0 {
		return defaultTimerSlack
	}
	return a.timerSlack
}

// SetTimerSlack sets the timer slack; 0 restores the task's default.
func (t *Task) SetTimerSlack(ns uint64) {
	a := &t.attrs
	a.mu.Lock()
	if ns == 0 {
		ns = a.defaultSlack
	}
	a.timerSlack = ns
	a.mu.Unlock()
}

// NoNewPrivs reports PR_GET_NO_NEW_PRIVS.
func (t *Task) NoNewPrivs() bool {
	a := &t.attrs
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.noNewPrivs
}

// SetNoNewPrivs sets no_new_privs (it cannot be cleared).
func (t *Task) SetNoNewPrivs() {
	a := &t.attrs
	a.mu.Lock()
	a.noNewPrivs = true
	a.mu.Unlock()
}

// THPDisabled reports PR_GET_THP_DISABLE.
func (t *Task) THPDisabled() bool {
	a := &t.attrs
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.thpDisable
}

// SetTHPDisabled sets PR_SET_THP_DISABLE.
func (t *Task) SetTHPDisabled(on bool) {
	a := &t.attrs
	a.mu.Lock()
	a.thpDisable = on
	a.mu.Unlock()
}

// Dumpable reports PR_GET_DUMPABLE (1 or 0).
func (tg *ThreadGroup) Dumpable() int {
	tg.attrs.mu.Lock()
	defer tg.attrs.mu.Unlock()
	if tg.attrs.notDumpable {
		return 0
	}
	return 1
}

// SetDumpable sets PR_SET_DUMPABLE (0 or 1).
func (tg *ThreadGroup) SetDumpable(on bool) {
	tg.attrs.mu.Lock()
	tg.attrs.notDumpable = !on
	tg.attrs.mu.Unlock()
}

// ClearChildTIDAddr returns the set_tid_address pointer (PR_GET_TID_ADDRESS).
func (t *Task) ClearChildTIDAddr() uintptr { return t.clearChildTID }

// inheritAttrs gives a new task (clone, fork, vfork) its parent's
// attributes, as copy_process does. It runs before the child starts.
func (child *Task) inheritAttrs(parent *Task, flags uint64) {
	p := &parent.attrs
	p.mu.Lock()
	c := &child.attrs
	c.affinity = append([]uint64(nil), p.affinity...)
	if p.affinity == nil {
		c.affinity = nil
	}
	c.policy, c.rtPriority, c.nice = p.policy, p.rtPriority, p.nice
	if p.resetOnFork {
		// SCHED_RESET_ON_FORK: the child runs SCHED_OTHER, nice >= 0.
		if c.policy == SchedFIFO || c.policy == SchedRR {
			c.policy, c.rtPriority = SchedOther, 0
		}
		c.nice = max(c.nice, 0)
	}
	c.ioprio = p.ioprio
	slack := p.timerSlack
	c.timerSlack, c.defaultSlack = slack, slack
	c.noNewPrivs, c.thpDisable = p.noNewPrivs, p.thpDisable
	// pdeath_signal is never inherited.
	p.mu.Unlock()
	if flags&unix.CLONE_THREAD == 0 && child.tg != parent.tg {
		parent.tg.attrs.mu.Lock()
		nd := parent.tg.attrs.notDumpable
		parent.tg.attrs.mu.Unlock()
		child.tg.attrs.notDumpable = nd
		parent.k.mu.Lock()
		child.tg.attrs.creator = parent
		parent.k.mu.Unlock()
	}
}

// execAttrs resets what execve resets: POSIX timers are deleted and the
// process becomes dumpable again (PR_SET_KEEPCAPS is cleared with the
// credentials, credentials_exec.go). Interval timers and alarm survive.
func (t *Task) execAttrs() {
	t.retireHostThread()
	t.tg.timers.deletePosixTimers()
	t.tg.SetDumpable(true)
}

// sendPdeathSignals sends PR_SET_PDEATHSIG signals to the children t
// created, as Linux does when their parent thread exits (even if other
// threads of its process live on), and passes the children to a live
// sibling thread.
func (t *Task) sendPdeathSignals() {
	k := t.k
	type target struct {
		tg  *ThreadGroup
		sig int32
	}
	var targets []target
	k.mu.Lock()
	var heir *Task
	for _, o := range t.tg.tasks {
		if o != t {
			heir = o
			break
		}
	}
	for c := range t.tg.children {
		if c.attrs.creator != t && !(c.attrs.creator == nil && heir == nil) {
			continue
		}
		c.attrs.creator = heir
		if c.zombie {
			continue
		}
		for _, ct := range c.tasks {
			if sig := ct.PdeathSignal(); sig != 0 {
				targets = append(targets, target{c, sig})
			}
		}
	}
	k.mu.Unlock()
	if len(targets) == 0 {
		return
	}
	send := func() {
		for _, tt := range targets {
			tt.tg.SendGroupSignal(SigInfo{Signo: int(tt.sig), Code: 0 /* SI_USER */, PID: t.tg.ID, UID: t.Creds.RealUID})
		}
	}
	if heir != nil {
		send()
		return
	}
	// The last thread: Linux signals the children after giving them to
	// their new parent (getppid in the handler sees it), so wait until
	// finish has reparented them.
	go func() {
		<-t.done
		send()
	}()
}

// CurrentCPU returns the CPU getcpu reports: the host CPU the task's stub
// thread last ran on if the task's mask has it, else the mask's first CPU.
func (t *Task) CurrentCPU() int {
	mask := t.Affinity()
	in := func(c int) bool { return c >= 0 && c/64 < len(mask) && mask[c/64]&(1<<(c%64)) != 0 }
	if tid := t.hostTID(); tid > 0 {
		if b, err := hostproc.ReadFile(strconv.Itoa(int(tid)) + "/stat"); err == nil {
			if i := bytes.LastIndexByte(b, ')'); i >= 0 {
				// processor is field 39; fields after the name start at 3.
				if f := bytes.Fields(b[i+1:]); len(f) > 36 {
					if c, err := strconv.Atoi(string(f[36])); err == nil && in(c) {
						return c
					}
				}
			}
		}
	}
	for c := 0; c < len(mask)*64; c++ {
		if in(c) {
			return c
		}
	}
	return 0
}
