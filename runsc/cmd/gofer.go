package cmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/subcommands"
	"golang.org/x/sys/unix"

	fsgofer "stockade.dev/fs/gofer"
	"stockade.dev/fs/vfs"
	"stockade.dev/gofer"
	"stockade.dev/runsc/sandbox"
)

// Gofer implements the hidden `runsc gofer`: the file server started by
// runsc beside the sentry. It serves the container's root (and each bind
// mount's source) on the unix sockets it inherits; see package gofer.
type Gofer struct {
	root     string
	fd       int
	readOnly bool
	hideHost bool
	pivot    bool
	mounts   stringList
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, " ") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

// Name implements subcommands.Command.
func (*Gofer) Name() string { return "gofer" }

// Synopsis implements subcommands.Command.
func (*Gofer) Synopsis() string { return "serve a sandbox's files to its sentry (internal)" }

// Usage implements subcommands.Command.
func (*Gofer) Usage() string {
	return `gofer --root DIR --fd N [--ro] [--mount SRC:FD[:ro]]... - serve files (started by runsc)

Serves DIR on the inherited SOCK_SEQPACKET socket N, and each bind mount
source SRC on its socket FD, until the sockets close. A file SRC is served
as its parent directory in which only SRC's name can be reached. --ro refuses every
change. --pivot first moves the gofer into a new mount namespace whose root
is DIR (needs CAP_SYS_ADMIN), so that it cannot name any other host file.
`
}

// SetFlags implements subcommands.Command.
func (g *Gofer) SetFlags(fs *flag.FlagSet) {
	fs.StringVar(&g.root, "root", "", "the directory to serve")
	fs.IntVar(&g.fd, "fd", -1, "the socket to serve it on")
	fs.BoolVar(&g.readOnly, "ro", false, "refuse every change")
	fs.BoolVar(&g.hideHost, "hide-host-special", false, "hide the host's procfs, sysfs and cgroup mounts (a root of /)")
	fs.BoolVar(&g.pivot, "pivot", false, "pivot_root into the root in a new mount namespace first")
	fs.Var(&g.mounts, "mount", "SRC:FD[:ro]: also serve SRC on socket FD (repeatable); a file SRC is served as the only name of its directory")
}

// Execute implements subcommands.Command.
func (g *Gofer) Execute(_ context.Context, _ *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	if err := g.run(); err != nil {
		fmt.Fprintf(os.Stderr, "runsc gofer: %v\n", err)
		return subcommands.ExitFailure
	}
	return subcommands.ExitSuccess
}

type goferServe struct {
	srv  *gofer.Server
	sock int
}

func (g *Gofer) run() error {
	logw, err := openLog()
	if err == nil {
		setupLogging(logw)
	}
	if g.root == "" || g.fd < 0 {
		return errors.New("--root and --fd are required")
	}
	// The sentry applied the application's umask already.
	unix.Umask(0)
	// Open every served directory before any pivot: the fds keep them.
	var serves []goferServe
	srv, err := gofer.NewServer(g.root, gofer.Options{ReadOnly: g.readOnly, HideHostSpecial: g.hideHost})
	if err != nil {
		return err
	}
	serves = append(serves, goferServe{srv, g.fd})
	for _, m := range g.mounts {
		parts := strings.Split(m, ":")
		if len(parts) < 2 || len(parts) > 3 {
			return fmt.Errorf("bad --mount %q: want SRC:FD[:ro]", m)
		}
		fd, err := strconv.Atoi(parts[1])
		if err != nil || fd < 0 {
			return fmt.Errorf("bad --mount %q: bad fd", m)
		}
		ro := len(parts) == 3 && parts[2] == "ro"
		src, opts := parts[0], gofer.Options{ReadOnly: ro}
		if st, err := os.Stat(src); err == nil && !st.IsDir() {
			src, opts.Only = filepath.Dir(src), filepath.Base(src)
		}
		s, err := gofer.NewServer(src, opts)
		if err != nil {
			return err
		}
		serves = append(serves, goferServe{s, fd})
	}
	if g.pivot {
		if err := gofer.PivotInto(g.root); err != nil {
			return fmt.Errorf("confining the gofer to %s: %v", g.root, err)
		}
		// /proc/self/fd now names the rootfs's /proc, not procfs.
		for _, s := range serves {
			s.srv.ProcGone()
		}
	}
	if confineFl {
		if err := sandbox.ConfineGofer(); err != nil {
			return fmt.Errorf("confining the gofer: %v", err)
		}
	}
	var wg sync.WaitGroup
	for _, s := range serves {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.srv.Serve(s.sock); err != nil {
				slog.Warn("gofer: connection ended", "err", err)
			}
		}()
	}
	wg.Wait()
	return nil
}

// goferProcess is a running `runsc gofer` and the filesystems it serves.
type goferProcess struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the gofer is reaped
	// hostPid is the gofer's pid in the host's pid namespace (the audit
	// records of a seccomp kill name it).
	hostPid int
	// Root is the root directory's filesystem root; Mounts the bind
	// mounts', in the order asked for.
	Root   vfs.Inode
	Mounts []vfs.Inode
}

// killedBySeccomp reports whether the gofer, once reaped, died of SIGSYS
// (its seccomp filter).
func (gp *goferProcess) killedBySeccomp() bool {
	ps := gp.cmd.ProcessState
	if ps == nil {
		return false
	}
	ws, ok := ps.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGSYS
}

// hostChildPid returns the pid, in the pid namespace of the mounted /proc
// (the host's, for runsc boot before its chroot), of the calling thread's
// only child, pid (in this process's pid namespace): the pid the kernel's
// audit records name. It returns pid if it cannot tell.
func hostChildPid(pid int) int {
	b, err := os.ReadFile("/proc/thread-self/children")
	if err != nil {
		return pid
	}
	f := strings.Fields(string(b))
	if len(f) != 1 {
		return pid
	}
	if n, err := strconv.Atoi(f[0]); err == nil {
		return n
	}
	return pid
}

// goferMount is a directory, or a single file, a gofer serves besides
// the root.
type goferMount struct {
	Source   string
	ReadOnly bool
}

// Kill ends the gofer (it would end on its own once this process's
// sockets close; this makes it end before this process exits).
func (gp *goferProcess) Kill() {
	if gp != nil && gp.cmd != nil && gp.cmd.Process != nil {
		gp.cmd.Process.Kill()
		select {
		case <-gp.done:
		case <-time.After(2 * time.Second):
		}
	}
}

// startDoGofer starts the gofer of `runsc do`: it serves the host's root,
// read-only, hiding the host's procfs, sysfs and cgroup mounts, and is
// confined as the OCI commands' gofer is (sandbox.ConfineGofer: only the
// capabilities it needs, no_new_privs, its seccomp allowlist) unless
// `runsc --confine=false`. It stays in runsc's mount namespace: it serves
// "/", so a pivot would leave it the same files (and a non-root caller
// could not make the namespace).
func startDoGofer() (*goferProcess, error) {
	var keepCaps []uintptr
	if confineFl {
		keepCaps = sandbox.GoferReadOnlyKeepCaps
	}
	return startGoferCaps([]string{"--confine=" + strconv.FormatBool(confineFl)}, "/", true, true, false, nil, keepCaps)
}

// startGoferArgs starts `runsc gofer` serving root (and mounts), with
// global flags for `runsc` first (`runsc boot` passes --root, so that the
// gofer's command line names the state root as the sandbox's does), and
// attaches to it. The gofer exits when this process's sockets close (its
// exit). With pivot the gofer starts in a new mount namespace and pivots
// into root (runsc must have CAP_SYS_ADMIN).
func startGoferArgs(global []string, root string, readOnly, hideHost, pivot bool, mounts []goferMount) (*goferProcess, error) {
	return startGoferCaps(global, root, readOnly, hideHost, pivot, mounts, nil)
}

// startGoferCaps is startGoferArgs; a non-nil keepCaps are the only
// capabilities the gofer is started with (the bounding set of the thread
// that starts it is limited to them first: the gofer's own confinement
// then has nothing left to drop, which is most of its start-up cost).
func startGoferCaps(global []string, root string, readOnly, hideHost, pivot bool, mounts []goferMount, keepCaps []uintptr) (*goferProcess, error) {
	gc, err := goferCommand(global, root, readOnly, hideHost, pivot, mounts)
	if err != nil {
		return nil, err
	}
	cmd := gc.Cmd
	cmd.Stderr = os.Stderr
	// The gofer dies with this process even if it is SIGKILLed: a
	// parent-death signal, from a thread that lives as long as the gofer
	// does (Go ends a thread whose locked goroutine returns, which would
	// fire the signal early).
	cmd.SysProcAttr.Pdeathsig = unix.SIGKILL
	started := make(chan error, 1)
	done := make(chan struct{})
	gp := &goferProcess{cmd: cmd, done: done}
	go func() {
		runtime.LockOSThread()
		if keepCaps != nil {
			if err := sandbox.LimitThreadBoundingSet(keepCaps); err != nil {
				// The gofer drops them itself, only more slowly.
				slog.Debug("gofer: limiting the capabilities it starts with", "err", err)
			}
		}
		err := cmd.Start()
		if err == nil {
			gp.hostPid = hostChildPid(cmd.Process.Pid)
		}
		started <- err
		if err == nil {
			cmd.Wait()
			if gp.killedBySeccomp() {
				slog.Error("runsc: " + sandbox.SeccompKillMessage("gofer", gp.hostPid))
			}
		}
		close(done)
	}()
	err = <-started
	// Only the gofer holds its ends now: its exit is our EOF.
	gc.closeServerEnds()
	if err != nil {
		gc.CloseClients()
		return nil, fmt.Errorf("starting the gofer: %v", err)
	}
	gp.Root, gp.Mounts, _, err = attachGofer(gc.Clients, readOnly, mounts, gc.FileNames)
	if err != nil {
		gp.Kill()
		if gp.killedBySeccomp() {
			return nil, errors.New(sandbox.SeccompKillMessage("gofer", gp.hostPid))
		}
		return nil, err
	}
	return gp, nil
}

// goferCmd is a `runsc gofer` command ready to start: Cmd inherits the
// server ends of its sockets; Clients are the client ends (the root's
// first, then one per mount), FileNames the names of the mounts that are
// files (else "").
type goferCmd struct {
	Cmd       *exec.Cmd
	Clients   []int
	FileNames []string
}

// closeServerEnds closes this process's copies of the gofer's ends.
func (gc *goferCmd) closeServerEnds() {
	for _, f := range gc.Cmd.ExtraFiles {
		f.Close()
	}
}

// CloseClients closes the client ends.
func (gc *goferCmd) CloseClients() {
	for _, fd := range gc.Clients {
		unix.Close(fd)
	}
}

// goferCommand builds the command of a gofer serving root (and mounts) on
// new socket pairs. With pivot the gofer starts in a new mount namespace
// and pivots into root (runsc must have CAP_SYS_ADMIN).
func goferCommand(global []string, root string, readOnly, hideHost, pivot bool, mounts []goferMount) (*goferCmd, error) {
	exe, err := os.Executable()
	if err != nil {
		exe = "/proc/self/exe"
	}
	args := append(append([]string{}, global...), "gofer", "--root="+root, "--fd=3")
	if readOnly {
		args = append(args, "--ro")
	}
	if hideHost {
		args = append(args, "--hide-host-special")
	}
	if pivot {
		args = append(args, "--pivot")
	}
	if debugLog != "" {
		args = append([]string{"--debug-log=" + debugLog}, args...)
	}
	// The mounts' kinds, as the gofer will see them (a file is reached
	// by its name below the served directory).
	fileNames := make([]string, len(mounts))
	for i, m := range mounts {
		if st, err := os.Stat(m.Source); err == nil && !st.IsDir() {
			fileNames[i] = filepath.Base(m.Source)
		}
	}
	gc := &goferCmd{FileNames: fileNames}
	var files []*os.File
	fail := func(err error) (*goferCmd, error) {
		for _, f := range files {
			f.Close()
		}
		gc.CloseClients()
		return nil, err
	}
	pair := func() (int, error) {
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return -1, err
		}
		files = append(files, os.NewFile(uintptr(fds[1]), "gofer"))
		gc.Clients = append(gc.Clients, fds[0])
		return 3 + len(files) - 1, nil
	}
	if _, err := pair(); err != nil {
		return fail(err)
	}
	for _, m := range mounts {
		fd, err := pair()
		if err != nil {
			return fail(err)
		}
		spec := m.Source + ":" + strconv.Itoa(fd)
		if m.ReadOnly {
			spec += ":ro"
		}
		args = append(args, "--mount="+spec)
	}
	cmd := exec.Command(exe, args...)
	cmd.ExtraFiles = files
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if pivot {
		cmd.SysProcAttr.Cloneflags = unix.CLONE_NEWNS
	}
	gc.Cmd = cmd
	return gc, nil
}

// attachGofer makes the filesystems of a gofer's client sockets: the
// root's (clients[0]) and one per mount (a file mount is the file
// fileNames[i] below its served directory). On error the clients not yet
// attached are closed. conns are the clients, which Close ends.
func attachGofer(clients []int, readOnly bool, mounts []goferMount, fileNames []string) (root vfs.Inode, out []vfs.Inode, conns []*fsgofer.Client, err error) {
	defer func() {
		if err != nil {
			for _, c := range conns {
				c.Close()
			}
			for _, fd := range clients[len(conns):] {
				unix.Close(fd)
			}
		}
	}()
	for i, fd := range clients {
		c := fsgofer.NewClient(fd, 0)
		conns = append(conns, c)
		_, r, err := fsgofer.New(c, fsgofer.Options{ReadOnly: i == 0 && readOnly || i > 0 && mounts[i-1].ReadOnly})
		if err != nil {
			return nil, nil, conns, fmt.Errorf("attaching to the gofer: %v", err)
		}
		if i == 0 {
			root = r
			continue
		}
		if name := fileNames[i-1]; name != "" {
			d, ok := r.(vfs.DirInode)
			if !ok {
				return nil, nil, conns, fmt.Errorf("attaching to the gofer: %s: not a directory", filepath.Dir(mounts[i-1].Source))
			}
			if r, err = d.Lookup(name); err != nil {
				return nil, nil, conns, fmt.Errorf("bind mount source %s: %v", mounts[i-1].Source, err)
			}
		}
		out = append(out, r)
	}
	return root, out, conns, nil
}

// useGofer reports whether `runsc do` serves the host root through a
// gofer process (`runsc do --gofer`, or STOCKADE_GOFER=1 when the flag is
// not given) instead of fs/host's direct TreeFS (the default: the gofer's
// start, a second runsc process, costs about half of `runsc do /bin/true`
// more; see test/benchmarks/RESULTS.md).
func useGofer() bool {
	if doGoferSet {
		return doGofer
	}
	switch os.Getenv("STOCKADE_GOFER") {
	case "1", "true":
		return true
	}
	return false
}

var (
	doGofer    bool
	doGoferSet bool // --gofer was given
)
