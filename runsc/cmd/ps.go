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
	"stockade.dev/runsc/sandbox"
	"stockade.dev/sentry/control"
)

// Ps implements `runsc ps`: the processes of a container.
type Ps struct{ format string }

// Name implements subcommands.Command.
func (*Ps) Name() string { return "ps" }

// Synopsis implements subcommands.Command.
func (*Ps) Synopsis() string { return "ps displays the processes running inside a container" }

// Usage implements subcommands.Command.
func (*Ps) Usage() string {
	return `ps [command options] <container-id> [ps options]

The table (the default) shows the sandbox's view: UID PID PPID C STIME
TTY TIME CMD, with the pids inside the sandbox.

--format json prints what runc prints, the host pids of the container's
processes (docker top and containerd read it to run the host's ps on
them): here the ptrace stub that runs each process's code, named after
its program (host ps shows it as "[name]"). The sandbox process, which
serves the system calls of every container of the sandbox, is not one
of them.
`
}

// SetFlags implements subcommands.Command.
func (p *Ps) SetFlags(fs *flag.FlagSet) {
	fs.StringVar(&p.format, "format", "table", "select one of: table or json")
	fs.StringVar(&p.format, "f", "table", "same as --format")
}

// Execute implements subcommands.Command.
func (p *Ps) Execute(_ context.Context, fs *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	setupOCILogging()
	id, err := oneID(fs, "ps")
	if err != nil {
		return ociError("%v", err)
	}
	if p.format != "table" && p.format != "json" {
		return ociError("invalid format option")
	}
	ct, err := loadContainer(id)
	if err != nil {
		return ociError("%v", err)
	}
	st := ct.Status()
	dir := ct.Dir
	sandboxPID := ct.State.Pid
	ct.Unlock()
	var procs []control.ProcInfo
	if st != container.Stopped {
		resp, err := control.Call(dir, &control.Request{Method: control.MethodPs}, nil)
		if err != nil && err != control.ErrNoSandbox {
			return ociError("%v", err)
		}
		if resp != nil {
			procs = resp.Procs
		}
	}
	if p.format == "json" {
		pids := []int{}
		if len(procs) > 0 {
			var stubs []int
			for _, pr := range procs {
				if pr.HostPID > 0 {
					stubs = append(stubs, int(pr.HostPID))
				}
			}
			pids = sandbox.HostPIDs(sandboxPID, stubs)
		}
		b, _ := json.Marshal(pids)
		fmt.Println(string(b))
		return subcommands.ExitSuccess
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 8, 1, ' ', 0)
	fmt.Fprintln(w, "UID\tPID\tPPID\tC\tSTIME\tTTY\tTIME\tCMD")
	for _, pr := range procs {
		start := time.Unix(0, pr.StartUnixNano)
		stime := start.Format("15:04")
		if time.Since(start) > 24*time.Hour {
			stime = start.Format("Jan02")
		}
		cpu := time.Duration(pr.CPUNanos)
		tty := pr.TTY
		if tty == "" {
			tty = "?"
		}
		fmt.Fprintf(w, "%d\t%d\t%d\t0\t%s\t%s\t%02d:%02d:%02d\t%s\n", pr.UID, pr.PID, pr.PPID, stime, tty,
			int(cpu.Hours()), int(cpu.Minutes())%60, int(cpu.Seconds())%60, pr.Cmd)
	}
	w.Flush()
	return subcommands.ExitSuccess
}
