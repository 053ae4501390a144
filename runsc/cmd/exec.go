package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/subcommands"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"stockade.dev/runsc/container"
	"stockade.dev/runsc/sandbox"
	"stockade.dev/runsc/specutil"
	"stockade.dev/sentry/control"
)

// Exec implements `runsc exec`: run a new process inside a running
// container.
type Exec struct {
	processFile, cwd, user, pidFile, consoleSocket string
	env, addGids, caps                             execStringList
	tty, detach, noNewPrivs, ignorePaused          bool
	processLabel, apparmor                         string
	preserveFDs                                    int
}

// execStringList is a repeatable string flag.
type execStringList []string

func (s *execStringList) String() string     { return strings.Join(*s, ",") }
func (s *execStringList) Set(v string) error { *s = append(*s, v); return nil }

// Name implements subcommands.Command.
func (*Exec) Name() string { return "exec" }

// Synopsis implements subcommands.Command.
func (*Exec) Synopsis() string { return "execute new process inside the container" }

// Usage implements subcommands.Command.
func (*Exec) Usage() string {
	return `exec [command options] <container-id> <command> [command options]  || -p process.json <container-id>

Where "<container-id>" is the name for the instance of the container and
"<command>" is the command to be executed in the container.
"<command>" can't be empty unless a "-p" flag provided.

EXAMPLE:
For example, if the container is configured to run the linux ps command the
following will output a list of processes running in the container:

       # runsc exec <container-id> ps
`
}

// SetFlags implements subcommands.Command.
func (e *Exec) SetFlags(fs *flag.FlagSet) {
	fs.StringVar(&e.consoleSocket, "console-socket", "", "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal")
	fs.StringVar(&e.cwd, "cwd", "", "current working directory in the container")
	fs.Var(&e.env, "env", "set environment variables (repeatable)")
	fs.Var(&e.env, "e", "same as --env")
	fs.BoolVar(&e.tty, "tty", false, "allocate a pseudo-TTY")
	fs.BoolVar(&e.tty, "t", false, "same as --tty")
	fs.StringVar(&e.user, "user", "", "UID (format: <uid>[:<gid>])")
	fs.StringVar(&e.user, "u", "", "same as --user")
	fs.Var(&e.addGids, "additional-gids", "additional gids (repeatable)")
	fs.Var(&e.addGids, "g", "same as --additional-gids")
	fs.StringVar(&e.processFile, "process", "", "path to the process.json")
	fs.StringVar(&e.processFile, "p", "", "same as --process")
	fs.BoolVar(&e.detach, "detach", false, "detach from the container's process")
	fs.BoolVar(&e.detach, "d", false, "same as --detach")
	fs.StringVar(&e.pidFile, "pid-file", "", "specify the file to write the process id to")
	fs.StringVar(&e.processLabel, "process-label", "", "accepted for runc compatibility")
	fs.StringVar(&e.apparmor, "apparmor", "", "accepted for runc compatibility")
	fs.BoolVar(&e.noNewPrivs, "no-new-privs", false, "set the no new privileges value for the process")
	fs.Var(&e.caps, "cap", "add a capability to the bounding, effective and permitted sets of the process (repeatable)")
	fs.Var(&e.caps, "c", "same as --cap")
	fs.IntVar(&e.preserveFDs, "preserve-fds", 0, "accepted for runc compatibility")
	fs.BoolVar(&e.ignorePaused, "ignore-paused", false, "accepted for runc compatibility")
}

// execError reports an exec failure as runc does: exit status 255.
func execError(format string, args ...any) subcommands.ExitStatus {
	return ociErrorCode(255, format, args...)
}

// process builds the process to run: --process, or the container's
// process with the command line's args and overrides.
func (e *Exec) process(ct *container.Container, args []string) (*specs.Process, error) {
	if e.processFile != "" {
		b, err := os.ReadFile(e.processFile)
		if err != nil {
			return nil, err
		}
		var p specs.Process
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, fmt.Errorf("parsing %s: %v", e.processFile, err)
		}
		if len(p.Args) == 0 {
			return nil, errors.New("process args cannot be empty")
		}
		specutil.AddHome(&p, ct.State.Rootfs)
		return &p, nil
	}
	if len(args) == 0 {
		return nil, errors.New("exec args cannot be empty")
	}
	p := &specs.Process{Cwd: "/"}
	if spec, err := specutil.LoadRaw(ct.State.Bundle); err == nil {
		p = spec.Process
	}
	p.Args = args
	p.Terminal = e.tty
	if e.cwd != "" {
		p.Cwd = e.cwd
	}
	p.Env = append(append([]string{}, p.Env...), e.env...)
	if e.user != "" {
		u, g, hasG := strings.Cut(e.user, ":")
		uid, err := strconv.ParseUint(u, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("parsing --user %q: a numeric uid[:gid] is needed", e.user)
		}
		p.User.UID = uint32(uid)
		if hasG {
			gid, err := strconv.ParseUint(g, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("parsing --user %q: a numeric uid[:gid] is needed", e.user)
			}
			p.User.GID = uint32(gid)
		}
	}
	for _, g := range e.addGids {
		gid, err := strconv.ParseUint(g, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("parsing --additional-gids %q", g)
		}
		p.User.AdditionalGids = append(p.User.AdditionalGids, uint32(gid))
	}
	if e.noNewPrivs {
		p.NoNewPrivileges = true
	}
	addExecCaps(p, e.caps)
	// HOME is the exec user's, as runc sets it, unless given.
	specutil.AddHome(p, ct.State.Rootfs)
	return p, nil
}

// Execute implements subcommands.Command.
func (e *Exec) Execute(_ context.Context, fs *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	setupOCILogging()
	id, err := oneID(fs, "exec")
	if err != nil {
		return execError("%v", err)
	}
	ct, err := loadContainer(id)
	if err != nil {
		return execError("exec failed: %v", err)
	}
	switch ct.Status() {
	case container.Created, container.Running:
	case container.Paused:
		ct.Unlock()
		return execError("exec failed: cannot exec in a paused container")
	default:
		ct.Unlock()
		return execError("exec failed: cannot exec in a stopped container")
	}
	p, err := e.process(ct, fs.Args()[1:])
	if err != nil {
		ct.Unlock()
		return execError("exec failed: %v", err)
	}
	dir := ct.Dir
	ct.Unlock()

	fds := []int{0, 1, 2}
	var master, slave *os.File
	if p.Terminal {
		m, s, err := sandbox.OpenPty()
		slave = s
		if err != nil {
			return execError("exec failed: allocating a pty: %v", err)
		}
		defer slave.Close()
		if e.consoleSocket != "" {
			err := sandbox.SendConsole(e.consoleSocket, m)
			m.Close()
			if err != nil {
				return execError("exec failed: %v", err)
			}
		} else if e.detach {
			m.Close()
			return execError("exec failed: cannot allocate tty if runsc will detach without setting console socket")
		} else {
			master = m
			defer master.Close()
			resizeFrom(0, master) // before the process runs
		}
		sfd := int(slave.Fd())
		fds = []int{sfd, sfd, sfd}
	}
	cp := procFromSpec(p)
	cp.NFDs = int32(len(fds))
	resp, err := control.Call(dir, &control.Request{Method: control.MethodExec, Process: cp}, fds)
	if err == control.ErrNoSandbox {
		return execError("exec failed: cannot exec in a stopped container")
	}
	if err != nil {
		return execError("exec failed: %v", err)
	}
	pid := resp.PID
	var waiter *exec.Cmd
	if e.detach || slave != nil {
		// A waiter process stands for the exec'd process on the host: it
		// exits with its status, so a parent (containerd's shim) that
		// waits for the pid in --pid-file sees the exit. With a terminal
		// it also holds the pty as its controlling terminal and relays
		// the signals the host line discipline sends it (^C, ^Z, a
		// resize) to the foreground process group inside (wait --tty;
		// fs/host/tty.go), detached or not.
		args := append(append([]string{}, os.Args[1:indexOf(os.Args, "exec")]...), "wait", "--pid", strconv.Itoa(int(pid)), "--quiet")
		attr := &syscall.SysProcAttr{Setsid: true}
		if slave != nil {
			args = append(args, "--tty")
			attr.Setctty, attr.Ctty = true, 0
			if !e.detach {
				attr.Pdeathsig = unix.SIGKILL
			}
		}
		w := exec.Command("/proc/self/exe", append(args, id)...)
		w.Args[0] = "runsc"
		w.SysProcAttr = attr
		if slave != nil {
			w.Stdin = slave
		}
		if err := w.Start(); err != nil {
			return execError("exec failed: starting the exec waiter: %v", err)
		}
		waiter = w
	}
	if e.detach {
		if e.pidFile != "" {
			if err := writePidFile(e.pidFile, waiter.Process.Pid); err != nil {
				return execError("exec failed: %v", err)
			}
		}
		return subcommands.ExitSuccess
	}
	if e.pidFile != "" {
		if err := writePidFile(e.pidFile, os.Getpid()); err != nil {
			return execError("exec failed: %v", err)
		}
	}
	var copied <-chan struct{}
	if master != nil {
		if st, err := unix.IoctlGetTermios(0, unix.TCGETS); err == nil {
			resizeFrom(0, master)
			raw := *st
			raw.Lflag &^= unix.ECHO | unix.ICANON | unix.ISIG | unix.IEXTEN
			raw.Iflag &^= unix.ICRNL | unix.IXON
			raw.Oflag &^= unix.OPOST
			unix.IoctlSetTermios(0, unix.TCSETS, &raw)
			defer unix.IoctlSetTermios(0, unix.TCSETS, st)
		}
		copied = sandbox.CopyConsole(master, os.Stdin, os.Stdout)
	}
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, forwardedSignals...)
	go func() {
		for s := range sigs {
			if s == unix.SIGWINCH && master != nil {
				// As runc: the terminal is resized; the host pty tells
				// the waiter, which tells the foreground group inside.
				resizeFrom(0, master)
				continue
			}
			control.Call(dir, &control.Request{Method: control.MethodSignal, PID: pid, Signal: int32(s.(syscall.Signal))}, nil)
		}
	}()
	wr, err := control.Call(dir, &control.Request{Method: control.MethodWait, PID: pid}, nil)
	signal.Stop(sigs)
	if copied != nil {
		select {
		case <-copied:
		case <-time.After(500 * time.Millisecond):
		}
	}
	if err != nil {
		return execError("exec failed: waiting for the process: %v", err)
	}
	if wr.Signal != 0 {
		return subcommands.ExitStatus(128 + wr.Signal)
	}
	return subcommands.ExitStatus(wr.Code)
}

// indexOf returns the index of the first s in args (len(args) if none).
func indexOf(args []string, s string) int {
	for i, a := range args {
		if a == s {
			return i
		}
	}
	return len(args)
}

// Wait implements `runsc wait`: wait for a container's init (or --pid, a
// process exec'd into it) to exit; print {"id", "exitStatus"} and exit
// with that status.
type Wait struct {
	pid        int
	quiet, tty bool
}

// Name implements subcommands.Command.
func (*Wait) Name() string { return "wait" }

// Synopsis implements subcommands.Command.
func (*Wait) Synopsis() string { return "wait for a container or one of its processes to exit" }

// Usage implements subcommands.Command.
func (*Wait) Usage() string {
	return "wait [--pid PID] <container-id> - wait for the init (or process PID in the sandbox) to exit\n"
}

// SetFlags implements subcommands.Command.
func (w *Wait) SetFlags(fs *flag.FlagSet) {
	fs.IntVar(&w.pid, "pid", 0, "the process to wait for (its pid inside the sandbox); 0 is the init")
	fs.BoolVar(&w.quiet, "quiet", false, "print nothing")
	fs.BoolVar(&w.tty, "tty", false, "(internal) stdin is the process's terminal, this process its controlling process: relay the terminal's signals to its foreground process group")
}

// Execute implements subcommands.Command.
func (w *Wait) Execute(_ context.Context, fs *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	setupOCILogging()
	id, err := oneID(fs, "wait")
	if err != nil {
		return ociError("%v", err)
	}
	dir := filepath.Join(rootDir, id)
	if _, err := os.Stat(dir); err != nil {
		return ociError("%v", container.ErrNotExist)
	}
	if w.tty {
		relayTerminalSignalsTo(dir, int32(w.pid))
	}
	resp, err := control.Call(dir, &control.Request{Method: control.MethodWait, PID: int32(w.pid)}, nil)
	if err != nil {
		return ociError("waiting for %s: %v", id, err)
	}
	code := int(resp.Code)
	if resp.Signal != 0 {
		code = 128 + int(resp.Signal)
	}
	if !w.quiet {
		b, _ := json.Marshal(map[string]any{"id": id, "exitStatus": code})
		fmt.Println(string(b))
	}
	return subcommands.ExitStatus(code)
}

// resizeFrom gives pty master the window size of terminal fd.
func resizeFrom(fd int, master *os.File) {
	if ws, err := unix.IoctlGetWinsize(fd, unix.TIOCGWINSZ); err == nil {
		unix.IoctlSetWinsize(int(master.Fd()), unix.TIOCSWINSZ, ws)
	}
}

// relayTerminalSignalsTo sends the terminal signals this process receives
// (as the controlling process of an exec'd process's host pty) to the
// foreground process group of process pid's terminal in the sandbox whose
// state directory is dir.
func relayTerminalSignalsTo(dir string, pid int32) {
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, terminalSignals...)
	go func() {
		for s := range sigs {
			control.Call(dir, &control.Request{Method: control.MethodSignal, PID: pid, Signal: int32(s.(syscall.Signal)), Foreground: true}, nil)
		}
	}()
}

// addExecCaps adds the --cap capabilities to p as runc does: to the
// bounding, effective and permitted sets, and to the ambient set if the
// process has an inheritable set.
func addExecCaps(p *specs.Process, caps []string) {
	if len(caps) == 0 {
		return
	}
	c := &specs.LinuxCapabilities{}
	if p.Capabilities != nil {
		cp := *p.Capabilities
		c = &cp
	}
	for _, name := range caps {
		c.Bounding = append(c.Bounding, name)
		c.Effective = append(c.Effective, name)
		c.Permitted = append(c.Permitted, name)
		if c.Inheritable != nil {
			c.Ambient = append(c.Ambient, name)
		}
	}
	p.Capabilities = c
}
