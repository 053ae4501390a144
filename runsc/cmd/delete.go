package cmd

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"github.com/google/subcommands"
	"golang.org/x/sys/unix"

	"stockade.dev/runsc/container"
)

// Delete implements `runsc delete`: remove a container's state and its
// sandbox.
type Delete struct{ force bool }

// Name implements subcommands.Command.
func (*Delete) Name() string { return "delete" }

// Synopsis implements subcommands.Command.
func (*Delete) Synopsis() string {
	return "delete any resources held by the container often used with detached container"
}

// Usage implements subcommands.Command.
func (*Delete) Usage() string {
	return `delete [command options] <container-id>

Where "<container-id>" is the name for the instance of the container.

EXAMPLE:
For example, if the container id is "ubuntu01" and runsc list currently shows the
status of "ubuntu01" as "stopped" the following will delete resources held for
"ubuntu01" removing "ubuntu01" from the runsc list of containers:

       # runsc delete ubuntu01
`
}

// SetFlags implements subcommands.Command.
func (d *Delete) SetFlags(fs *flag.FlagSet) {
	fs.BoolVar(&d.force, "force", false, "forcibly deletes the container if it is still running (uses SIGKILL)")
	fs.BoolVar(&d.force, "f", false, "same as --force")
}

// Execute implements subcommands.Command.
func (d *Delete) Execute(_ context.Context, fs *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	setupOCILogging()
	id, err := oneID(fs, "delete")
	if err != nil {
		return ociError("%v", err)
	}
	ct, err := loadContainer(id)
	if err != nil {
		if err == container.ErrNotExist && d.force {
			return subcommands.ExitSuccess
		}
		return ociError("%v", err)
	}
	st := ct.Status()
	if (st == container.Running || st == container.Paused) && !d.force {
		ct.Unlock()
		return ociError("cannot delete container %s that is not stopped: %s", id, st)
	}
	if err := deleteContainer(ct); err != nil {
		return ociError("%v", err)
	}
	return subcommands.ExitSuccess
}

// destroySandbox ends the sandbox process of ct (thawing it if frozen);
// for a later container of a pod, that container alone.
func destroySandbox(ct *container.Container) {
	if ct.State.Pod != nil {
		destroySubcontainer(ct)
		return
	}
	if ct.SandboxAlive() {
		unix.Kill(ct.State.Pid, unix.SIGKILL)
	}
	if ct.State.Cgroup != "" {
		freezeCgroup(ct.State.Cgroup, false)
	}
	if !ct.WaitGone(5 * time.Second) {
		slog.Warn("the sandbox process did not end", "pid", ct.State.Pid)
	}
}

// deleteContainer ends ct's sandbox, runs the poststop hooks and removes
// the state (and releases the lock).
func deleteContainer(ct *container.Container) error {
	destroySandbox(ct)
	if h := ct.State.Hooks; h != nil {
		if err := ct.RunHooks("poststop", h.Poststop, container.Stopped); err != nil {
			// As runc: a failing poststop hook is logged, not fatal.
			slog.Warn("poststop hook failed", "err", err)
		}
	}
	removeCgroup(ct.State.Cgroup)
	return ct.Destroy()
}
