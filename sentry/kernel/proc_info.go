package kernel

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/mm"
)

// This file holds the read-only views of kernel state that /proc and /sys
// need (fs/proc, fs/sys). Accessors may be called from any goroutine.
//
// Fields a task owns and only its own goroutine writes (MM, FDTable, FS,
// Creds) are pointers that accessors read as they are: a reader sees the
// old or the new value. Comm is written under taskProc.mu.

// taskProc is a task's /proc state.
type taskProc struct {
	// mu guards publishing Comm to other goroutines.
	mu sync.Mutex
	// start is when the task was created.
	start time.Time
	// sleeping is set while the task blocks in the sentry (state S).
	sleeping atomic.Bool
}

// processProc is a process's /proc state.
type processProc struct {
	// oomScoreAdj is /proc/[pid]/oom_score_adj (-1000..1000).
	oomScoreAdj atomic.Int32
}

// initProc sets up a new task's /proc state; parent is the creating task
// (nil for init).
func (t *Task) initProc(parent *Task) {
	t.proc.start = time.Now()
	if parent != nil && t.tg != parent.tg {
		// A new process inherits oom_score_adj.
		t.tg.proc.oomScoreAdj.Store(parent.tg.proc.oomScoreAdj.Load())
	}
}

// SetComm sets the task's name (exec, PR_SET_NAME, /proc/[pid]/comm),
// truncated to 15 bytes.
func (t *Task) SetComm(name string) {
	if len(name) > 15 {
		name = name[:15]
	}
	t.proc.mu.Lock()
	t.Comm = name
	t.proc.mu.Unlock()
}

// CommName returns the task's name; any goroutine may call it.
func (t *Task) CommName() string {
	t.proc.mu.Lock()
	defer t.proc.mu.Unlock()
	return t.Comm
}

// StartTime returns when the task was created.
func (t *Task) StartTime() time.Time { return t.proc.start }

// TaskState is a task's scheduling state as /proc shows it.
type TaskState byte

// Task states (the letters of /proc/[pid]/stat).
const (
	StateRunning  TaskState = 'R'
	StateSleeping TaskState = 'S'
	StateStopped  TaskState = 'T'
	StateZombie   TaskState = 'Z'
	StateDead     TaskState = 'X'
)

// String returns the state as /proc/[pid]/status spells it.
func (s TaskState) String() string {
	switch s {
	case StateRunning:
		return "R (running)"
	case StateSleeping:
		return "S (sleeping)"
	case StateStopped:
		return "T (stopped)"
	case StateZombie:
		return "Z (zombie)"
	}
	return "X (dead)"
}

// State returns the task's state: zombie once its process ended, stopped
// during a group stop, sleeping while it blocks in the sentry, running
// otherwise.
func (t *Task) State() TaskState {
	k := t.k
	k.mu.Lock()
	zombie := t.tg.zombie
	alive := false
	for _, o := range t.tg.tasks {
		if o == t {
			alive = true
			break
		}
	}
	k.mu.Unlock()
	if zombie {
		return StateZombie
	}
	if !alive {
		return StateDead
	}
	t.tg.mu.Lock()
	stopped := t.tg.stopped
	t.tg.mu.Unlock()
	if stopped {
		return StateStopped
	}
	if t.proc.sleeping.Load() {
		return StateSleeping
	}
	return StateRunning
}

// BlockedSignals returns the task's signal mask.
func (t *Task) BlockedSignals() SignalSet { return t.sigMask }

// ThreadPendingSignals returns the signals pending for the thread itself
// (not its process).
func (t *Task) ThreadPendingSignals() SignalSet {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	var s SignalSet
	for _, p := range t.pending {
		s |= 1 << (p.Signo - 1)
	}
	return s
}

// HostTID returns the host thread running the task, or 0.
func (t *Task) HostTID() int32 { return t.hostTID() }

// ThreadGroups returns every process not yet reaped (zombies included),
// by pid.
func (k *Kernel) ThreadGroups() []*ThreadGroup {
	k.mu.Lock()
	var out []*ThreadGroup
	for id, t := range k.tasks {
		if t.tg.ID == id && !t.tg.reaped {
			out = append(out, t.tg)
		}
	}
	k.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ProcessByID returns the process pid, zombies included, or nil.
func (k *Kernel) ProcessByID(pid int32) *ThreadGroup {
	k.mu.Lock()
	defer k.mu.Unlock()
	t := k.tasks[pid]
	if t == nil || t.tg.ID != pid || t.tg.reaped {
		return nil
	}
	return t.tg
}

// ProcCounts returns the number of tasks that are running (not sleeping
// or stopped) and the number of live tasks.
func (k *Kernel) ProcCounts() (running, total int) {
	for _, t := range k.AllTasks() {
		total++
		if t.State() == StateRunning {
			running++
		}
	}
	return running, total
}

// LastPID returns the most recently allocated thread id (/proc/loadavg)
// and, as an approximation of forks since boot, the number of ids handed
// out (/proc/stat "processes").
func (k *Kernel) LastPID() int32 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.lastTID
}

// InitProcess returns the sandbox's first process, or nil.
func (k *Kernel) InitProcess() *ThreadGroup {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.init
}

// Kernel returns the process's kernel.
func (tg *ThreadGroup) Kernel() *Kernel { return tg.k }

// ParentID returns the parent's pid (0 for init).
func (tg *ThreadGroup) ParentID() int32 {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	if tg.parent != nil {
		return tg.parent.ID
	}
	return 0
}

// IsZombie reports whether the process ended and waits to be reaped.
func (tg *ThreadGroup) IsZombie() bool {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	return tg.zombie
}

// ExitSignal returns the signal the parent gets when the process ends.
func (tg *ThreadGroup) ExitSignal() int {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	return tg.exitSignal
}

// Rlimit returns a resource limit of the process.
func (tg *ThreadGroup) Rlimit(res int) Rlimit {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if l, ok := tg.rlimits[res]; ok {
		return l
	}
	return defaultRlimits[res]
}

// PendingSignals returns the process-directed pending signals.
func (tg *ThreadGroup) PendingSignals() SignalSet {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	var s SignalSet
	for _, p := range tg.pending {
		s |= 1 << (p.Signo - 1)
	}
	return s
}

// SignalDispositions returns the signals the process ignores and the ones
// it catches with a handler.
func (tg *ThreadGroup) SignalDispositions() (ignored, caught SignalSet) {
	h := tg.sighand
	h.mu.Lock()
	defer h.mu.Unlock()
	for sig := 1; sig <= numSignals; sig++ {
		switch h.actions[sig].Handler {
		case sigDFL:
		case sigIGN:
			ignored |= 1 << (sig - 1)
		default:
			caught |= 1 << (sig - 1)
		}
	}
	return ignored, caught
}

// OOMScoreAdj returns /proc/[pid]/oom_score_adj.
func (tg *ThreadGroup) OOMScoreAdj() int32 { return tg.proc.oomScoreAdj.Load() }

// SetOOMScoreAdj sets /proc/[pid]/oom_score_adj (the caller validated it).
func (tg *ThreadGroup) SetOOMScoreAdj(v int32) { tg.proc.oomScoreAdj.Store(v) }

// LiveTask returns a task of the process whose address space, files and
// filesystem context are still there: the leader if it runs, else another
// thread, else nil.
func (tg *ThreadGroup) LiveTask() *Task {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	for _, t := range tg.tasks {
		if t == tg.leader {
			return t
		}
	}
	if len(tg.tasks) > 0 {
		return tg.tasks[0]
	}
	return nil
}

// MemoryManager returns the task's address space, or nil once it exited.
func (t *Task) MemoryManager() *mm.MM { return t.MM }

// Files returns the task's fd table, or nil once it exited.
func (t *Task) Files() *vfs.FDTable {
	if t.State() == StateDead || t.State() == StateZombie {
		return nil
	}
	return t.FDTable
}

// Credentials returns the task's credentials.
func (t *Task) Credentials() *Credentials { return t.Creds }

// FSContext returns the task's root, working directory and umask.
func (t *Task) FSContext() *FSContext { return t.FS }

var (
	memTotalOnce sync.Once
	memTotal     uint64
)

// MemoryUsage returns the memory the sandbox reports (/proc/meminfo,
// sysinfo(2)): the host's total, and what the sandbox's memory file holds.
func (k *Kernel) MemoryUsage() (total, used uint64) {
	memTotalOnce.Do(func() {
		var si unix.Sysinfo_t
		if unix.Sysinfo(&si) == nil {
			memTotal = uint64(si.Totalram) * uint64(max(si.Unit, 1))
		}
		if memTotal == 0 {
			memTotal = 4 << 30
		}
	})
	used = k.MemFile.Used()
	return memTotal, min(used, memTotal)
}
