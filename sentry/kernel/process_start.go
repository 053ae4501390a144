package kernel

import (
	"runtime"
	"time"

	"stockade.dev/fs/vfs"
)

// Starting processes from outside the sandbox: the container's init at
// `runsc start`, and the processes `runsc exec` adds to a running sandbox.
// Each leads its own session and process group; an exec'd process has no
// parent inside the sandbox (its ppid is 0, as gVisor shows it).

// ProcessOptions describe a process started by StartProcess.
type ProcessOptions struct {
	// Filename is the program (an absolute path inside the sandbox), Argv
	// and Envv its arguments and environment.
	Filename   string
	Argv, Envv []string
	// FDTable holds the process's initial fds (stdio).
	FDTable *vfs.FDTable
	// FS is its root, working directory and umask.
	FS *FSContext
	// Creds are its credentials (before its program's execve changes
	// them).
	Creds *Credentials
	// NoNewPrivs sets no_new_privs before the program is executed.
	NoNewPrivs bool
	// Rlimits override the default resource limits.
	Rlimits map[int]Rlimit
	// TTY, if set, is the controlling terminal of the new session.
	TTY TTY
	// Init makes the process the sandbox's init (pid 1 if it is the
	// first): its exit is what Kernel.Wait reports.
	Init bool
	// Container is the pod container the process belongs to ("" for the
	// sandbox's first one); ContainerInit makes it that container's init
	// (container.go). SharedPIDs puts a later container in the sandbox's
	// pid namespace instead of one of its own.
	Container     string
	ContainerInit bool
	SharedPIDs    bool
}

// StartProcess starts a new process and returns it once the program is
// loaded, or the error loading it.
func (k *Kernel) StartProcess(o ProcessOptions) (*ThreadGroup, error) {
	rl := map[int]Rlimit{}
	for r, l := range o.Rlimits {
		rl[r] = l
	}
	k.mu.Lock()
	tg := k.newThreadGroup(nil, &sigHandlers{}, rl)
	tg.container, tg.pidns = o.Container, o.Container
	if o.SharedPIDs {
		tg.pidns = ""
	}
	if o.ContainerInit && o.Container != "" {
		tg.containerInit = true
		k.containerInits[o.Container] = tg
	}
	t := &Task{
		k: k, tg: tg, FDTable: o.FDTable, interruptCh: make(chan struct{}, 1), done: make(chan struct{}),
		FS:    o.FS,
		Creds: o.Creds,
	}
	t.initProc(nil)
	t.attrs.noNewPrivs = o.NoNewPrivs
	t.ID = k.allocTIDLocked()
	tg.ID, tg.leader, tg.pgid, tg.sid = t.ID, t, t.ID, t.ID
	tg.tasks = []*Task{t}
	k.tasks[t.ID] = t
	if o.Init {
		k.init = tg
	}
	k.mu.Unlock()
	if o.TTY != nil {
		k.SetSessionTTY(tg.ID, o.TTY)
		if a, ok := o.TTY.(SessionAttacher); ok {
			a.AttachSession(k, tg.ID, tg.ID)
		}
	}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		t.ctx = k.Platform.NewContext()
		if err := t.Exec(o.Filename, o.Argv, o.Envv); err != nil {
			started <- err
			return
		}
		started <- nil
		t.run()
	}()
	if err := <-started; err != nil {
		k.mu.Lock()
		delete(k.tasks, t.ID)
		if k.init == tg {
			k.init = nil
		}
		if k.containerInits[o.Container] == tg {
			delete(k.containerInits, o.Container)
		}
		k.mu.Unlock()
		if o.TTY != nil {
			k.ReleaseTTY(tg.ID, o.TTY)
		}
		if t.ctx != nil {
			t.ctx.Release()
		}
		return nil, err
	}
	return tg, nil
}

// ExitStatusIfDone returns how the process ended, once it has.
func (tg *ThreadGroup) ExitStatusIfDone() (ExitStatus, bool) {
	tg.k.mu.Lock()
	zombie := tg.zombie
	tg.k.mu.Unlock()
	if !zombie {
		return ExitStatus{}, false
	}
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.status, true
}

// WaitExit waits until the process ended (or done is closed) and returns
// how it ended. A process with no parent in the sandbox (StartProcess) is
// reaped here.
func (tg *ThreadGroup) WaitExit(done <-chan struct{}) (ExitStatus, bool) {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if s, ok := tg.ExitStatusIfDone(); ok {
			k := tg.k
			k.mu.Lock()
			if tg.parent == nil && tg != k.init && !tg.reaped {
				k.reapLocked(tg)
			}
			k.mu.Unlock()
			return s, true
		}
		select {
		case <-done:
			return ExitStatus{}, false
		case <-tick.C:
		}
	}
}

// SignalAll sends sig to every process of the sandbox, as if from outside
// (runsc kill --all).
func (k *Kernel) SignalAll(sig int) {
	for _, tg := range k.ThreadGroups() {
		if !tg.IsZombie() {
			tg.SendGroupSignal(SigInfo{Signo: sig})
		}
	}
}

// KillAll ends every process of the sandbox (the sandbox shuts down).
func (k *Kernel) KillAll() { k.killAll() }
