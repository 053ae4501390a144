package cmd

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/google/subcommands"

	"stockade.dev/runsc/container"
	"stockade.dev/sentry/control"
)

// Events implements `runsc events`: the container's resource usage, once
// (--stats) or every --interval.
type Events struct {
	stats    bool
	interval time.Duration
}

// Name implements subcommands.Command.
func (*Events) Name() string { return "events" }

// Synopsis implements subcommands.Command.
func (*Events) Synopsis() string {
	return "display container events such as OOM notifications, cpu, memory, and IO usage statistics"
}

// Usage implements subcommands.Command.
func (*Events) Usage() string {
	return `events [command options] <container-id>

Prints one JSON object a line: {"type":"stats","id":ID,"data":{...}} with
the cpu, memory and pids usage of the sandbox.
`
}

// SetFlags implements subcommands.Command.
func (e *Events) SetFlags(fs *flag.FlagSet) {
	fs.BoolVar(&e.stats, "stats", false, "display the container's stats then exit")
	fs.DurationVar(&e.interval, "interval", 5*time.Second, "set the stats collection interval")
}

// statsEvent is runc's event: {"type", "id", "data"}.
type statsEvent struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Data any    `json:"data,omitempty"`
}

func statsData(s *control.Stats) map[string]any {
	return map[string]any{
		"cpu": map[string]any{"usage": map[string]any{
			"total": s.CPUTotalNanos, "user": s.CPUUserNanos, "kernel": s.CPUKernelN,
		}},
		"memory": map[string]any{"usage": map[string]any{"usage": s.MemoryUsage, "limit": s.MemoryLimit}},
		"pids":   map[string]any{"current": s.Pids},
	}
}

// Execute implements subcommands.Command.
func (e *Events) Execute(_ context.Context, fs *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	setupOCILogging()
	id, err := oneID(fs, "events")
	if err != nil {
		return ociError("%v", err)
	}
	if e.interval <= 0 {
		return ociError("duration interval must be greater than 0")
	}
	ct, err := loadContainer(id)
	if err != nil {
		return ociError("%v", err)
	}
	st := ct.Status()
	dir := ct.Dir
	ct.Unlock()
	if st == container.Stopped {
		return ociError("container with id %s is not running", id)
	}
	for {
		resp, err := control.Call(dir, &control.Request{Method: control.MethodStats}, nil)
		if err != nil {
			if err == control.ErrNoSandbox && !e.stats {
				return subcommands.ExitSuccess
			}
			return ociError("%v", err)
		}
		b, _ := json.Marshal(statsEvent{Type: "stats", ID: id, Data: statsData(resp.Stats)})
		fmt.Println(string(b))
		if e.stats {
			return subcommands.ExitSuccess
		}
		time.Sleep(e.interval)
	}
}
