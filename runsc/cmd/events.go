package cmd

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/google/subcommands"

	"stockade.dev/runsc/cgroup"
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

// statsData is runc's stats data. With a host cgroup, cpu and memory are
// the cgroup's (what the host charges the sandbox: the sentry, its stubs
// and the gofer, the memory file included) and pids.limit its pids.max;
// pids.current stays the sentry's count of application tasks (the host
// cgroup's tasks are the sandbox's threads, not the container's).
func statsData(s *control.Stats, cg *cgroup.Stats) map[string]any {
	cpu := map[string]any{"total": s.CPUTotalNanos, "user": s.CPUUserNanos, "kernel": s.CPUKernelN}
	mem := map[string]any{"usage": s.MemoryUsage, "limit": s.MemoryLimit}
	pids := map[string]any{"current": s.Pids}
	if cg != nil {
		cpu = map[string]any{"total": cg.CPUTotal, "user": cg.CPUUser, "kernel": cg.CPUKernel}
		mem = map[string]any{"usage": cg.MemoryUsage, "max": cg.MemoryMax, "limit": cg.MemoryLimit, "failcnt": cg.MemoryFailcnt}
		if cg.PidsLimit != 0 {
			pids["limit"] = cg.PidsLimit
		}
	}
	return map[string]any{
		"cpu":    map[string]any{"usage": cpu},
		"memory": map[string]any{"usage": mem},
		"pids":   pids,
	}
}

// cgroupStats reads the counters of the cgroup at path (nil without one).
func cgroupStats(path string) *cgroup.Stats {
	if path == "" {
		return nil
	}
	cg, err := cgroup.Load(path)
	if err != nil {
		return nil
	}
	s, err := cg.Stats()
	if err != nil {
		return nil
	}
	return s
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
	dir, cgPath := ct.Dir, ct.State.Cgroup
	ct.Unlock()
	var ooms uint64
	if cs := cgroupStats(cgPath); cs != nil {
		ooms = cs.OOMKills
	}
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
		cs := cgroupStats(cgPath)
		if cs != nil && cs.OOMKills > ooms && !e.stats {
			// As runc: an "oom" event when the host's OOM killer hit.
			ooms = cs.OOMKills
			b, _ := json.Marshal(statsEvent{Type: "oom", ID: id})
			fmt.Println(string(b))
		}
		b, _ := json.Marshal(statsEvent{Type: "stats", ID: id, Data: statsData(resp.Stats, cs)})
		fmt.Println(string(b))
		if e.stats {
			return subcommands.ExitSuccess
		}
		time.Sleep(e.interval)
	}
}
