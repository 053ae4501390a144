package cmd

import (
	"context"
	"flag"
	"log/slog"
	"path/filepath"

	"github.com/google/subcommands"
	"golang.org/x/sys/unix"

	"stockade.dev/sentry/control"
)

// Proxy implements the hidden `runsc proxy ID`: the host process that
// stands for the init of a later container of a pod (create_subcontainer.go).
// Its pid is the one --pid-file gets; it waits for the container's init in
// the sentry and exits with its status (128+N for signal N), so that the
// caller of `runsc create` (containerd's shim, a subreaper) sees the
// container's exit as the exit of that pid, as with runc. If the sandbox
// ends, or the container is deleted before it ran, it exits 137 (SIGKILL).
//
// With --tty, stdin is the init's terminal (a host pty) and the proxy its
// controlling process: it relays the signals the terminal's line
// discipline sends it (^C, ^Z, a resize) to the foreground process group
// of the container's terminal (fs/host/tty.go), as the sandbox process
// does for the first container's console.
type Proxy struct{ tty bool }

// Name implements subcommands.Command.
func (*Proxy) Name() string { return "proxy" }

// Synopsis implements subcommands.Command.
func (*Proxy) Synopsis() string {
	return "(internal) stand for a pod container's init on the host"
}

// Usage implements subcommands.Command.
func (*Proxy) Usage() string {
	return "proxy <container-id> - exit with the container init's status (started by runsc create)\n"
}

// SetFlags implements subcommands.Command.
func (p *Proxy) SetFlags(fs *flag.FlagSet) {
	fs.BoolVar(&p.tty, "tty", false, "stdin is the init's terminal: relay its signals into the container")
}

// Execute implements subcommands.Command.
func (p *Proxy) Execute(_ context.Context, fs *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	setupOCILogging()
	id, err := oneID(fs, "proxy")
	if err != nil {
		return ociError("%v", err)
	}
	dir := filepath.Join(rootDir, id)
	if p.tty {
		relayTerminalSignalsTo(dir, 0)
	}
	resp, err := control.Call(dir, &control.Request{Method: control.MethodWait}, nil)
	if err != nil {
		slog.Info("proxy: the container's sandbox is gone", "id", id, "err", err)
		return subcommands.ExitStatus(128 + int(unix.SIGKILL))
	}
	if resp.Signal != 0 {
		return subcommands.ExitStatus(128 + resp.Signal)
	}
	return subcommands.ExitStatus(resp.Code)
}
