package cgroup

import (
	"fmt"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Apply writes the spec's linux.resources to the cgroup: memory (limit,
// reservation, swap, disableOOMKiller, swappiness), cpu (shares, quota,
// period, realtime runtime and period, cpus, mems) and pids (limit).
// Device rules are not written: the sandbox's devices are the sentry's own
// (/dev is served inside), and the host devices the sentry and the gofer
// open are theirs, not the application's. Block I/O, huge page and network
// limits are not applied (documented in BUILD.md).
func (cg *Cgroup) Apply(r *specs.LinuxResources) error {
	if r == nil {
		return nil
	}
	if cg.V2 {
		return cg.applyV2(r)
	}
	if m := r.Memory; m != nil {
		if err := cg.applyMemoryV1(m); err != nil {
			return err
		}
	}
	if c := r.CPU; c != nil {
		d := cg.Dir("cpu")
		// The period first: a quota is checked against it.
		if c.Period != nil && *c.Period != 0 {
			if err := write(d, "cpu.cfs_period_us", strconv.FormatUint(*c.Period, 10)); err != nil {
				return err
			}
		}
		if c.Quota != nil && *c.Quota != 0 {
			if err := write(d, "cpu.cfs_quota_us", strconv.FormatInt(*c.Quota, 10)); err != nil {
				return err
			}
		}
		if c.Shares != nil && *c.Shares != 0 {
			if err := write(d, "cpu.shares", strconv.FormatUint(*c.Shares, 10)); err != nil {
				return err
			}
		}
		if c.RealtimePeriod != nil && *c.RealtimePeriod != 0 {
			if err := write(d, "cpu.rt_period_us", strconv.FormatUint(*c.RealtimePeriod, 10)); err != nil {
				return err
			}
		}
		if c.RealtimeRuntime != nil && *c.RealtimeRuntime != 0 {
			if err := write(d, "cpu.rt_runtime_us", strconv.FormatInt(*c.RealtimeRuntime, 10)); err != nil {
				return err
			}
		}
		if err := cg.applyCpuset(c, cg.Dir("cpuset")); err != nil {
			return err
		}
	}
	if p := r.Pids; p != nil && p.Limit != nil {
		v := maxOr(HostPidsMax(*p.Limit))
		if err := write(cg.Dir("pids"), "pids.max", v); err != nil {
			return err
		}
	}
	return nil
}

func (cg *Cgroup) applyMemoryV1(m *specs.LinuxMemory) error {
	d := cg.Dir("memory")
	if m.Limit != nil && *m.Limit != 0 {
		if err := write(d, "memory.limit_in_bytes", strconv.FormatInt(*m.Limit, 10)); err != nil {
			return err
		}
	}
	// The spec's swap is the memory+swap limit (v1's memsw); -1 is no
	// limit. Without swap accounting the file is absent.
	if m.Swap != nil && *m.Swap != 0 {
		if err := write(d, "memory.memsw.limit_in_bytes", strconv.FormatInt(*m.Swap, 10)); err != nil {
			return err
		}
	}
	if m.Reservation != nil && *m.Reservation != 0 {
		if err := write(d, "memory.soft_limit_in_bytes", strconv.FormatInt(*m.Reservation, 10)); err != nil {
			return err
		}
	}
	if m.DisableOOMKiller != nil && *m.DisableOOMKiller {
		if err := write(d, "memory.oom_control", "1"); err != nil {
			return err
		}
	}
	if m.Swappiness != nil && *m.Swappiness <= 100 {
		if err := write(d, "memory.swappiness", strconv.FormatUint(*m.Swappiness, 10)); err != nil {
			return err
		}
	} else if m.Swappiness != nil {
		return fmt.Errorf("invalid memory swappiness %d: it is 0 to 100", *m.Swappiness)
	}
	return nil
}

func (cg *Cgroup) applyCpuset(c *specs.LinuxCPU, d string) error {
	if c.Cpus != "" {
		if err := write(d, "cpuset.cpus", c.Cpus); err != nil {
			return err
		}
	}
	if c.Mems != "" {
		if err := write(d, "cpuset.mems", c.Mems); err != nil {
			return err
		}
	}
	return nil
}

// applyV2 is Apply on the unified hierarchy, with runc's conversions of
// the v1-shaped spec values.
func (cg *Cgroup) applyV2(r *specs.LinuxResources) error {
	d := cg.Dir("")
	if m := r.Memory; m != nil {
		if m.Limit != nil && *m.Limit != 0 {
			if err := write(d, "memory.max", maxOr(*m.Limit)); err != nil {
				return err
			}
		}
		if m.Swap != nil && *m.Swap != 0 {
			// v2's swap.max is swap alone; the spec's is memory+swap.
			v := "max"
			if *m.Swap > 0 && m.Limit != nil && *m.Limit > 0 {
				v = strconv.FormatInt(*m.Swap-*m.Limit, 10)
			}
			if err := write(d, "memory.swap.max", v); err != nil {
				return err
			}
		}
		if m.Reservation != nil && *m.Reservation != 0 {
			if err := write(d, "memory.low", maxOr(*m.Reservation)); err != nil {
				return err
			}
		}
		if m.DisableOOMKiller != nil && *m.DisableOOMKiller {
			return fmt.Errorf("disableOOMKiller is not available with cgroup v2")
		}
	}
	if c := r.CPU; c != nil {
		if c.Shares != nil && *c.Shares != 0 {
			if err := write(d, "cpu.weight", strconv.FormatUint(SharesToWeight(*c.Shares), 10)); err != nil {
				return err
			}
		}
		if (c.Quota != nil && *c.Quota != 0) || (c.Period != nil && *c.Period != 0) {
			quota, period := "max", uint64(100000)
			if c.Quota != nil && *c.Quota > 0 {
				quota = strconv.FormatInt(*c.Quota, 10)
			}
			if c.Period != nil && *c.Period != 0 {
				period = *c.Period
			}
			if err := write(d, "cpu.max", fmt.Sprintf("%s %d", quota, period)); err != nil {
				return err
			}
		}
		if err := cg.applyCpuset(c, d); err != nil {
			return err
		}
	}
	if p := r.Pids; p != nil && p.Limit != nil {
		if err := write(d, "pids.max", maxOr(HostPidsMax(*p.Limit))); err != nil {
			return err
		}
	}
	return nil
}

// HostPidsMax is the host pids.max of a sandbox whose container has the
// pids limit limit (<= 0: none). The container's tasks are not host
// processes: the sentry counts them against the limit itself
// (kernel.PidsLimit). On the host each running task costs a sentry thread
// and a stub thread, and the sandbox has a base of runtime threads, gofer
// and parked stubs; the host limit bounds those, so that a fork bomb stops
// in the sentry with EAGAIN, and the host limit only bounds a runaway
// sandbox (hitting it can end the sentry).
func HostPidsMax(limit int64) int64 {
	if limit <= 0 {
		return limit
	}
	return 2*limit + 256
}

// SharesToWeight converts cpu.shares (2..262144) to cpu.weight (1..10000)
// as runc does.
func SharesToWeight(shares uint64) uint64 {
	if shares == 0 {
		return 0
	}
	if shares < 2 {
		shares = 2
	}
	if shares > 262144 {
		shares = 262144
	}
	return 1 + ((shares-2)*9999)/262142
}

func maxOr(v int64) string {
	if v <= 0 {
		return "max"
	}
	return strconv.FormatInt(v, 10)
}

// write writes v to dir/file with a one-line error naming both.
func write(dir, file, v string) error {
	if dir == "" {
		return fmt.Errorf("setting %s to %s: the host has no cgroup controller for it", file, v)
	}
	if err := writeString(dir, file, v); err != nil {
		return fmt.Errorf("setting the cgroup limit %s to %s: %v", file, v, err)
	}
	return nil
}
