package cmd

import (
	"context"
	"encoding/json"
	"flag"
	"os"

	"github.com/google/subcommands"
)

// State implements `runsc state`: print a container's OCI state.
type State struct{}

// Name implements subcommands.Command.
func (*State) Name() string { return "state" }

// Synopsis implements subcommands.Command.
func (*State) Synopsis() string { return "output the state of a container" }

// Usage implements subcommands.Command.
func (*State) Usage() string {
	return `state <container-id>

Where "<container-id>" is your name for the instance of the container. The
state command outputs the container's OCI state as JSON: ociVersion, id,
pid (of the sandbox process), status (created, running, paused or
stopped), bundle, rootfs, created, owner and annotations.
`
}

// SetFlags implements subcommands.Command.
func (*State) SetFlags(*flag.FlagSet) {}

// Execute implements subcommands.Command.
func (*State) Execute(_ context.Context, fs *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	setupOCILogging()
	id, err := oneID(fs, "state")
	if err != nil {
		return ociError("%v", err)
	}
	ct, err := loadContainer(id)
	if err != nil {
		return ociError("%v", err)
	}
	defer ct.Unlock()
	b, err := json.MarshalIndent(ct.OCIState(), "", "  ")
	if err != nil {
		return ociError("%v", err)
	}
	os.Stdout.Write(b)
	return subcommands.ExitSuccess
}
