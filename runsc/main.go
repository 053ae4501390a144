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
	subcommands.Register(&cmd.Install{}, "")
	subcommands.Register(&cmd.Uninstall{}, "")
	// The OCI runtime commands, as runc has them.
	for _, c := range []subcommands.Command{
		&cmd.Create{}, &cmd.Start{}, &cmd.Run{}, &cmd.State{}, &cmd.Kill{}, &cmd.Delete{},
		&cmd.Exec{}, &cmd.Ps{}, &cmd.Events{}, &cmd.Pause{}, &cmd.Resume{}, &cmd.List{},
		&cmd.Spec{}, &cmd.Wait{},
	} {
		subcommands.Register(c, "oci")
	}
	// The sandbox process, started by create (hidden from help).
	subcommands.Register(&cmd.Boot{}, "internal")
	subcommands.Register(&cmd.Gofer{}, "internal")
	subcommands.Register(&cmd.Proxy{}, "internal")
	cmd.RegisterGlobalFlags(flag.CommandLine)
	cmd.RegisterOCIFlags(flag.CommandLine)
	flag.Parse()
	os.Exit(int(subcommands.Execute(context.Background())))
}
