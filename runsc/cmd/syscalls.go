package cmd

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/google/subcommands"

	"stockade.dev/syscalls"
)

// Syscalls implements `runsc syscalls`: the compatibility table, generated
// from the system call table itself.
type Syscalls struct {
	format string
}

// Name implements subcommands.Command.
func (*Syscalls) Name() string { return "syscalls" }

// Synopsis implements subcommands.Command.
func (*Syscalls) Synopsis() string {
	return "list every amd64 system call and how well it is supported"
}

// Usage implements subcommands.Command.
func (*Syscalls) Usage() string { return "syscalls [--format=markdown|text]\n" }

// SetFlags implements subcommands.Command.
func (s *Syscalls) SetFlags(fs *flag.FlagSet) {
	fs.StringVar(&s.format, "format", "markdown", "output format: markdown or text")
}

// Execute implements subcommands.Command.
func (s *Syscalls) Execute(context.Context, *flag.FlagSet, ...any) subcommands.ExitStatus {
	switch s.format {
	case "markdown":
		fmt.Print(syscalls.CompatibilityMarkdown())
	case "text":
		fmt.Print(syscalls.CompatibilityText())
	default:
		fmt.Fprintf(os.Stderr, "runsc syscalls: unknown format %q\n", s.format)
		return subcommands.ExitUsageError
	}
	return subcommands.ExitSuccess
}
