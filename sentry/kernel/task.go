package kernel

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/platform"
	"stockade.dev/sentry/mm"
)

// Rlimit is one resource limit.
type Rlimit struct{ Cur, Max uint64 }

// FSContext is the filesystem state a task may share (CLONE_FS): root,
// working directory and umask. mu guards them.
type FSContext struct {
	mu    sync.Mutex
	root  vfs.VirtualDentry
	cwd   vfs.VirtualDentry
	umask uint32
	users int
}

// NewFSContext returns a context with the given root and working directory.
func NewFSContext(root, cwd vfs.VirtualDentry, umask uint32) *FSContext {
	return &FSContext{root: root, cwd: cwd, umask: umask, users: 1}
}

// Fork returns a copy of f (clone without CLONE_FS).
func (f *FSContext) Fork() *FSContext {
	f.mu.Lock()
	defer f.mu.Unlock()
	return &FSContext{root: f.root, cwd: f.cwd, umask: f.umask, users: 1}
}

func (f *FSContext) incUsers() {
	f.mu.Lock()
	f.users++
	f.mu.Unlock()
}

// release drops a user.
func (f *FSContext) release() {
	f.mu.Lock()
	f.users--
	f.mu.Unlock()
}

// Cwd returns the working directory.
func (f *FSContext) Cwd() vfs.VirtualDentry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cwd
}

// Root returns the root directory (chroot).
func (f *FSContext) Root() vfs.VirtualDentry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.root
}

// SetCwd changes the working directory.
func (f *FSContext) SetCwd(d vfs.VirtualDentry) {
	f.mu.Lock()
	f.cwd = d
	f.mu.Unlock()
}

// SetRoot changes the root directory (chroot).
func (f *FSContext) SetRoot(d vfs.VirtualDentry) {
	f.mu.Lock()
	f.root = d
	f.mu.Unlock()
}

// Umask returns the umask.
func (f *FSContext) Umask() uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.umask
}

// SwapUmask sets the umask and returns the old one.
func (f *FSContext) SwapUmask(m uint32) uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	old := f.umask
	f.umask = m & 0o777
	return old
}

// VFSContext returns the task's view for path resolution: its filesystem
// credentials, root, working directory and umask.
func (t *Task) VFSContext() *vfs.Context {
	t.FS.mu.Lock()
	defer t.FS.mu.Unlock()
	return &vfs.Context{
		Creds: t.Creds.VFSCreds(),
		Root:  t.FS.root, Cwd: t.FS.cwd, Umask: t.FS.umask,
		Task: t,
	}
}

// Task is one application thread. Fields without a lock note are used only
// by the task's own goroutine.
type Task struct {
	k  *Kernel
	tg *ThreadGroup
	// ID is the thread id.
	ID int32

	// MM is the task's address space.
	MM *mm.MM
	// FDTable is the task's fd table.
	FDTable *vfs.FDTable
	// FS is the task's cwd and umask.
	FS *FSContext
	// Creds are the task's credentials.
	Creds *Credentials

	// Regs are the application registers while the task is in the sentry.
	Regs platform.Registers
	ctx  platform.Context

	// sigMask is the blocked signal set; savedMask, if set, is the mask a
	// signal frame saves instead (rt_sigsuspend, ppoll, pselect).
	sigMask   SignalSet
	savedMask *SignalSet
	// pending are signals sent to this thread (guarded by tg.mu).
	pending []SigInfo
	// interruptCh wakes the task from Block when a signal arrives.
	interruptCh chan struct{}
	// restartErrno is the ERESTART* errno of the system call just made,
	// resolved when signals are delivered.
	restartErrno unix.Errno
	// altStack is the sigaltstack.
	altStack SignalStack

	clearChildTID uintptr
	robustList    uintptr
	// Comm is the thread name (PR_SET_NAME), at most 15 bytes.
	Comm string

	// IOBlocks is scratch space for system call handlers doing I/O into
	// application memory, reused to keep the hot path allocation-free.
	IOBlocks [][]byte

	// lastFaultAddr and lastFaultRIP identify the last fault answered by a
	// retry (see mm.ErrFaultRetry).
	lastFaultAddr uintptr
	lastFaultRIP  uint64

	// straceLine is the pending strace entry text.
	straceLine string

	// exiting is set when the task must stop running; exitStatus is its
	// own status (exit(2)) if it is the last thread.
	exiting    bool
	exitStatus ExitStatus

	// vforkParent is set while the parent waits in vfork; vforkDone is
	// closed when the child execs or exits.
	vforkParent *Task
	vforkDone   chan struct{}

	// killedByExec is set when another thread's execve ends this one.
	killedByExec atomic.Bool
	// done is closed when the task's goroutine has finished.
	done chan struct{}
	// attrs are prctl, scheduling and CPU accounting state (task_attrs.go).
	attrs taskAttrs
	// proc is what /proc reports about the task (proc_info.go).
	proc taskProc
}

// Kernel returns the task's kernel.
func (t *Task) Kernel() *Kernel { return t.k }

// ThreadGroup returns the task's process.
func (t *Task) ThreadGroup() *ThreadGroup { return t.tg }

// PID returns the task's process id.
func (t *Task) PID() int32 { return t.tg.ID }

// CopyIn reads application memory (for syscall handlers).
func (t *Task) CopyIn(addr uintptr, dst []byte) (int, error) { return t.MM.CopyIn(addr, dst) }

// CopyOut writes application memory.
func (t *Task) CopyOut(addr uintptr, src []byte) (int, error) { return t.MM.CopyOut(addr, src) }

// CopyInString reads a NUL-terminated string.
func (t *Task) CopyInString(addr uintptr, max int) (string, error) {
	return t.MM.CopyInString(addr, max)
}

// Rlimit returns a resource limit.
func (t *Task) Rlimit(res int) Rlimit {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	if l, ok := t.tg.rlimits[res]; ok {
		return l
	}
	return defaultRlimits[res]
}

// SetRlimit sets a resource limit.
func (t *Task) SetRlimit(res int, l Rlimit) {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	t.tg.rlimits[res] = l
	if res == rlimitNOFILE {
		t.FDTable.SetLimit(int(min(l.Cur, 1<<20)))
	}
}

const rlimitNOFILE = 7

// defaultRlimits are Linux's defaults for init.
var defaultRlimits = map[int]Rlimit{
	0:  {^uint64(0), ^uint64(0)}, // CPU
	1:  {^uint64(0), ^uint64(0)}, // FSIZE
	2:  {^uint64(0), ^uint64(0)}, // DATA
	3:  {8 << 20, ^uint64(0)},    // STACK
	4:  {0, ^uint64(0)},          // CORE
	5:  {^uint64(0), ^uint64(0)}, // RSS
	6:  {63704, 63704},           // NPROC
	7:  {1024, 1048576},          // NOFILE
	8:  {8 << 20, 8 << 20},       // MEMLOCK
	9:  {^uint64(0), ^uint64(0)}, // AS
	10: {^uint64(0), ^uint64(0)}, // LOCKS
	11: {63704, 63704},           // SIGPENDING
	12: {819200, 819200},         // MSGQUEUE
	13: {0, 0},                   // NICE
	14: {0, 0},                   // RTPRIO
	15: {^uint64(0), ^uint64(0)}, // RTTIME
}

// Tasks returns the live tasks of the thread group.
func (tg *ThreadGroup) Tasks() []*Task {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	return append([]*Task(nil), tg.tasks...)
}

// UnshareMountNamespace gives the task a copy of its mount namespace
// (unshare(CLONE_NEWNS)); it also unshares the filesystem context, as
// Linux does.
func (t *Task) UnshareMountNamespace() {
	t.FS.mu.Lock()
	vds := t.k.VFS.CloneNamespace(t.FS.root, t.FS.cwd)
	nfs := &FSContext{root: vds[0], cwd: vds[1], umask: t.FS.umask, users: 1}
	t.FS.mu.Unlock()
	old := t.FS
	t.FS = nfs
	old.release()
}

// UnshareFS gives the task its own copy of its filesystem context.
func (t *Task) UnshareFS() {
	old := t.FS
	t.FS = old.Fork()
	old.release()
}

// UnshareFiles gives the task its own copy of its fd table.
func (t *Task) UnshareFiles() {
	old := t.FDTable
	t.FDTable = old.Fork()
	old.DecUsers()
}
