package cmd

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/google/subcommands"

	"stockade.dev/runsc/container"
)

// List implements `runsc list`: the containers under --root.
type List struct {
	format string
	quiet  bool
}

// Name implements subcommands.Command.
func (*List) Name() string { return "list" }

// Synopsis implements subcommands.Command.
func (*List) Synopsis() string { return "lists containers started by runsc with the given root" }

// Usage implements subcommands.Command.
func (*List) Usage() string {
	return `list [command options]

EXAMPLE 1:
To list containers created via the default "--root":
       # runsc list

EXAMPLE 2:
To list containers created using a non-default value for "--root":
       # runsc --root value list
`
}

// SetFlags implements subcommands.Command.
func (l *List) SetFlags(fs *flag.FlagSet) {
	fs.StringVar(&l.format, "format", "table", "select one of: table or json")
	fs.StringVar(&l.format, "f", "table", "same as --format")
	fs.BoolVar(&l.quiet, "quiet", false, "display only container IDs")
	fs.BoolVar(&l.quiet, "q", false, "same as --quiet")
}

// Execute implements subcommands.Command.
func (l *List) Execute(_ context.Context, fs *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	setupOCILogging()
	if l.format != "table" && l.format != "json" {
		return ociError("invalid format option")
	}
	ids, err := container.List(rootDir)
	if err != nil {
		return ociError("%v", err)
	}
	var states []container.OCIState
	for _, id := range ids {
		ct, err := loadContainer(id)
		if err != nil {
			continue
		}
		s := ct.OCIState()
		s.Owner = ct.Owner()
		ct.Unlock()
		states = append(states, s)
	}
	if l.quiet {
		for _, s := range states {
			fmt.Println(s.ID)
		}
		return subcommands.ExitSuccess
	}
	if l.format == "json" {
		if states == nil {
			fmt.Println("null")
			return subcommands.ExitSuccess
		}
		b, _ := json.Marshal(states)
		fmt.Println(string(b))
		return subcommands.ExitSuccess
	}
	w := tabwriter.NewWriter(os.Stdout, 12, 1, 3, ' ', 0)
	fmt.Fprint(w, "ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER\n")
	for _, s := range states {
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\n", s.ID, s.Pid, s.Status, s.Bundle, s.Created.Format(time.RFC3339Nano), s.Owner)
	}
	w.Flush()
	return subcommands.ExitSuccess
}
