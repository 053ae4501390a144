package kernel

import (
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/platform"
	"stockade.dev/sentry/loader"
	"stockade.dev/sentry/mm"
)

// StartInit starts the sandbox's first process: it runs filename with argv
// and envv, with the given fd table, working directory and credentials. It
// returns once the program is loaded (or failed to load).
func (k *Kernel) StartInit(filename string, argv, envv []string, fdt *vfs.FDTable, cwd vfs.FileDescription, creds *Credentials) error {
	tg := &ThreadGroup{rlimits: map[int]Rlimit{}}
	t := &Task{
		k: k, tg: tg, FDTable: fdt, interruptCh: make(chan struct{}, 1),
		FS:    &FSContext{cwd: cwd, umask: 0o022},
		Creds: creds,
	}
	t.ID = k.nextTID.Add(1)
	tg.ID = t.ID
	tg.tasks = []*Task{t}
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// The OS thread is never unlocked: it exits with the goroutine, which
		// also kills stubs it traced (PDEATHSIG).
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

// Exec replaces the task's program, as execve does once it cannot fail any
// more: a new address space, the program loaded into it, close-on-exec fds
// closed.
func (t *Task) Exec(filename string, argv, envv []string) error {
	as, err := t.k.Platform.NewAddressSpace()
	if err != nil {
		return fmt.Errorf("creating an address space: %w", err)
	}
	m := mm.New(t.k.MemFile, as, t.k.Platform.MaxUserAddress())
	cwd := t.FS.Cwd()
	defer cwd.DecRef()
	res, err := loader.Load(&loader.Args{
		FS: t.k.FS, Cwd: cwd, Filename: filename, Argv: argv, Envv: envv, MM: m,
		UID: t.Creds.RealUID, EUID: t.Creds.EffectiveUID, GID: t.Creds.RealGID, EGID: t.Creds.EffectiveGID,
		Random: t.k.Random,
	})
	if err != nil {
		m.Release()
		return err
	}
	m.Executable = res.Path
	old := t.MM
	t.MM = m
	if old != nil {
		old.Release()
	}
	t.FDTable.CloseOnExec()
	// Handlers reset to default on exec; ignored signals stay ignored.
	t.tg.mu.Lock()
	for i := range t.tg.actions {
		if t.tg.actions[i].Handler != sigIGN {
			t.tg.actions[i] = SigAction{}
		}
	}
	t.tg.mu.Unlock()
	t.altStack = SignalStack{}
	if len(argv) > 0 {
		t.Comm = commName(res.Path)
	}
	t.Regs = platform.Registers{
		Rip: uint64(res.Entry), Rsp: uint64(res.StackPointer),
		Cs: 0x33, Ss: 0x2b, Eflags: 0x202,
	}
	return nil
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
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprintf("sentry bug: %v", r)
			t.k.Log.Error(msg, "stack", string(debug.Stack()))
			fmt.Fprintf(os.Stderr, "runsc: internal error in the sandbox kernel (%v); details are in the debug log\n", r)
			t.exitGroup(ExitStatus{Signal: int(unix.SIGKILL)})
			t.finish()
		}
	}()
	for !t.exiting {
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
			t.k.Log.Debug("fault", "addr", fmt.Sprintf("%#x", fi.Addr), "rip", fmt.Sprintf("%#x", t.Regs.Rip))
			if err := t.MM.HandleFault(fi.Addr, fi); err != nil {
				code := mm.SegvMapErr
				if fe, ok := err.(*mm.FaultError); ok {
					code = fe.Code
				}
				code16 := make([]byte, 16)
				t.MM.CopyIn(uintptr(t.Regs.Rip), code16)
				t.k.Log.Debug("code at rip", "bytes", fmt.Sprintf("% x", code16), "vmas", t.MM.String())
				t.k.Log.Debug("application fault", "tid", t.ID, "addr", fmt.Sprintf("%#x", fi.Addr), "rip", fmt.Sprintf("%#x", t.Regs.Rip), "code", code, "sicode", fi.Code, "signo", fi.Signo)
				t.forceSignal(SigInfo{Signo: int(unix.SIGSEGV), Code: code, Addr: fi.Addr})
			}
		case platform.EventSignal:
			fi := t.ctx.FaultInfo()
			t.forceSignal(SigInfo{Signo: fi.Signo, Code: fi.Code, Addr: fi.Addr})
		case platform.EventInterrupt:
		}
		if !t.exiting {
			t.deliverPending()
		}
	}
	t.finish()
}

// exitGroup starts the exit of the whole thread group with status s.
func (t *Task) exitGroup(s ExitStatus) {
	t.tg.mu.Lock()
	if !t.tg.exiting {
		t.tg.exiting = true
		t.tg.status = s
	}
	t.tg.mu.Unlock()
	t.exiting = true
}

// finish releases the task's resources once it stopped running.
func (t *Task) finish() {
	t.tg.mu.Lock()
	status := t.tg.status
	t.tg.mu.Unlock()
	if t.MM != nil {
		t.MM.Release()
	}
	t.FDTable.Release()
	t.ctx.Release()
	if t.k.Strace != nil && status.Signal != 0 {
		fmt.Fprintf(t.k.Strace, "[pid %d] +++ killed by %s +++\n", t.ID, unix.SignalName(unix.Signal(status.Signal)))
	} else if t.k.Strace != nil {
		fmt.Fprintf(t.k.Strace, "[pid %d] +++ exited with %d +++\n", t.ID, status.Code)
	}
	slog.Debug("process exited", "pid", t.tg.ID, "status", status)
	t.k.initExited(status)
}

// Exit ends the calling thread (exit(2)). With one thread, that ends the
// process.
func (t *Task) Exit(code int) {
	t.exitGroup(ExitStatus{Code: code})
}

// ExitGroup ends every thread of the process (exit_group(2)).
func (t *Task) ExitGroup(code int) {
	t.exitGroup(ExitStatus{Code: code})
}

// PPID returns the parent's pid in the task's pid namespace (0 for init).
func (t *Task) PPID() int32 { return 0 }

// SetClearChildTID records set_tid_address's pointer.
func (t *Task) SetClearChildTID(addr uintptr) { t.clearChildTID = addr }

// SetRobustList records set_robust_list's head.
func (t *Task) SetRobustList(addr uintptr) { t.robustList = addr }
