// Command runsc is Stockade's OCI runtime and sandbox launcher.
package main

import (
	"context"
	"flag"
	"os"

	"github.com/google/subcommands"

	"stockade.dev/runsc/cmd"
)

func main() {
	subcommands.Register(subcommands.HelpCommand(), "")
	subcommands.Register(subcommands.FlagsCommand(), "")
	subcommands.Register(&cmd.Do{}, "")
	subcommands.Register(&cmd.Syscalls{}, "")
	cmd.RegisterGlobalFlags(flag.CommandLine)
	flag.Parse()
	os.Exit(int(subcommands.Execute(context.Background())))
}
