package cmd

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/subcommands"
	"golang.org/x/sys/unix"

	"stockade.dev/runsc/container"
	"stockade.dev/sentry/control"
)

// Kill implements `runsc kill`: send a signal to a container's init (or
// every process with --all).
type Kill struct {
	all bool
	pid int
}

// Name implements subcommands.Command.
func (*Kill) Name() string { return "kill" }

// Synopsis implements subcommands.Command.
func (*Kill) Synopsis() string {
	return "kill sends the specified signal (default: SIGTERM) to the container's init process"
}

// Usage implements subcommands.Command.
func (*Kill) Usage() string {
	return `kill [command options] <container-id> [signal]

Where "<container-id>" is the name for the instance of the container and
"[signal]" is the signal to be sent to the init process: a name (KILL,
SIGKILL) or a number (9). The default is SIGTERM.

EXAMPLE:
       # runsc kill ubuntu01 KILL
`
}

// SetFlags implements subcommands.Command.
func (k *Kill) SetFlags(fs *flag.FlagSet) {
	fs.BoolVar(&k.all, "all", false, "send the specified signal to all processes inside the container")
	fs.BoolVar(&k.all, "a", false, "same as --all")
	fs.IntVar(&k.pid, "pid", 0, "send the signal to this process of the sandbox (its pid inside the sandbox)")
}

// parseSignal parses a signal name (KILL, SIGKILL, kill) or number.
func parseSignal(s string) (unix.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 64 {
			return 0, fmt.Errorf("invalid signal: %s", s)
		}
		return unix.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("unknown signal %q", s)
}

// Execute implements subcommands.Command.
func (k *Kill) Execute(_ context.Context, fs *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	setupOCILogging()
	id, err := oneID(fs, "kill")
	if err != nil {
		return ociError("%v", err)
	}
	sig := unix.SIGTERM
	if fs.NArg() > 1 {
		if sig, err = parseSignal(fs.Arg(1)); err != nil {
			return ociError("%v", err)
		}
	}
	ct, err := loadContainer(id)
	if err != nil {
		return ociError("%v", err)
	}
	defer ct.Unlock()
	switch ct.Status() {
	case container.Created, container.Running:
	case container.Paused:
		// The sandbox is frozen: SIGKILL ends it from the host (as the
		// freezer lets a killed cgroup die); other signals wait for resume.
		if sig == unix.SIGKILL {
			destroySandbox(ct)
			return subcommands.ExitSuccess
		}
		return ociError("cannot send %s to a paused container: resume it first", unix.SignalName(sig))
	default:
		return ociError("container not running")
	}
	_, err = control.Call(ct.Dir, &control.Request{Method: control.MethodSignal, Signal: int32(sig), All: k.all, PID: int32(k.pid)}, nil)
	if err == control.ErrNoSandbox {
		return ociError("container not running")
	}
	if err != nil {
		return ociError("%v", err)
	}
	return subcommands.ExitSuccess
}
