package cmd

import (
	"context"
	"flag"

	"github.com/google/subcommands"

	"stockade.dev/runsc/container"
)

// Pause implements `runsc pause`: freeze every process of a container.
type Pause struct{}

// Name implements subcommands.Command.
func (*Pause) Name() string { return "pause" }

// Synopsis implements subcommands.Command.
func (*Pause) Synopsis() string { return "pause suspends all processes inside the container" }

// Usage implements subcommands.Command.
func (*Pause) Usage() string {
	return `pause <container-id>

Where "<container-id>" is the name for the instance of the container to be
paused. The sandbox's host processes are frozen (freezer cgroup).
`
}

// SetFlags implements subcommands.Command.
func (*Pause) SetFlags(*flag.FlagSet) {}

// Execute implements subcommands.Command.
func (*Pause) Execute(_ context.Context, fs *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	return pauseResume(fs, "pause", true)
}

// Resume implements `runsc resume`: thaw a paused container.
type Resume struct{}

// Name implements subcommands.Command.
func (*Resume) Name() string { return "resume" }

// Synopsis implements subcommands.Command.
func (*Resume) Synopsis() string { return "resumes all processes that have been previously paused" }

// Usage implements subcommands.Command.
func (*Resume) Usage() string {
	return `resume <container-id>

Where "<container-id>" is the name for the instance of the container to be
resumed.
`
}

// SetFlags implements subcommands.Command.
func (*Resume) SetFlags(*flag.FlagSet) {}

// Execute implements subcommands.Command.
func (*Resume) Execute(_ context.Context, fs *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	return pauseResume(fs, "resume", false)
}

func pauseResume(fs *flag.FlagSet, name string, freeze bool) subcommands.ExitStatus {
	setupOCILogging()
	id, err := oneID(fs, name)
	if err != nil {
		return ociError("%v", err)
	}
	ct, err := loadContainer(id)
	if err != nil {
		return ociError("%v", err)
	}
	defer ct.Unlock()
	if p := ct.State.Pod; p != nil {
		return ociError("%s is a container of the pod of %s, which shares its sandbox: %s the pod's sandbox container %s instead", id, p.Sandbox, name, p.Sandbox)
	}
	st := ct.Status()
	if freeze && st != container.Running {
		return ociError("container not running")
	}
	if !freeze && st != container.Paused {
		return ociError("container not paused")
	}
	if err := freezeCgroup(ct.State.Cgroup, freeze); err != nil {
		return ociError("%v", err)
	}
	if freeze {
		ct.State.Status = container.Paused
	} else {
		ct.State.Status = container.Running
	}
	if err := ct.Save(); err != nil {
		return ociError("%v", err)
	}
	return subcommands.ExitSuccess
}
