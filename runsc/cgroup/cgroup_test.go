package cgroup

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestCreateApplyDestroy makes a cgroup on this host, writes limits, moves
// a process in, freezes it, reads the counters and removes it all.
func TestCreateApplyDestroy(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("making host cgroups needs root")
	}
	path := fmt.Sprintf("/stockade-test/unit-%d", os.Getpid())
	cg, err := Create(path)
	if err == ErrNoCgroups {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer cg.Destroy()
	limit, quota, period, shares, pids := int64(64<<20), int64(20000), uint64(100000), uint64(256), int64(50)
	err = cg.Apply(&specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: &limit},
		CPU:    &specs.LinuxCPU{Quota: &quota, Period: &period, Shares: &shares},
		Pids:   &specs.LinuxPids{Limit: &pids},
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	if err := cg.Join(cmd.Process.Pid); err != nil {
		cmd.Process.Kill()
		t.Fatal(err)
	}
	procs, err := cg.Procs()
	if err != nil || len(procs) != 1 || procs[0] != cmd.Process.Pid {
		t.Errorf("Procs = %v, %v; want [%d]", procs, err, cmd.Process.Pid)
	}
	if cg.V2 {
		if v, _ := readString(cg.Dir(""), "memory.max"); v != "67108864" {
			t.Errorf("memory.max = %q", v)
		}
	} else {
		for _, c := range []struct{ ctl, file, want string }{
			{"memory", "memory.limit_in_bytes", "67108864"},
			{"cpu", "cpu.cfs_quota_us", "20000"},
			{"cpu", "cpu.shares", "256"},
			{"pids", "pids.max", "356"}, // HostPidsMax(50)
		} {
			if v, _ := readString(cg.Dir(c.ctl), c.file); v != c.want {
				t.Errorf("%s = %q, want %q", c.file, v, c.want)
			}
		}
		if v, _ := readString(cg.Dir("cpuset"), "cpuset.cpus"); v == "" {
			t.Errorf("cpuset.cpus is empty: not copied from the parent")
		}
	}
	if err := cg.Freeze(true); err != nil {
		t.Error(err)
	}
	st, err := cg.Stats()
	if err != nil || st.MemoryLimit != uint64(limit) || st.PidsLimit != 356 || st.Pids != 1 {
		t.Errorf("Stats = %+v, %v", st, err)
	}
	// Destroy thaws, kills the process and removes every directory.
	if err := cg.Destroy(); err != nil {
		t.Fatal(err)
	}
	if cg.Exists() {
		t.Errorf("a directory of %s is left: %v", path, cg.Dirs())
	}
	parent, _ := Load("/stockade-test")
	for _, d := range parent.Dirs() {
		os.Remove(d)
	}
}
