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

The processes are the sandbox's: their pids are those inside the sandbox.
--format json prints the array of pids, as runc does; table prints
UID PID PPID C STIME TTY TIME CMD.
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
		for _, pr := range procs {
			pids = append(pids, int(pr.PID))
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
