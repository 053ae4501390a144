package cgroup

import (
	"strconv"
	"strings"
)

// Stats are the cgroup's counters, in the units of runc's events.
type Stats struct {
	// CPU time of the cgroup's host tasks, nanoseconds.
	CPUTotal, CPUUser, CPUKernel uint64
	// Memory charged to the cgroup (the sentry's memory file included),
	// its maximum so far, the limit and how often the limit was hit.
	MemoryUsage, MemoryMax, MemoryLimit, MemoryFailcnt uint64
	// OOMKills counts the processes the kernel's OOM killer ended in the
	// cgroup (0 when the kernel does not say).
	OOMKills uint64
	// Pids are the cgroup's host tasks (threads of the sentry, stubs,
	// gofer), PidsLimit its pids.max (0: no limit).
	Pids, PidsLimit uint64
}

// userHZ is the unit of cpuacct.stat (USER_HZ, 100 on every Linux ABI).
const userHZ = 100

// Stats reads the cgroup's counters; counters the host lacks stay 0.
func (cg *Cgroup) Stats() (*Stats, error) {
	s := &Stats{}
	if cg.V2 {
		d := cg.Dir("")
		kv := readKV(d, "cpu.stat")
		s.CPUTotal, s.CPUUser, s.CPUKernel = kv["usage_usec"]*1000, kv["user_usec"]*1000, kv["system_usec"]*1000
		s.MemoryUsage, _ = readUint(d, "memory.current")
		s.MemoryMax, _ = readUint(d, "memory.peak")
		s.MemoryLimit, _ = readUint(d, "memory.max")
		ev := readKV(d, "memory.events")
		s.MemoryFailcnt, s.OOMKills = ev["max"], ev["oom_kill"]
		s.Pids, _ = readUint(d, "pids.current")
		s.PidsLimit, _ = readUint(d, "pids.max")
	} else {
		if d := cg.Dir("cpuacct"); d != "" {
			s.CPUTotal, _ = readUint(d, "cpuacct.usage")
			kv := readKV(d, "cpuacct.stat")
			s.CPUUser, s.CPUKernel = kv["user"]*1e9/userHZ, kv["system"]*1e9/userHZ
		}
		if d := cg.Dir("memory"); d != "" {
			s.MemoryUsage, _ = readUint(d, "memory.usage_in_bytes")
			s.MemoryMax, _ = readUint(d, "memory.max_usage_in_bytes")
			s.MemoryLimit, _ = readUint(d, "memory.limit_in_bytes")
			s.MemoryFailcnt, _ = readUint(d, "memory.failcnt")
			s.OOMKills = readKV(d, "memory.oom_control")["oom_kill"]
		}
		if d := cg.Dir("pids"); d != "" {
			s.Pids, _ = readUint(d, "pids.current")
			s.PidsLimit, _ = readUint(d, "pids.max")
		}
	}
	if s.PidsLimit == ^uint64(0) {
		s.PidsLimit = 0
	}
	return s, nil
}

// readKV reads a "key value" a line file (memory.stat, cpu.stat...).
func readKV(dir, file string) map[string]uint64 {
	out := map[string]uint64{}
	s, err := readString(dir, file)
	if err != nil {
		return out
	}
	for _, l := range strings.Split(s, "\n") {
		f := strings.Fields(l)
		if len(f) == 2 {
			if v, err := strconv.ParseUint(f[1], 10, 64); err == nil {
				out[f[0]] = v
			}
		}
	}
	return out
}
