package cmd

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/google/subcommands"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"stockade.dev/fs/dev"
	"stockade.dev/fs/host"
	"stockade.dev/fs/vfs"
	"stockade.dev/runsc/sandbox"
	"stockade.dev/runsc/specutil"
	"stockade.dev/sentry/control"
	"stockade.dev/sentry/kernel"
	"stockade.dev/syscalls"
)

// Boot implements `runsc boot`, the sandbox process `runsc create` starts
// (hidden): it builds the kernel over the bundle's rootfs, serves the
// control socket (fd 3), reports readiness on fd 4, starts the container's
// init when told to and exits with its status once it ends.
type Boot struct {
	bundle, id, stateDir string
	console              bool
	cgroup               string
}

// Name implements subcommands.Command.
func (*Boot) Name() string { return "boot" }

// Synopsis implements subcommands.Command.
func (*Boot) Synopsis() string { return "(internal) the sandbox process of a container" }

// Usage implements subcommands.Command.
func (*Boot) Usage() string {
	return "boot --bundle DIR --id ID --state-dir DIR - run a container's sandbox (started by runsc create)\n"
}

// SetFlags implements subcommands.Command.
func (b *Boot) SetFlags(fs *flag.FlagSet) {
	fs.StringVar(&b.bundle, "bundle", "", "the bundle directory")
	fs.StringVar(&b.id, "id", "", "the container id")
	fs.StringVar(&b.stateDir, "state-dir", "", "the container's state directory")
	fs.BoolVar(&b.console, "console", false, "stdio is the container's terminal")
	fs.StringVar(&b.cgroup, "cgroup", "", "the host cgroup (path in each hierarchy) to join first")
}

// Execute implements subcommands.Command.
func (b *Boot) Execute(context.Context, *flag.FlagSet, ...any) subcommands.ExitStatus {
	os.Exit(b.run())
	return 0
}

// terminates reports whether sig's default action ends a process.
func terminates(sig int) bool {
	switch unix.Signal(sig) {
	case unix.SIGCHLD, unix.SIGCONT, unix.SIGURG, unix.SIGWINCH, unix.SIGSTOP, unix.SIGTSTP, unix.SIGTTIN, unix.SIGTTOU:
		return false
	}
	return true
}

func (b *Boot) run() int {
	setupOCILogging()
	syncW := os.NewFile(4, "sync")
	ready := false
	fail := func(err error) int {
		slog.Error("sandbox failed to start", "id", b.id, "err", err)
		if !ready {
			fmt.Fprintf(syncW, "%v\n", err)
			syncW.Close()
		}
		return 1
	}
	// The cgroup first: the gofer and the ptrace stubs started below are
	// born in it.
	if b.cgroup != "" {
		if err := joinCgroup(b.cgroup, os.Getpid()); err != nil {
			return fail(err)
		}
	}
	spec, err := specutil.Load(b.bundle)
	if err != nil {
		return fail(err)
	}
	if ns := sandbox.NetNSPath(spec); ns != "" {
		// First, so that all threads and every child join it.
		if err := sandbox.JoinNetNS(ns); err != nil {
			return fail(err)
		}
	}
	rootfs := specutil.RootPath(spec, b.bundle)
	mf, p, err := newPlatform()
	if err != nil {
		return fail(err)
	}
	if n := reclaimThreshold(spec); n > 0 {
		mf.SetReclaimThreshold(n)
	}
	cr, err := buildContainerRoot(mf, rootfs, spec)
	if err != nil {
		return fail(err)
	}
	// The gofer ends with the sandbox: on EOF of its sockets (whatever
	// way this process dies), and killed here on every way out of run.
	defer cr.Gofer.Kill()
	v := cr.VFS
	// The console: stdio is a host pty slave whose controlling process
	// this process is (sandbox.Start); the sandbox keeps the session and
	// foreground process group, and the signals the host line discipline
	// sends here go to that group (fs/host/tty.go).
	var console *host.TTY
	if b.console {
		console = newHostTTY(0, "/dev/console")
	}
	var devConsole dev.Console
	if console != nil {
		devConsole = console
		relayTerminalSignals(console)
	}
	dev.Register(v, devConsole)
	k := kernel.New(p, mf, v, syscalls.Table())
	// A container's init is a pid namespace's init: default-action signals
	// from outside do not kill it (docker stop needs SIGKILL for those).
	k.ProtectInit = true
	registerFilesystems(k, mf)
	if spec.Hostname != "" {
		k.Hostname = spec.Hostname
	}
	k.PidsLimit = specPidsLimit(spec)
	if straceFlag {
		if w, err := openLog(); err == nil && w != nil {
			k.Strace = w
		}
	}
	if err := mountSpec(v, k, mf, spec, cr.Binds); err != nil {
		return fail(err)
	}
	setConsoleNode(v, console)
	// The init's program must exist now: runc fails create, not start.
	proc := spec.Process
	ctx := processContext(v, proc.User.UID, proc.User.GID, proc.User.AdditionalGids)
	if _, err := resolveProgram(v, ctx, proc.Args[0], proc.Env); err != nil {
		return fail(err)
	}
	lf := os.NewFile(3, "control")
	ln, err := net.FileListener(lf)
	lf.Close()
	if err != nil {
		return fail(fmt.Errorf("the control socket: %v", err))
	}
	srv := control.NewServer(k)
	// Later containers of the pod join this sentry (boot_containers.go).
	srv.CreateContainer = newPodContainers(k, mf).create
	shutdown := make(chan kernel.ExitStatus, 1)
	srv.SignalCreated = func(sig int) {
		if terminates(sig) {
			select {
			case shutdown <- kernel.ExitStatus{Signal: sig}:
			default:
			}
		}
	}
	srv.StartInit = func() (*kernel.ThreadGroup, error) {
		sandbox.ForbiddenSyscallAtStart() // a test hook (confine_boot.go)
		tg, err := startSpecProcess(k, procFromSpec(proc), []int{0, 1, 2}, console, true)
		if err != nil {
			return nil, err
		}
		go func() { srv.InitExited(k.Wait()) }()
		return tg, nil
	}
	srv.Exec = func(cp *control.Process, fds []int) (*kernel.ThreadGroup, error) {
		defer func() {
			for _, fd := range fds {
				unix.Close(fd)
			}
		}()
		// A terminal of its own: runsc exec's host pty, whose host
		// signals `runsc wait --tty` relays (MethodSignal, Foreground).
		var tty *host.TTY
		if cp.Terminal && len(fds) > 0 {
			if tty = newHostTTY(fds[0], ""); tty == nil {
				return nil, fmt.Errorf("the exec's terminal is not a terminal")
			}
		}
		return startSpecProcess(k, cp, fds, tty, false)
	}
	go srv.Serve(ln.(*net.UnixListener))
	if confineFl {
		// Everything from the host is open now: see confine_boot.go.
		o := sandbox.BootOptions{Root: sandbox.EmptyRootDir(b.stateDir)}
		if f, ok := p.(interface{ StartStubFactory(func() error) error }); ok {
			o.StartStubFactory = f.StartStubFactory
		}
		if err := sandbox.ConfineBoot(o); err != nil {
			return fail(fmt.Errorf("confining the sandbox: %v", err))
		}
	}
	fmt.Fprintln(syncW, "ok")
	syncW.Close()
	ready = true
	slog.Info("sandbox ready", "id", b.id)

	var st kernel.ExitStatus
	select {
	case <-srv.Exited():
		st = k.Wait()
	case st = <-shutdown:
		srv.InitExited(st)
	}
	slog.Info("container exited", "id", b.id, "status", st)
	k.KillAll()
	srv.DrainWaiters(2 * time.Second)
	return st.ShellCode()
}

// procFromSpec turns the spec's process into a control.Process.
func procFromSpec(p *specs.Process) *control.Process {
	cp := &control.Process{
		Args: p.Args, Env: p.Env, Cwd: p.Cwd, UID: p.User.UID, GID: p.User.GID,
		Groups: p.User.AdditionalGids, Terminal: p.Terminal,
		Caps: capsFromSpec(p.Capabilities), NoNewPrivs: p.NoNewPrivileges,
	}
	for _, r := range p.Rlimits {
		if res, err := specutil.RlimitResource(r.Type); err == nil {
			cp.Rlimits = append(cp.Rlimits, control.Rlimit{Resource: int32(res), Soft: r.Soft, Hard: r.Hard})
		}
	}
	return cp
}

// processContext is the VFS context of a process with these ids (and
// the capabilities of those ids, as runc has them when it changes to the
// working directory).
func processContext(v *vfs.VFS, uid, gid uint32, groups []uint32) *vfs.Context {
	return processContextAt(v.Root(), uid, gid, groups)
}

// processContextAt is processContext in the mount namespace of root.
func processContextAt(root vfs.VirtualDentry, uid, gid uint32, groups []uint32) *vfs.Context {
	return &vfs.Context{Creds: kernel.NewCredentials(uid, gid, groups).VFSCreds(), Root: root, Cwd: root}
}

// startSpecProcess starts cp in k with the host fds as its fds 0, 1, 2...
// (duplicated; the caller keeps its own).
func startSpecProcess(k *kernel.Kernel, cp *control.Process, fds []int, tty *host.TTY, init bool) (*kernel.ThreadGroup, error) {
	return startSpecProcessIn(k, podScope{root: k.VFS.Root()}, cp, fds, tty, init)
}

// startSpecProcessIn is startSpecProcess in a pod container (sc,
// boot_containers.go); init starts its init.
func startSpecProcessIn(k *kernel.Kernel, sc podScope, cp *control.Process, fds []int, tty *host.TTY, init bool) (*kernel.ThreadGroup, error) {
	v := k.VFS
	root, container := sc.root, sc.container
	ctx := processContextAt(root, cp.UID, cp.GID, cp.Groups)
	cwd := root
	if cp.Cwd != "" && cp.Cwd != "/" {
		vd, err := v.Resolve(ctx, vfs.VirtualDentry{}, cp.Cwd, vfs.ResolveOptions{Follow: true})
		if err != nil {
			if err == unix.ENOENT && init {
				// runc creates a missing cwd for the init.
				rootCtx := processContextAt(root, 0, 0, nil)
				if merr := mkdirAll(v, rootCtx, cp.Cwd); merr == nil {
					vd, err = v.Resolve(ctx, vfs.VirtualDentry{}, cp.Cwd, vfs.ResolveOptions{Follow: true})
				}
			}
			if err != nil {
				return nil, fmt.Errorf("chdir to cwd (%q) set in config.json failed: %v", cp.Cwd, err)
			}
		}
		cwd = vd
	}
	ctx.Cwd = cwd
	path, err := resolveProgram(v, ctx, cp.Args[0], cp.Env)
	if err != nil {
		return nil, err
	}
	fdt := vfs.NewFDTable()
	for i, fd := range fds {
		f, err := stdioFile(fd, tty)
		if err != nil {
			continue
		}
		fdt.Set(int32(i), f, false)
		f.DecRef()
	}
	rl := map[int]kernel.Rlimit{}
	for _, r := range cp.Rlimits {
		rl[int(r.Resource)] = kernel.Rlimit{Cur: r.Soft, Max: r.Hard}
	}
	var ktty kernel.TTY
	if tty != nil {
		ktty = tty
	}
	tg, err := k.StartProcess(kernel.ProcessOptions{
		Filename: path, Argv: cp.Args, Envv: cp.Env, FDTable: fdt,
		FS: kernel.NewFSContext(root, cwd, 0o022), Creds: processCreds(cp), NoNewPrivs: cp.NoNewPrivs,
		Rlimits: rl, TTY: ktty,
		Init: init && container == "", Container: container, ContainerInit: init && container != "",
		SharedPIDs: sc.sharedPIDs,
	})
	if err != nil {
		return nil, fmt.Errorf("exec: %q: %v", cp.Args[0], err)
	}
	return tg, nil
}

// mkdirAll makes path and its parents.
func mkdirAll(v *vfs.VFS, ctx *vfs.Context, path string) error {
	cur := ""
	for _, c := range splitPath(path) {
		cur += "/" + c
		if err := v.MkdirAt(ctx, vfs.VirtualDentry{}, cur, 0o755); err != nil && err != unix.EEXIST {
			return err
		}
	}
	return nil
}

func splitPath(p string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			if start >= 0 && i > start {
				out = append(out, p[start:i])
			}
			start = i + 1
		}
	}
	return out
}
