package kernel

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/platform"
	"stockade.dev/sentry/loader"
	"stockade.dev/sentry/mm"
)

// StartInit starts the sandbox's first process (pid 1): it runs filename
// with argv and envv, with the given fd table, working directory and
// credentials. It returns once the program is loaded (or failed to load).
func (k *Kernel) StartInit(filename string, argv, envv []string, fdt *vfs.FDTable, fsc *FSContext, creds *Credentials) error {
	k.mu.Lock()
	tg := k.newThreadGroup(nil, &sigHandlers{}, map[int]Rlimit{})
	t := &Task{
		k: k, tg: tg, FDTable: fdt, interruptCh: make(chan struct{}, 1), done: make(chan struct{}),
		FS:    fsc,
		Creds: creds,
	}
	t.initProc(nil)
	t.ID = k.allocTIDLocked()
	tg.ID, tg.leader, tg.pgid, tg.sid = t.ID, t, t.ID, t.ID
	tg.tasks = []*Task{t}
	k.tasks[t.ID] = t
	k.init = tg
	k.mu.Unlock()
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// The OS thread is never unlocked: it exits with the goroutine,
		// which ends its tracing of stub threads.
		t.ctx = k.Platform.NewContext()
		if err := t.Exec(filename, argv, envv); err != nil {
			started <- err
			return
		}
		started <- nil
		t.run()
	}()
	return <-started
}

// Exec replaces the task's program, as execve does: other threads are
// killed, a new address space gets the program, close-on-exec fds are
// closed and handled signals reset. On error the old program is intact.
func (t *Task) Exec(filename string, argv, envv []string) error {
	as, err := t.k.Platform.NewAddressSpace()
	if err != nil {
		return fmt.Errorf("creating an address space: %w", err)
	}
	t.k.watchAddressSpace(as, t.tg)
	m := mm.New(t.k.MemFile, as, t.k.Platform.MaxUserAddress())
	creds, gained := t.Creds, false
	res, err := loader.Load(&loader.Args{
		VFS: t.k.VFS, Ctx: t.VFSContext(), Filename: filename, Argv: argv, Envv: envv, MM: m,
		UID: t.Creds.RealUID, EUID: t.Creds.EffectiveUID, GID: t.Creds.RealGID, EGID: t.Creds.EffectiveGID,
		Random: t.k.Random, VDSO: t.k.vdso(), StackSize: t.Rlimit(3).Cur,
		OnExecutable: func(a *loader.Args, st *unix.Stat_t, nosuid bool) {
			creds, a.Secure, gained = execCreds(t.Creds, st, nosuid, t.NoNewPrivs())
			a.UID, a.EUID, a.GID, a.EGID = creds.RealUID, creds.EffectiveUID, creds.RealGID, creds.EffectiveGID
		},
	})
	if err != nil {
		m.Release()
		return err
	}
	m.Executable = res.Path
	// Point of no return.
	t.killOtherThreads()
	t.execAttrs() // POSIX timers, dumpable, CPU time (task_attrs.go)
	t.Creds = creds
	if gained {
		// A set-id program (or one gaining capabilities) is not dumpable.
		t.tg.SetDumpable(false)
	}
	old := t.MM
	t.MM = m
	if old != nil {
		old.DecUsers()
	}
	if t.FDTable != nil {
		// An fd table shared with another process (CLONE_FILES) is unshared.
		nt := t.FDTable.ForkExec() // keeps POSIX record locks
		t.FDTable.DecUsers()
		t.FDTable = nt
		t.FDTable.CloseOnExec()
	}
	// Handlers reset to default on exec; ignored signals stay ignored.
	h := t.tg.sighand
	nh := &sigHandlers{}
	h.mu.Lock()
	for i := range h.actions {
		if h.actions[i].Handler == sigIGN {
			nh.actions[i] = h.actions[i]
		}
	}
	h.mu.Unlock()
	t.tg.sighand = nh
	t.altStack = SignalStack{}
	t.clearChildTID = 0
	t.robustList = 0
	t.SetComm(commName(filename)) // the name execve was given, as Linux
	nameHostProcess(t)
	t.Regs = platform.Registers{
		Rip: uint64(res.Entry), Rsp: uint64(res.StackPointer),
		Cs: 0x33, Ss: 0x2b, Eflags: 0x202,
	}
	t.k.mu.Lock()
	t.tg.execed = true
	if t.vforkParent != nil {
		close(t.vforkDone)
		t.vforkParent = nil
	}
	t.k.mu.Unlock()
	return nil
}

// killOtherThreads ends every other thread of the process and waits for
// them to go (execve); the caller becomes the leader.
func (t *Task) killOtherThreads() {
	k := t.k
	k.mu.Lock()
	others := []*Task{}
	for _, o := range t.tg.tasks {
		if o != t {
			others = append(others, o)
		}
	}
	k.mu.Unlock()
	if len(others) == 0 {
		return
	}
	for _, o := range others {
		o.killedByExec.Store(true)
		o.interrupt()
	}
	for _, o := range others {
		<-o.done
	}
	k.mu.Lock()
	if t.tg.leader != t {
		// Take over the leader's pid.
		old := t.tg.leader
		delete(k.tasks, t.ID)
		delete(k.tasks, old.ID)
		t.ID = t.tg.ID
		t.tg.leader = t
		k.tasks[t.ID] = t
	}
	k.mu.Unlock()
}

// vdso returns the platform's vDSO address, if it provides one.
func (k *Kernel) vdso() uintptr {
	if v, ok := k.Platform.(interface{ VDSO() uintptr }); ok {
		return v.VDSO()
	}
	return 0
}

// commName is the task name exec sets: the file's base name, 15 bytes.
func commName(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			path = path[i+1:]
			break
		}
	}
	if len(path) > 15 {
		path = path[:15]
	}
	return path
}

// run is the task's life: switch into the application, handle what stopped
// it, deliver signals, until the task exits.
func (t *Task) run() {
	defer close(t.done)
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprintf("sentry bug: %v", r)
			t.k.Log.Error(msg, "stack", string(debug.Stack()))
			fmt.Fprintf(os.Stderr, "runsc: internal error in the sandbox kernel (%v); details are in the debug log\n", r)
			t.k.initExited(ExitStatus{Signal: int(unix.SIGKILL)})
			t.k.killAll()
		}
	}()
	for !t.shouldExit() && !t.killedByExec.Load() {
		ev, err := t.ctx.Switch(t.MM.AddressSpace(), &t.Regs)
		if err != nil {
			t.k.Log.Error("application thread lost", "tid", t.ID, "err", err)
			t.exitGroup(ExitStatus{Signal: int(unix.SIGKILL)})
			break
		}
		switch ev {
		case platform.EventSyscall:
			t.doSyscall()
		case platform.EventFault:
			fi := t.ctx.FaultInfo()
			err := t.MM.HandleFault(fi.Addr, fi)
			if err == mm.ErrFaultRetry && (t.lastFaultAddr != fi.Addr || t.lastFaultRIP != t.Regs.Rip) {
				// Possibly a race with another thread mapping the page:
				// retry once.
				t.lastFaultAddr, t.lastFaultRIP = fi.Addr, t.Regs.Rip
				err = nil
			} else {
				t.lastFaultAddr, t.lastFaultRIP = 0, 0
			}
			if errors.Is(err, platform.ErrContextKilled) {
				// The host killed the stub (its OOM killer, say): the
				// process dies as the host killed it.
				t.k.Log.Error("application thread lost", "tid", t.ID, "err", err)
				t.exitGroup(ExitStatus{Signal: int(unix.SIGKILL)})
				continue
			}
			if err != nil {
				code, signo := mm.SegvMapErr, int(unix.SIGSEGV)
				if fe, ok := err.(*mm.FaultError); ok {
					code = fe.Code
					if fe.Bus {
						signo = int(unix.SIGBUS)
					}
				}
				t.k.Log.Debug("application fault", "tid", t.ID, "addr", fmt.Sprintf("%#x", fi.Addr), "rip", fmt.Sprintf("%#x", t.Regs.Rip), "code", code)
				t.forceSignal(SigInfo{Signo: signo, Code: code, Addr: fi.Addr})
			}
		case platform.EventSignal:
			fi := t.ctx.FaultInfo()
			t.k.Log.Info("synchronous signal", "tid", t.ID, "signo", fi.Signo, "code", fi.Code, "addr", fmt.Sprintf("%#x", fi.Addr), "rip", fmt.Sprintf("%#x", t.Regs.Rip), "rax", fmt.Sprintf("%#x", t.Regs.Rax), "exe", t.MM.Executable, "vmas", t.MM.String())
			t.forceSignal(SigInfo{Signo: fi.Signo, Code: fi.Code, Addr: fi.Addr})
		case platform.EventInterrupt:
		}
		if !t.shouldExit() {
			t.deliverPending()
			t.waitWhileStopped()
		}
	}
	if t.killedByExec.Load() {
		t.exiting = true
	}
	t.finish()
}

// PPID returns the parent's pid (0 for init or an orphan of the sandbox).
func (t *Task) PPID() int32 {
	t.k.mu.Lock()
	defer t.k.mu.Unlock()
	if p := t.tg.parent; p != nil {
		return p.ID
	}
	return 0
}

// SetClearChildTID records set_tid_address's pointer.
func (t *Task) SetClearChildTID(addr uintptr) { t.clearChildTID = addr }

// SetRobustList records set_robust_list's head.
func (t *Task) SetRobustList(addr uintptr) { t.robustList = addr }

// nameHostProcess gives the host process of t's address space (a ptrace
// stub) t's name, so that host ps and docker top show the program (exec,
// and fork, which inherits the name as on Linux).
func nameHostProcess(t *Task) {
	if hp, ok := t.MM.AddressSpace().(platform.HostProcess); ok {
		hp.SetName(t.CommName())
	}
}
