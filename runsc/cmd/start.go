package cmd

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/google/subcommands"

	"stockade.dev/runsc/container"
	"stockade.dev/runsc/sandbox"
	"stockade.dev/sentry/control"
)

// Start implements `runsc start`: run the init of a created container.
type Start struct{}

// Name implements subcommands.Command.
func (*Start) Name() string { return "start" }

// Synopsis implements subcommands.Command.
func (*Start) Synopsis() string { return "executes the user defined process in a created container" }

// Usage implements subcommands.Command.
func (*Start) Usage() string {
	return `start <container-id>

Where "<container-id>" is your name for the instance of the container. The
start command executes the user defined process in a created container.
`
}

// SetFlags implements subcommands.Command.
func (*Start) SetFlags(*flag.FlagSet) {}

// Execute implements subcommands.Command.
func (*Start) Execute(_ context.Context, fs *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	setupOCILogging()
	id, err := oneID(fs, "start")
	if err != nil {
		return ociError("%v", err)
	}
	ct, err := loadContainer(id)
	if err != nil {
		return ociError("%v", err)
	}
	defer ct.Unlock()
	if err := startContainer(ct); err != nil {
		return ociError("%v", err)
	}
	return subcommands.ExitSuccess
}

// startContainer starts the init of the created container ct (locked):
// startContainer hooks, the start call, poststart hooks.
func startContainer(ct *container.Container) error {
	switch st := ct.Status(); st {
	case container.Created:
	case container.Stopped:
		return fmt.Errorf("cannot start a container that has stopped")
	case container.Running:
		return fmt.Errorf("cannot start an already running container")
	default:
		return fmt.Errorf("cannot start a container in the %s state", st)
	}
	if h := ct.State.Hooks; h != nil {
		if err := ct.RunHooks("startContainer", h.StartContainer, container.Created); err != nil {
			return err
		}
	}
	resp, err := control.Call(ct.Dir, &control.Request{Method: control.MethodStart}, nil)
	if err != nil {
		if msg, ok := sandbox.SeccompKilled(ct.State.Pid); ok {
			return errors.New(msg)
		}
		return fmt.Errorf("starting container: %v", err)
	}
	ct.State.Status = container.Running
	ct.State.InitPid = resp.PID
	if err := ct.Save(); err != nil {
		return err
	}
	if h := ct.State.Hooks; h != nil {
		if err := ct.RunHooks("poststart", h.Poststart, container.Running); err != nil {
			destroySandbox(ct)
			return err
		}
	}
	return nil
}
