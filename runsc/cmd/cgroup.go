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
