package kernel

import (
	"bytes"
	"strconv"
	"sync"

	"stockade.dev/sentry/hostproc"
)

// tgAccounting is a process's resource usage that outlives its threads.
// mu guards it; it is taken after Kernel.mu, never before it.
type tgAccounting struct {
	mu sync.Mutex
	// dead is the usage of the process's threads that exited.
	dead CPUUsage
	// maxRSS is the largest resident set (kB) seen at thread exits.
	maxRSS int64
	// children is the usage of reaped children and their reaped
	// descendants (RUSAGE_CHILDREN); childMaxRSS their largest RSS.
	children    CPUUsage
	childMaxRSS int64
}

// hostMaxRSS returns the peak resident set (kB) of the stub process
// hosting host thread tid (VmHWM), or 0.
func hostMaxRSS(tid int32) int64 {
	if tid <= 0 {
		return 0
	}
	b, err := hostproc.ReadFile(strconv.Itoa(int(tid)) + "/status")
	if err != nil {
		return 0
	}
	i := bytes.Index(b, []byte("VmHWM:"))
	if i < 0 {
		return 0
	}
	f := bytes.Fields(b[i+6:])
	if len(f) == 0 {
		return 0
	}
	n, _ := strconv.ParseInt(string(f[0]), 10, 64)
	return n
}

// MaxRSS returns the process's peak resident set in kB (getrusage's
// ru_maxrss): the stub address space's high-water mark.
func (tg *ThreadGroup) MaxRSS() int64 {
	var rss int64
	for _, t := range tg.Tasks() {
		rss = max(rss, hostMaxRSS(t.hostTID()))
		break // the threads share one address space
	}
	tg.acct.mu.Lock()
	defer tg.acct.mu.Unlock()
	return max(rss, tg.acct.maxRSS)
}

// ChildrenUsage returns the usage of the process's reaped children
// (RUSAGE_CHILDREN, times' cutime/cstime) and their peak RSS in kB.
func (tg *ThreadGroup) ChildrenUsage() (CPUUsage, int64) {
	tg.acct.mu.Lock()
	defer tg.acct.mu.Unlock()
	return tg.acct.children, tg.acct.childMaxRSS
}

// addChildUsage adds a reaped zombie child's usage (its own and its
// reaped children's) to tg's children usage, as wait(2) does. Kernel.mu
// is held.
func (tg *ThreadGroup) addChildUsage(c *ThreadGroup) {
	c.acct.mu.Lock()
	u := c.acct.dead
	u.add(c.acct.children)
	rss := max(c.acct.maxRSS, c.acct.childMaxRSS)
	c.acct.mu.Unlock()
	tg.acct.mu.Lock()
	tg.acct.children.add(u)
	tg.acct.childMaxRSS = max(tg.acct.childMaxRSS, rss)
	tg.acct.mu.Unlock()
}

// TaskCount returns the number of live tasks (sysinfo's procs).
func (k *Kernel) TaskCount() int { return k.taskCount() }

// AllTasks returns every live task (getpriority/setpriority over a
// process group or user).
func (k *Kernel) AllTasks() []*Task {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]*Task, 0, len(k.tasks))
	seen := map[*ThreadGroup]bool{}
	for _, t := range k.tasks {
		if tg := t.tg; !seen[tg] {
			seen[tg] = true
			out = append(out, tg.tasks...)
		}
	}
	return out
}
