// Package kernel is the sentry's kernel: the Kernel, its tasks (application
// threads) and thread groups, and the run loop that drives each task through
// the platform, dispatching system calls and faults.
//
// Each task is run by one goroutine locked to its OS thread for the task's
// whole life: the ptrace platform requires that the thread that created an
// address space's stub drives it.
package kernel

import (
	"crypto/rand"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"stockade.dev/fs/vfs"
	"stockade.dev/platform"
	"stockade.dev/sentry/memfile"
)

// Kernel is one sandbox's kernel.
type Kernel struct {
	// Platform runs application code; MemFile backs its memory.
	Platform platform.Platform
	MemFile  *memfile.File
	// VFS is the file tree.
	VFS *vfs.VFS
	// Syscalls is the system call table.
	Syscalls *SyscallTable
	// Strace, when set, receives a line for every system call.
	Strace io.Writer
	// Hostname is the UTS node name.
	Hostname string
	// PidsLimit bounds the sandbox's tasks (threads included), as the
	// container's pids cgroup (linux.resources.pids.limit) bounds a runc
	// container's: clone fails with EAGAIN at the limit. 0 is no limit.
	// The host cgroup cannot do it: the tasks are not host processes.
	PidsLimit int
	// Log is where the sentry logs.
	Log *slog.Logger
	// ProtectInit makes init ignore default-action signals from outside
	// the sandbox, as a pid namespace's init does (OCI containers).
	ProtectInit bool

	bootTime time.Time

	futexOnce sync.Once
	futex     *futexTable

	// mu is the process-tree lock: it guards tasks, lastTID, init and every
	// ThreadGroup's tree fields. It is taken before ThreadGroup.mu.
	mu      sync.Mutex
	tasks   map[int32]*Task
	lastTID int32
	init    *ThreadGroup
	// containerInits are the inits of the pod's later containers, by
	// container id (container.go).
	containerInits map[string]*ThreadGroup

	// ttys are the sessions' controlling terminals (tty.go).
	ttys ttyState

	statusMu sync.Mutex
	// exited is closed when the init thread group exits; status holds how.
	exited chan struct{}
	status ExitStatus
}

// ExitStatus is how a thread group ended.
type ExitStatus struct {
	// Code is the exit code when Signal is 0.
	Code int
	// Signal is the fatal signal, if any.
	Signal int
	// CoreDumped reports a core-dumping signal.
	CoreDumped bool
}

// ShellCode returns the status as a shell reports it: the code, or
// 128+signal.
func (s ExitStatus) ShellCode() int {
	if s.Signal != 0 {
		return 128 + s.Signal
	}
	return s.Code
}

// New returns a kernel ready to start a process.
func New(p platform.Platform, mf *memfile.File, fs *vfs.VFS, table *SyscallTable) *Kernel {
	hn, _ := os.Hostname()
	debug.SetMaxThreads(maxThreads)
	return &Kernel{
		Platform: p, MemFile: mf, VFS: fs, Syscalls: table, Hostname: hn,
		Log: slog.Default(), bootTime: time.Now(), exited: make(chan struct{}),
		tasks: map[int32]*Task{}, containerInits: map[string]*ThreadGroup{},
	}
}

// Random fills b with random bytes.
func (k *Kernel) Random(b []byte) { rand.Read(b) }

// BootTime returns when the kernel started.
func (k *Kernel) BootTime() time.Time { return k.bootTime }

// Wait waits for the init process to exit and returns its status.
func (k *Kernel) Wait() ExitStatus {
	<-k.exited
	return k.status
}

// initExited records the init process's exit.
func (k *Kernel) initExited(s ExitStatus) {
	k.statusMu.Lock()
	defer k.statusMu.Unlock()
	select {
	case <-k.exited:
	default:
		k.status = s
		close(k.exited)
	}
}

// SignalInit sends sig to the sandbox's init process as if from outside
// the sandbox (si_code SI_USER, sender pid 0): runsc forwards the signals
// it receives this way.
func (k *Kernel) SignalInit(sig int) {
	k.mu.Lock()
	tg := k.init
	k.mu.Unlock()
	if tg != nil {
		tg.SendGroupSignal(SigInfo{Signo: sig})
	}
}
