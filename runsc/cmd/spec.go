package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"

	"github.com/google/subcommands"

	"stockade.dev/runsc/specutil"
)

// Spec implements `runsc spec`: write a default config.json.
type Spec struct {
	bundle   string
	rootless bool
}

// Name implements subcommands.Command.
func (*Spec) Name() string { return "spec" }

// Synopsis implements subcommands.Command.
func (*Spec) Synopsis() string { return "create a new specification file" }

// Usage implements subcommands.Command.
func (*Spec) Usage() string {
	return `spec [command options]

The spec command creates the new specification file named "config.json" for
the bundle: a shell ("sh") on a terminal, in the bundle's "rootfs"
directory. Edit it to taste, then run the container:

    mkdir hello && cd hello
    mkdir rootfs   # and fill it, e.g. from docker export
    runsc spec
    runsc run hello
`
}

// SetFlags implements subcommands.Command.
func (s *Spec) SetFlags(fs *flag.FlagSet) {
	fs.StringVar(&s.bundle, "bundle", "", "path to the root of the bundle directory")
	fs.StringVar(&s.bundle, "b", "", "same as --bundle")
	fs.BoolVar(&s.rootless, "rootless", false, "generate a configuration for a rootless container")
}

// Execute implements subcommands.Command.
func (s *Spec) Execute(context.Context, *flag.FlagSet, ...any) subcommands.ExitStatus {
	setupOCILogging()
	dir := s.bundle
	if dir == "" {
		dir = "."
	}
	path := filepath.Join(dir, specutil.ConfigName)
	if _, err := os.Stat(path); err == nil {
		return ociError("File %s exists. Remove it first", specutil.ConfigName)
	} else if !errors.Is(err, os.ErrNotExist) {
		return ociError("%v", err)
	}
	b, err := json.MarshalIndent(specutil.Default(s.rootless), "", "\t")
	if err != nil {
		return ociError("%v", err)
	}
	if err := os.WriteFile(path, b, 0o666); err != nil {
		return ociError("%v", err)
	}
	return subcommands.ExitSuccess
}
