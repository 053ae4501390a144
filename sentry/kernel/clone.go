package kernel

import (
	"encoding/binary"
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"

	"stockade.dev/platform"
	"stockade.dev/sentry/mm"
)

// CloneOptions are the arguments of clone/clone3/fork/vfork.
type CloneOptions struct {
	Flags      uint64
	Stack      uintptr
	ParentTID  uintptr
	ChildTID   uintptr
	TLS        uintptr
	ExitSignal int
}

// clone flags unix spells differently or lacks.
const cloneIntoCgroup = 0x200000000

// Clone creates a new task as clone(2) does and returns its thread id in
// the caller's pid namespace.
func (t *Task) Clone(o CloneOptions) (int32, error) {
	f := o.Flags
	if f&unix.CLONE_THREAD != 0 && f&unix.CLONE_SIGHAND == 0 || f&unix.CLONE_SIGHAND != 0 && f&unix.CLONE_VM == 0 {
		return 0, unix.EINVAL
	}
	if f&unix.CLONE_FS != 0 && f&unix.CLONE_NEWNS != 0 {
		return 0, unix.EINVAL
	}
	if f&(unix.CLONE_NEWUSER|unix.CLONE_NEWPID|unix.CLONE_NEWNET|unix.CLONE_NEWUTS|unix.CLONE_NEWIPC|unix.CLONE_NEWCGROUP|unix.CLONE_PIDFD|cloneIntoCgroup) != 0 {
		return 0, unix.EINVAL // these namespaces and pidfds are not supported yet
	}
	if f&unix.CLONE_NEWNS != 0 && !t.HasCap(unix.CAP_SYS_ADMIN) {
		return 0, unix.EPERM
	}
	k := t.k
	// RLIMIT_NPROC bounds processes (threads count too, as on Linux).
	if f&unix.CLONE_THREAD == 0 {
		if lim := t.Rlimit(6); lim.Cur != ^uint64(0) && uint64(k.taskCount()) >= lim.Cur &&
			!t.HasCap(unix.CAP_SYS_RESOURCE) && !t.HasCap(unix.CAP_SYS_ADMIN) {
			return 0, unix.EAGAIN
		}
	}
	if n := k.taskCount(); n >= maxTasks || k.PidsLimit > 0 && n >= k.PidsLimit {
		return 0, unix.EAGAIN
	}

	child := &Task{
		k: k, Creds: t.Creds, sigMask: t.sigMask, interruptCh: make(chan struct{}, 1), done: make(chan struct{}),
		Comm: t.Comm, altStack: t.altStack,
	}
	child.Regs = t.Regs
	child.Regs.Rax = 0
	if o.Stack != 0 {
		child.Regs.Rsp = uint64(o.Stack)
	}
	if f&unix.CLONE_SETTLS != 0 {
		child.Regs.Fs_base = uint64(o.TLS)
	}
	if f&unix.CLONE_VM != 0 && f&unix.CLONE_VFORK == 0 {
		child.altStack = SignalStack{}
	}

	// Address space.
	var handle platform.ThreadHandle
	if f&unix.CLONE_VM != 0 {
		tas, ok := t.MM.AddressSpace().(platform.ThreadedAddressSpace)
		if !ok {
			return 0, unix.ENOSYS
		}
		h, err := tas.PrepareThread()
		if err != nil {
			k.Log.Error("creating a host thread for clone", "err", err)
			return 0, unix.EAGAIN
		}
		handle = h
		t.MM.IncUsers()
		child.MM = t.MM
	} else {
		child.MM = t.MM.Fork()
	}
	if f&unix.CLONE_FILES != 0 {
		t.FDTable.IncUsers()
		child.FDTable = t.FDTable
	} else {
		child.FDTable = t.FDTable.Fork()
	}
	switch {
	case f&unix.CLONE_NEWNS != 0:
		t.FS.mu.Lock()
		vds := k.VFS.CloneNamespace(t.FS.root, t.FS.cwd)
		child.FS = &FSContext{root: vds[0], cwd: vds[1], umask: t.FS.umask, users: 1}
		t.FS.mu.Unlock()
	case f&unix.CLONE_FS != 0:
		t.FS.incUsers()
		child.FS = t.FS
	default:
		child.FS = t.FS.Fork()
	}

	k.mu.Lock()
	if f&unix.CLONE_THREAD != 0 {
		child.tg = t.tg
	} else {
		parent := t.tg
		if f&unix.CLONE_PARENT != 0 && t.tg.parent != nil {
			parent = t.tg.parent
		}
		sighand := t.tg.sighand
		if f&unix.CLONE_SIGHAND == 0 {
			sighand = sighand.fork()
		}
		t.tg.mu.Lock()
		rl := make(map[int]Rlimit, len(t.tg.rlimits))
		for r, v := range t.tg.rlimits {
			rl[r] = v
		}
		t.tg.mu.Unlock()
		child.tg = k.newThreadGroup(parent, sighand, rl)
		child.tg.pgid, child.tg.sid = t.tg.pgid, t.tg.sid
		child.tg.exitSignal = o.ExitSignal
		parent.children[child.tg] = struct{}{}
	}
	tid := k.allocTIDLocked()
	child.ID = tid
	if child.tg.leader == nil {
		child.tg.ID = tid
		child.tg.leader = child
	}
	child.tg.tasks = append(child.tg.tasks, child)
	k.tasks[tid] = child
	child.initProc(t)
	if f&unix.CLONE_VFORK != 0 {
		child.vforkParent = t
		child.vforkDone = make(chan struct{})
	}
	k.mu.Unlock()

	var tidBytes [4]byte
	binary.LittleEndian.PutUint32(tidBytes[:], uint32(tid))
	if f&unix.CLONE_PARENT_SETTID != 0 {
		t.MM.CopyOut(o.ParentTID, tidBytes[:])
	}
	if f&unix.CLONE_CHILD_CLEARTID != 0 {
		child.clearChildTID = o.ChildTID
	}
	setChildTID := f&unix.CLONE_CHILD_SETTID != 0

	child.inheritAttrs(t, f) // prctl and sched attributes (task_attrs.go)
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		child.ctx = k.Platform.NewContext()
		if f&unix.CLONE_VM != 0 {
			if err := child.MM.AddressSpace().(platform.ThreadedAddressSpace).AttachThread(handle); err != nil {
				started <- fmt.Errorf("attaching the new thread: %w", err)
				return
			}
		} else {
			as, err := k.Platform.NewAddressSpace()
			if err != nil {
				started <- fmt.Errorf("creating the child's address space: %w", err)
				return
			}
			k.watchAddressSpace(as, child.tg)
			child.MM.SetAddressSpace(as)
			nameHostProcess(child)
		}
		if setChildTID {
			child.MM.CopyOut(o.ChildTID, tidBytes[:])
		}
		started <- nil
		child.run()
	}()
	if err := <-started; err != nil {
		k.Log.Error("clone failed", "err", err)
		child.exiting = true
		// The goroutine ended; undo the bookkeeping.
		k.mu.Lock()
		delete(k.tasks, tid)
		child.tg.tasks = nil
		if child.tg != t.tg {
			delete(child.tg.parent.children, child.tg)
		}
		k.mu.Unlock()
		return 0, unix.EAGAIN
	}
	if f&unix.CLONE_VFORK != 0 {
		// The parent sleeps until the child execs or exits.
		<-child.vforkDone
	}
	return tid, nil
}

// maxTasks bounds the tasks of one sandbox (the pids limit). Each task
// holds an OS thread of the sentry, so the bound must stay well below the
// Go runtime's thread limit (raised to maxThreads in New): a fork bomb then
// gets EAGAIN instead of crashing the sentry.
const (
	maxTasks   = 8192
	maxThreads = 2*maxTasks + 256
)

// taskCount returns the number of live tasks.
func (k *Kernel) taskCount() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.tasks)
}

// allocTIDLocked returns an unused thread id. k.mu must be held.
func (k *Kernel) allocTIDLocked() int32 {
	for {
		k.lastTID++
		if k.lastTID >= pidMax {
			k.lastTID = 2
		}
		if _, used := k.tasks[k.lastTID]; !used {
			return k.lastTID
		}
	}
}

// pidMax is /proc/sys/kernel/pid_max.
const pidMax = 4194304

var _ = mm.PageSize
