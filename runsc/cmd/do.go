package cmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/google/subcommands"
	"golang.org/x/sys/unix"

	"stockade.dev/fs/host"
	"stockade.dev/fs/overlay"
	"stockade.dev/fs/tmpfs"
	"stockade.dev/fs/vfs"
	"stockade.dev/platform"
	"stockade.dev/platform/ptrace"
	"stockade.dev/runsc/sandbox"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/loader"
	"stockade.dev/sentry/memfile"
	"stockade.dev/syscalls"
)

// Do implements `runsc do`: run one command sandboxed, with no bundle and no
// daemon, over a copy-on-write view of the host's root.
type Do struct{}

// Name implements subcommands.Command.
func (*Do) Name() string { return "do" }

// Synopsis implements subcommands.Command.
func (*Do) Synopsis() string { return "run a command in a sandbox with no setup" }

// Usage implements subcommands.Command.
func (*Do) Usage() string {
	return `do [flags] CMD [ARGS...] - run CMD in a sandbox

The host's root filesystem is the lower layer of an overlay whose upper
layer is in memory: the sandbox may change any file, and none of its
changes reach the host (/tmp included). runsc reads the host's files
itself, or with --gofer (or STOCKADE_GOFER=1) through a confined,
read-only ` + "`runsc gofer`" + ` process. /dev/shm is a fresh tmpfs. stdin, stdout and stderr
are the caller's. runsc exits with CMD's exit status, or 128+N if CMD was
killed by signal N.
`
}

// doConfine is `runsc do --confine`.
var doConfine bool

// SetFlags implements subcommands.Command.
func (*Do) SetFlags(fs *flag.FlagSet) {
	fs.BoolVar(&doGofer, "gofer", false, "serve the host root through a confined, read-only gofer process (also: STOCKADE_GOFER=1; --gofer=false overrides it)")
	fs.BoolVar(&doConfine, "confine", false, "confine the sandbox's kernel: seccomp allowlist of host calls, no capabilities, no_new_privs (also: STOCKADE_CONFINE=1)")
}

// Execute implements subcommands.Command.
func (d *Do) Execute(_ context.Context, fs *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "gofer" {
			doGoferSet = true
		}
	})
	args := fs.Args()
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "runsc do: missing command; usage: runsc do CMD [ARGS...]")
		return subcommands.ExitUsageError
	}
	code, err := runDo(args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "runsc: %v\n", err)
	}
	return subcommands.ExitStatus(code)
}

// shellError is a start-up failure reported as a shell would, with its
// exit status.
type shellError struct {
	code int
	msg  string
}

func (e *shellError) Error() string { return e.msg }

func runDo(args []string) (int, error) {
	// Confinement (runsc/sandbox/confine_do.go): the confined sentry runs
	// as a child of a small supervisor that reports a seccomp kill.
	confined := sandbox.DoChildFromEnv()
	if on, learn := sandbox.DoConfineMode(doConfine); on && confined == nil {
		return sandbox.SuperviseDo(forwardedSignals, learn), nil
	}
	logw, err := openLog()
	if err != nil {
		return 1, fmt.Errorf("opening the debug log %s: %v", debugLog, err)
	}
	setupLogging(logw)
	if cpuProfile != "" {
		if f, err := os.Create(cpuProfile); err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	// Confined before the platform exists, so that every ptrace stub
	// (the pool forks some ahead of time) inherits the filter; with a
	// gofer, once the gofer is started (it must not inherit the sentry's
	// filter).
	confine := func() error {
		if confined == nil {
			return nil
		}
		if err := confined.Confine(); err != nil {
			return fmt.Errorf("confining the sandbox: %v", err)
		}
		return nil
	}
	if !useGofer() {
		if err := confine(); err != nil {
			return 1, err
		}
	}
	// The gofer (a second runsc process) starts while the platform is
	// made: its exec and start-up are most of its cost.
	var goferC chan goferResult
	if useGofer() {
		goferC = make(chan goferResult, 1)
		go func() {
			gp, err := startDoGofer()
			goferC <- goferResult{gp, err}
		}()
	}
	mf, p, err := newPlatform()
	if err != nil {
		return 1, err
	}
	v, err := buildDoTree(mf, goferC)
	if err != nil {
		return 1, err
	}
	if useGofer() {
		if err := confine(); err != nil {
			return 1, err
		}
	}
	k := kernel.New(p, mf, v, syscalls.Table())
	registerFilesystems(k, mf)
	attachConsole(k)
	if err := mountKernelFS(v, k); err != nil {
		return 1, err
	}
	setConsoleNode(v, doConsole)
	if straceFlag {
		if logw != nil {
			k.Strace = logw
		} else {
			k.Strace = os.Stderr
		}
	}

	fdt := vfs.NewFDTable()
	for fd := 0; fd < 3; fd++ {
		f, err := stdioFile(fd, doConsole)
		if err != nil {
			continue // closed stdio stays closed in the sandbox
		}
		fdt.Set(int32(fd), f, false)
		f.DecRef()
	}
	creds0 := &vfs.Context{Creds: vfs.RootCreds(), Root: v.Root(), Cwd: v.Root()}
	cwd := v.Root()
	if wd, err := os.Getwd(); err == nil {
		if vd, err := v.Resolve(creds0, vfs.VirtualDentry{}, wd, vfs.ResolveOptions{Follow: true}); err == nil {
			cwd = vd
		}
	}
	groups, _ := unix.Getgroups()
	g32 := make([]uint32, len(groups))
	for i, g := range groups {
		g32[i] = uint32(g)
	}
	creds := kernel.NewCredentials(uint32(unix.Getuid()), uint32(unix.Getgid()), g32)

	ctx := &vfs.Context{Creds: creds.VFSCreds(), Root: v.Root(), Cwd: cwd}
	path, err := lookPath(v, ctx, args[0], os.Getenv("PATH"))
	if err != nil {
		return err.(*shellError).code, err
	}
	if err := k.StartInit(path, args, os.Environ(), fdt, kernel.NewFSContext(v.Root(), cwd, 0o022), creds); err != nil {
		var le *loader.Error
		if errors.As(err, &le) {
			code := 126
			if le.Errno == unix.ENOENT {
				code = 127
			}
			return code, fmt.Errorf("%s: %s", args[0], errnoText(le.Errno))
		}
		return 1, fmt.Errorf("starting %s: %v", args[0], err)
	}
	// Signals sent to runsc go to the sandboxed program, as with gVisor's
	// and runc's signal forwarding.
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, forwardedSignals...)
	go func() {
		for s := range sigs {
			if confined != nil {
				continue // the supervisor forwards signals (once) instead
			}
			doSignal(k, int(s.(syscall.Signal)))
		}
	}()
	if confined != nil {
		go confined.RelaySignals(func(sig int) { doSignal(k, sig) })
	}
	st := k.Wait()
	signal.Stop(sigs)
	return st.ShellCode(), nil
}

// newPlatform returns the sandbox's memory file and the platform that runs
// application code (--platform), shared by `runsc do` and `runsc boot`.
func newPlatform() (*memfile.File, platform.Platform, error) {
	if platformFl != "ptrace" {
		return nil, nil, fmt.Errorf("unknown platform %q; use --platform=ptrace", platformFl)
	}
	mf, err := memfile.New(memfile.DefaultSize)
	if err != nil {
		return nil, nil, err
	}
	p, err := ptrace.New(mf.FD())
	if err != nil {
		return nil, nil, err
	}
	return mf, p, nil
}

// buildDoTree builds the file tree of `runsc do`:
//
//	/          overlay: a tmpfs upper layer over the host's root (read-only
//	           lower layer), so what the sandbox writes stays in memory
//	/tmp       part of the root overlay (host /tmp visible, writes in memory)
//	/dev/shm   tmpfs, mode 1777, nosuid,nodev (on the host's /dev seen
//	           through the overlay until a devfs is mounted on /dev)
//	/proc, /sys, /dev ...: mountSpecialFilesystems (hook, below)
func buildDoTree(mf *memfile.File, goferC <-chan goferResult) (*vfs.VFS, error) {
	var lower vfs.Inode
	var err error
	if goferC != nil {
		// The host root through a read-only `runsc gofer` (gofer.go),
		// started by runDo.
		r := <-goferC
		if err = r.err; err == nil {
			lower = r.gp.Root
		}
	} else {
		_, lower, err = host.NewTreeFS("/")
	}
	if err != nil {
		return nil, fmt.Errorf("opening the host root: %v", err)
	}
	upper := tmpfs.New(mf, tmpfs.Options{})
	ofs, err := overlay.New(upper.Root(), lower)
	if err != nil {
		return nil, fmt.Errorf("building the root overlay: %v", err)
	}
	v := vfs.New(ofs.Root(), "overlay", "overlay", 0)
	v.Root().Mount.Options = "lowerdir=/,upperdir=(memory)"
	ctx := &vfs.Context{Creds: vfs.RootCreds(), Root: v.Root(), Cwd: v.Root()}
	// /tmp stays part of the root overlay for `runsc do` (unlike a
	// container's layout): `do` runs host commands on host files, and
	// programs and data the user put in the host's /tmp must be visible.
	// Writes still land in the memory layer only.
	if err := mountSpecialFilesystems(v, ctx, mf); err != nil {
		return nil, err
	}
	// /dev/shm last: on whatever /dev is by now.
	shm := tmpfs.New(mf, tmpfs.Options{Mode: 0o1777})
	if err := mountAt(v, ctx, "/dev/shm", shm.Root(), "tmpfs", "shm", vfs.MountNoSuid|vfs.MountNoDev, "mode=1777"); err != nil {
		return nil, err
	}
	return v, nil
}

// mountSpecialFilesystems is the hook where procfs (/proc), sysfs (/sys)
// and devfs/devpts (/dev, /dev/pts) are mounted once they exist; use
// mountAt, which makes the mount point (in the overlay's memory layer) if
// the host has none. Until then /proc and /sys are absent (the host's are
// never shown) and /dev is the host's /dev through the overlay (its
// harmless character devices open as themselves).
func mountSpecialFilesystems(v *vfs.VFS, ctx *vfs.Context, mf *memfile.File) error {
	if err := mountDev(v, ctx); err != nil {
		return err
	}
	return nil
}

// mountAt mounts the filesystem whose root is root on path, creating the
// directory (and its parents) first if needed.
func mountAt(v *vfs.VFS, ctx *vfs.Context, path string, root vfs.Inode, fsType, source string, flags uint64, options string) error {
	cur := ""
	for _, c := range strings.Split(strings.Trim(path, "/"), "/") {
		cur += "/" + c
		if err := v.MkdirAt(ctx, vfs.VirtualDentry{}, cur, 0o755); err != nil && err != unix.EEXIST {
			return fmt.Errorf("making mount point %s: %v", cur, err)
		}
	}
	at, err := v.Resolve(ctx, vfs.VirtualDentry{}, path, vfs.ResolveOptions{Follow: true})
	if err != nil {
		return fmt.Errorf("resolving mount point %s: %v", path, err)
	}
	if _, err := v.Mount(at, root, fsType, source, flags, options); err != nil {
		return fmt.Errorf("mounting %s on %s: %v", fsType, path, err)
	}
	return nil
}

// goferResult is what startGofer returned.
type goferResult struct {
	gp  *goferProcess
	err error
}

// forwardedSignals are the signals runsc passes on to the sandbox.
var forwardedSignals = []os.Signal{
	unix.SIGINT, unix.SIGTERM, unix.SIGHUP, unix.SIGQUIT, unix.SIGUSR1, unix.SIGUSR2,
	unix.SIGWINCH, unix.SIGCONT, unix.SIGALRM,
}

// errnoText is an errno's message with a capital letter, as shells print it.
func errnoText(e unix.Errno) string {
	s := e.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// lookPath finds name like a shell's command search: names containing a
// slash are used as they are; others are searched in PATH.
func lookPath(v *vfs.VFS, ctx *vfs.Context, name, pathEnv string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	if pathEnv == "" {
		pathEnv = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	}
	for _, dir := range strings.Split(pathEnv, ":") {
		if dir == "" {
			dir = "."
		}
		p := dir + "/" + name
		var st unix.Stat_t
		if v.StatAt(ctx, vfs.VirtualDentry{}, p, true, false, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
			continue
		}
		if v.AccessAt(ctx, vfs.VirtualDentry{}, p, unix.X_OK, true, false) == nil {
			return p, nil
		}
	}
	return "", &shellError{code: 127, msg: name + ": command not found"}
}
