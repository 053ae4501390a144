package kernel

import (
	"sync"

	"stockade.dev/sentry/waiter"
)

// sigHandlers are signal dispositions, shared by CLONE_SIGHAND. mu guards
// actions.
type sigHandlers struct {
	mu      sync.Mutex
	actions [numSignals + 1]SigAction
}

func (h *sigHandlers) fork() *sigHandlers {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := &sigHandlers{actions: h.actions}
	return n
}

// ThreadGroup is a process: the tasks sharing a pid, signal handlers,
// pending process-directed signals and exit status.
//
// Locking: Kernel.mu guards the process tree (parent, children, tasks,
// pgid, sid, zombie, reaped) and is taken before ThreadGroup.mu, which
// guards the signal state (pending, exiting, status, rlimits).
type ThreadGroup struct {
	// ID is the process id (the leader's tid).
	ID int32
	k  *Kernel

	// Guarded by Kernel.mu.
	leader   *Task
	tasks    []*Task
	parent   *ThreadGroup
	children map[*ThreadGroup]struct{}
	pgid     int32
	sid      int32
	// zombie is set when the last task exited; reaped when waited for.
	zombie bool
	reaped bool
	// exitSignal is sent to the parent when the process ends (SIGCHLD).
	exitSignal int
	// subreaper is PR_SET_CHILD_SUBREAPER.
	subreaper bool
	// execed is set once the process called execve (setpgid refuses then).
	execed bool
	// childEvents is notified when a child changes state (for wait).
	childEvents waiter.Queue
	// signalWaiters is notified when a signal is queued for the process
	// or one of its threads (signalfd readiness).
	signalWaiters waiter.Queue
	// vforkDone is closed when a vfork child execs or exits.
	vforkDone chan struct{}
	// container is the id of the pod container the process belongs to,
	// pidns its pid namespace's, containerInit marks a container's init
	// (container.go); autoReap makes an orphan with no reaper left
	// disappear at its exit.
	container     string
	pidns         string
	containerInit bool
	autoReap      bool

	sighand *sigHandlers

	mu sync.Mutex
	// pending are process-directed signals.
	pending []SigInfo
	// exiting is set once exit_group or a fatal signal began the exit.
	exiting bool
	status  ExitStatus
	// rlimits are the resource limits.
	rlimits map[int]Rlimit

	// timers are the interval and POSIX timers (timers.go); acct the usage
	// of exited threads and reaped children (rusage.go); attrs the
	// per-process prctl state (task_attrs.go). Each has its own lock.
	timers timerState
	acct   tgAccounting
	attrs  processAttrs
	// proc is what /proc keeps per process (proc_info.go).
	proc processProc

	// Job control (job_control.go): stopped is set during a group stop by
	// stopSignal; contCh is closed when it ends. reportStop/reportCont are
	// state changes not yet collected by the parent's wait.
	stopped                bool
	stopSignal             int
	contCh                 chan struct{}
	reportStop, reportCont bool
}

// newThreadGroup returns a process with no tasks yet.
func (k *Kernel) newThreadGroup(parent *ThreadGroup, sighand *sigHandlers, rlimits map[int]Rlimit) *ThreadGroup {
	tg := &ThreadGroup{k: k, parent: parent, children: map[*ThreadGroup]struct{}{}, sighand: sighand, rlimits: rlimits, exitSignal: 17}
	if parent != nil {
		tg.pgid, tg.sid = parent.pgid, parent.sid
		tg.container, tg.pidns = parent.container, parent.pidns
	}
	return tg
}

// Leader returns the thread group leader.
func (tg *ThreadGroup) Leader() *Task {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	return tg.leader
}
