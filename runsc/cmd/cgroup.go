package cmd

import (
	"fmt"
	"log/slog"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"stockade.dev/runsc/cgroup"
)

// createCgroup makes the host cgroup of container id from the spec
// (linux.cgroupsPath, linux.resources) and returns its path for the
// container's state ("" when the host has none and no limit is asked for:
// then the sandbox runs in runsc's own cgroup and cannot be paused).
// `runsc boot --cgroup PATH` joins it before it starts any other process.
func createCgroup(spec *specs.Spec, id string) (string, error) {
	var cgPath string
	var res *specs.LinuxResources
	if spec.Linux != nil {
		cgPath, res = spec.Linux.CgroupsPath, spec.Linux.Resources
	}
	path, err := cgroup.SpecPath(cgPath, id, systemdCgroup)
	if err != nil {
		return "", err
	}
	cg, err := cgroup.Create(path)
	if err != nil {
		if res == nil {
			slog.Warn("running the sandbox without a cgroup of its own", "err", err)
			return "", nil
		}
		return "", fmt.Errorf("the container's resources need a host cgroup: %v", err)
	}
	if err := cg.Apply(res); err != nil {
		cg.Destroy()
		return "", err
	}
	return path, nil
}

// removeCgroup kills what is left in the cgroup at path and removes it.
func removeCgroup(path string) {
	if path == "" {
		return
	}
	cg, err := cgroup.Load(path)
	if err == nil {
		err = cg.Destroy()
	}
	if err != nil {
		slog.Warn("removing the sandbox's cgroup", "path", path, "err", err)
	}
}

// freezeCgroup freezes or thaws the cgroup at path (pause and resume).
func freezeCgroup(path string, freeze bool) error {
	if path == "" {
		return fmt.Errorf("the container has no cgroup of its own (the host's cgroups could not be used), so it cannot be paused")
	}
	cg, err := cgroup.Load(path)
	if err != nil {
		return err
	}
	return cg.Freeze(freeze)
}

// joinCgroup moves the calling process into the cgroup at path.
func joinCgroup(path string, pid int) error {
	cg, err := cgroup.Load(path)
	if err != nil {
		return err
	}
	return cg.Join(pid)
}

// specPidsLimit is the container's pids limit (0: none), which the sentry
// enforces on its tasks (kernel.PidsLimit).
func specPidsLimit(spec *specs.Spec) int {
	if spec.Linux == nil || spec.Linux.Resources == nil || spec.Linux.Resources.Pids == nil || spec.Linux.Resources.Pids.Limit == nil {
		return 0
	}
	if l := *spec.Linux.Resources.Pids.Limit; l > 0 {
		return int(l)
	}
	return 0
}

// joinSandboxCgroup moves a host process of a pod's later container (its
// gofer) into the sandbox's cgroup, where the sentry running the
// container is. A later container has no host cgroup of its own: its
// tasks are the shared sentry's, so its linux.resources are not applied
// on the host (the pod sandbox's are). Its proxy stays in the caller's
// cgroup: it stands for the init to the caller and must outlive the
// sandbox to report the init's end (deleting the sandbox kills what is in
// its cgroup).
func joinSandboxCgroup(path string, pid int) {
	if path == "" {
		return
	}
	if err := joinCgroup(path, pid); err != nil {
		slog.Warn("moving a pod container's process into the sandbox's cgroup", "pid", pid, "err", err)
	}
}

// reclaimThreshold is how much freed memory the sentry's memory file
// keeps before returning it to the host, under the container's memory
// limit (0: no limit, the memory file's default): an eighth of the limit,
// 1 MiB to 256 MiB. Freed memory still counts against the host cgroup
// until returned.
func reclaimThreshold(spec *specs.Spec) uint64 {
	if spec.Linux == nil || spec.Linux.Resources == nil || spec.Linux.Resources.Memory == nil || spec.Linux.Resources.Memory.Limit == nil {
		return 0
	}
	l := *spec.Linux.Resources.Memory.Limit
	if l <= 0 {
		return 0
	}
	return uint64(min(max(l/8, 1<<20), 256<<20))
}
