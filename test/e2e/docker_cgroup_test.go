package e2e

// docker run --memory with runc (the oracle) and runsc, on the test's own
// dockerd (docker_test.go): the limit is on the host cgroup of the
// container's processes, and an allocation over it ends the container with
// exit 137 and OOMKilled true.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// memoryCgroupOf returns the memory cgroup directory of host process pid
// (cgroup v1).
func memoryCgroupOf(t *testing.T, pid string) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + pid + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.SplitN(l, ":", 3)
		if len(f) == 3 && f[1] == "memory" {
			return filepath.Join("/sys/fs/cgroup/memory", f[2])
		}
	}
	t.Skipf("process %s has no cgroup v1 memory controller: %s", pid, b)
	return ""
}

func TestDockerMemory(t *testing.T) {
	if _, err := os.Stat("/sys/fs/cgroup/memory/memory.limit_in_bytes"); err != nil {
		t.Skip("this test reads the cgroup v1 memory controller, which this host does not mount")
	}
	d := startDocker(t)
	img := dockerImage
	const limit = 64 << 20

	// The limit is on the host cgroup of the container's init (for runsc:
	// the sandbox process), and every process of the sandbox is in it.
	for _, rt := range dockerRuntimes {
		id := d.runDetached(t, rt, "--memory", fmt.Sprint(limit), img, "sleep", "60")
		pid := strings.TrimSpace(d.docker(t, "inspect", "--format", "{{.State.Pid}}", id).stdout)
		dir := memoryCgroupOf(t, pid)
		b, err := os.ReadFile(filepath.Join(dir, "memory.limit_in_bytes"))
		if got := strings.TrimSpace(string(b)); err != nil || got != fmt.Sprint(limit) {
			t.Errorf("%s: %s/memory.limit_in_bytes = %q, %v; want %d", rt, dir, got, err, limit)
		}
		if !strings.Contains(dir, id) {
			t.Errorf("%s: the container's cgroup %s is not docker's (it names the container id %s)", rt, dir, id)
		}
		procs, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
		t.Logf("%s: cgroup %s holds processes %s", rt, dir, strings.Fields(string(procs)))
		d.docker(t, "rm", "-f", id)
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("%s: the cgroup %s is left after docker rm -f", rt, dir)
		}
	}

	// Over the limit: killed as under runc.
	var results []string
	for _, rt := range dockerRuntimes {
		name := fmt.Sprintf("stockade-oom-%s-%d", rt, os.Getpid())
		r := d.run(t, rt, "--name", name, "--memory", "32m", "--memory-swap", "32m", img,
			"busybox", "dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1")
		oom := strings.TrimSpace(d.docker(t, "inspect", "--format", "{{.State.OOMKilled}} {{.State.ExitCode}}", name).stdout)
		d.docker(t, "rm", "-f", name)
		results = append(results, fmt.Sprintf("exit %d, OOMKilled/ExitCode %s", r.code, oom))
		if r.code != 137 || oom != "true 137" {
			t.Errorf("%s: docker run --memory 32m of a 100M allocation: %v, inspect %q; want exit 137 and OOMKilled true\n%s", rt, r, oom, d.runscLog())
		}
	}
	if results[0] != results[1] {
		t.Errorf("over the memory limit: runc %s, runsc %s", results[0], results[1])
	}
	t.Logf("over the memory limit: runc %s; runsc %s", results[0], results[1])
}
