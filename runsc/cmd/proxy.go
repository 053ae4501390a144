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
type Proxy struct{}

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
func (*Proxy) SetFlags(*flag.FlagSet) {}

// Execute implements subcommands.Command.
func (*Proxy) Execute(_ context.Context, fs *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	setupOCILogging()
	id, err := oneID(fs, "proxy")
	if err != nil {
		return ociError("%v", err)
	}
	resp, err := control.Call(filepath.Join(rootDir, id), &control.Request{Method: control.MethodWait}, nil)
	if err != nil {
		slog.Info("proxy: the container's sandbox is gone", "id", id, "err", err)
		return subcommands.ExitStatus(128 + int(unix.SIGKILL))
	}
	if resp.Signal != 0 {
		return subcommands.ExitStatus(128 + resp.Signal)
	}
	return subcommands.ExitStatus(resp.Code)
}
