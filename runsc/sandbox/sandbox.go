// Package sandbox starts the sandbox process (`runsc boot`, the sentry) for
// a container and talks to the host resources around it: the console
// (a host pty whose master goes to --console-socket). Its host cgroup is
// package runsc/cgroup's.
package sandbox

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/control"
)

// Config describes the sandbox to start.
type Config struct {
	ID, Bundle, StateDir string
	// Terminal: the container's stdio is a terminal. With ConsoleSocket,
	// a new host pty's master is sent there (SCM_RIGHTS, as runc does);
	// else Console must be the terminal to use.
	Terminal      bool
	ConsoleSocket string
	Console       *os.File
	// Stdio are the container's stdin, stdout and stderr without a
	// terminal (nil entries become /dev/null).
	Stdio [3]*os.File
	// GlobalArgs are runsc's global flags, passed on to `runsc boot`.
	GlobalArgs []string
	// Cgroup is the host cgroup path (runsc/cgroup) the sandbox joins
	// before it starts any process.
	Cgroup string
	// ExtraBootArgs are further flags of `runsc boot`.
	ExtraBootArgs []string
	// Confine starts the sandbox in new namespaces (SysProcAttr of
	// confine.go); `runsc boot --confine` then confines itself.
	Confine bool
	// NetNS is a network namespace the sandbox joins (the spec's path)
	// instead of a new one: confine_netns.go.
	NetNS string
}

// Sandbox is a started sandbox process.
type Sandbox struct {
	Pid     int
	Process *os.Process
}

// Start starts `runsc boot` for cfg and returns once the sandbox is ready
// (its kernel built, the control socket served) or failed, with the
// sandbox's one-line error.
func Start(cfg *Config) (*Sandbox, error) {
	if cfg.Confine {
		if err := CheckConfinable(); err != nil {
			return nil, err
		}
	}
	if cfg.NetNS != "" {
		if err := CheckNetNS(cfg.NetNS); err != nil {
			return nil, err
		}
	}
	l, err := control.Listen(cfg.StateDir)
	if err != nil {
		return nil, fmt.Errorf("creating the control socket: %v", err)
	}
	lf, err := l.File()
	l.Close()
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	syncR, syncW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer syncR.Close()

	stdio := cfg.Stdio
	var closeAfter []*os.File
	defer func() {
		for _, f := range closeAfter {
			f.Close()
		}
	}()
	bootArgs := []string{"boot", "--bundle", cfg.Bundle, "--id", cfg.ID, "--state-dir", cfg.StateDir}
	if cfg.Terminal {
		console := cfg.Console
		if console == nil {
			if cfg.ConsoleSocket == "" {
				syncW.Close()
				return nil, errors.New("cannot allocate tty if runsc will detach without setting console socket")
			}
			master, slave, err := OpenPty()
			if err != nil {
				syncW.Close()
				return nil, fmt.Errorf("allocating a pty: %v", err)
			}
			closeAfter = append(closeAfter, slave)
			err = SendConsole(cfg.ConsoleSocket, master)
			master.Close()
			if err != nil {
				syncW.Close()
				return nil, err
			}
			console = slave
		}
		stdio = [3]*os.File{console, console, console}
		bootArgs = append(bootArgs, "--console")
	}
	for i := range stdio {
		if stdio[i] == nil {
			f, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
			if err != nil {
				syncW.Close()
				return nil, err
			}
			closeAfter = append(closeAfter, f)
			stdio[i] = f
		}
	}
	if cfg.Cgroup != "" {
		bootArgs = append(bootArgs, "--cgroup", cfg.Cgroup)
	}
	bootArgs = append(bootArgs, cfg.ExtraBootArgs...)
	args := append([]string{"runsc"}, cfg.GlobalArgs...)
	args = append(args, bootArgs...)
	attr := &syscall.SysProcAttr{Setsid: true}
	// The sandbox process always gets a network namespace of its own when
	// runsc may create one: the sentry serves the container's network
	// itself, and tools that configure "the container's namespace" through
	// /proc/<pid>/ns/net (docker's libnetwork writes net.ipv6.conf.*
	// sysctls there) must never reach the host's.
	if os.Geteuid() == 0 && cfg.NetNS == "" {
		attr.Cloneflags |= syscall.CLONE_NEWNET
	}
	if cfg.Confine {
		attr = SysProcAttr(SysProcAttrOptions{JoinNetwork: cfg.NetNS != ""})
		// The sandbox outlives `runsc create`: no parent-death signal.
		attr.Pdeathsig = 0
		attr.Setsid = true
	}
	if cfg.Terminal {
		// The sandbox process leads its own session with the console as
		// its controlling terminal, alone in the terminal's foreground
		// process group: the signals the host line discipline generates
		// (^C, ^Z, ^\, a resize, a hangup) come to it, and it hands them
		// to the foreground process group inside (fs/host/tty.go). Ctty
		// is the child's fd: its stdin, the console.
		attr.Setctty = true
		attr.Ctty = 0
	}
	cmd := &exec.Cmd{
		Path:        "/proc/self/exe",
		Args:        args,
		Stdin:       stdio[0],
		Stdout:      stdio[1],
		Stderr:      stdio[2],
		ExtraFiles:  []*os.File{lf, syncW},
		SysProcAttr: attr,
	}
	err = cmd.Start()
	syncW.Close()
	if err != nil {
		return nil, fmt.Errorf("starting the sandbox: %v", err)
	}
	msg, _ := bufio.NewReader(syncR).ReadString('\n')
	msg = strings.TrimSpace(msg)
	if msg != "ok" {
		cmd.Process.Kill()
		cmd.Wait()
		if msg == "" {
			msg = "the sandbox process died while starting"
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGSYS {
				msg = SeccompKillMessage("sandbox", cmd.Process.Pid)
			}
		}
		return nil, errors.New(msg)
	}
	return &Sandbox{Pid: cmd.Process.Pid, Process: cmd.Process}, nil
}

// OpenPty opens a new host pty pair.
func OpenPty() (master, slave *os.File, err error) {
	mfd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	if err := unix.IoctlSetPointerInt(mfd, unix.TIOCSPTLCK, 0); err != nil {
		unix.Close(mfd)
		return nil, nil, err
	}
	n, err := unix.IoctlGetUint32(mfd, unix.TIOCGPTN)
	if err != nil {
		unix.Close(mfd)
		return nil, nil, err
	}
	name := fmt.Sprintf("/dev/pts/%d", n)
	sfd, err := unix.Open(name, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		unix.Close(mfd)
		return nil, nil, err
	}
	return os.NewFile(uintptr(mfd), "/dev/ptmx"), os.NewFile(uintptr(sfd), name), nil
}

// SendConsole sends the pty master f to the unix socket at path, as runc
// sends it to --console-socket: one message whose data is the terminal's
// name and whose SCM_RIGHTS carry the fd.
func SendConsole(path string, f *os.File) error {
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return fmt.Errorf("connecting to the console socket %s: %v", path, err)
	}
	defer c.Close()
	if _, _, err := c.WriteMsgUnix([]byte(f.Name()), unix.UnixRights(int(f.Fd())), nil); err != nil {
		return fmt.Errorf("sending the console to %s: %v", path, err)
	}
	return nil
}

// CopyConsole copies between the caller's terminal (in, out) and a pty
// master until the master closes (`runsc run` with a terminal and no
// console socket).
func CopyConsole(master *os.File, in io.Reader, out io.Writer) <-chan struct{} {
	done := make(chan struct{})
	go io.Copy(master, in)
	go func() {
		io.Copy(out, master)
		close(done)
	}()
	return done
}
