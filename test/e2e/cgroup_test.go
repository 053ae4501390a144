package e2e

// Host cgroup tests: a bundle with linux.resources run by runc (the oracle)
// and by runsc. The host cgroup files must hold the limits, every host
// process of the sandbox must be in the cgroup, an allocation over the
// memory limit must end the container as under runc, fork must stop at the
// pids limit, and delete must leave no cgroup directory. They need root,
// runc and the host's cgroup hierarchies; otherwise they skip.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cgroupHierarchies returns the host's cgroup v1 controller directories
// (name → mount point), or skips.
func cgroupHierarchies(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, c := range []string{"memory", "cpu", "cpuacct", "cpuset", "pids", "freezer"} {
		d := filepath.Join("/sys/fs/cgroup", c)
		if _, err := os.Stat(filepath.Join(d, "cgroup.procs")); err == nil {
			out[c] = d
		}
	}
	if len(out) != 6 {
		t.Skipf("these tests need the cgroup v1 memory, cpu, cpuacct, cpuset, pids and freezer hierarchies under /sys/fs/cgroup (found %v)", out)
	}
	return out
}

// cgroupParent is a cgroup path for this test run's containers; Cleanup
// removes it from every hierarchy the runtimes made it in (runc makes it
// in all, name=systemd and the v2 tree included). A container's cgroup
// left under it is a leak the tests report; Cleanup removes those too.
func cgroupParent(t *testing.T, h map[string]string) string {
	p := fmt.Sprintf("/stockade-e2e-%d-%s", os.Getpid(), strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")))
	t.Cleanup(func() {
		dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", p))
		for _, d := range dirs {
			children, _ := filepath.Glob(filepath.Join(d, "*"))
			for _, c := range children {
				if st, err := os.Stat(c); err == nil && st.IsDir() {
					os.Remove(c)
				}
			}
			os.Remove(d)
		}
	})
	return p
}

// existingCgroupDirs lists the hierarchies (all mounted, not only h)
// where path exists.
func existingCgroupDirs(h map[string]string, path string) []string {
	var out []string
	dirs, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", path))
	for _, d := range dirs {
		out = append(out, strings.TrimPrefix(d, "/sys/fs/cgroup/"))
	}
	return out
}

func readCgroupFile(t *testing.T, dir, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Errorf("reading %s: %v", file, err)
	}
	return strings.TrimSpace(string(b))
}

// descendants returns pid and every process below it.
func descendants(pid int) []int {
	children := map[int][]int{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, s := range stats {
		b, err := os.ReadFile(s)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parens.
		str := string(b)
		i := strings.LastIndexByte(str, ')')
		f := strings.Fields(str[i+1:])
		p, _ := strconv.Atoi(strings.Fields(str)[0])
		if len(f) > 1 {
			pp, _ := strconv.Atoi(f[1])
			children[pp] = append(children[pp], p)
		}
	}
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

// processLive reports whether pid runs (a zombie waiting for its reaper
// does not), waiting up to a second for it to end.
func processLive(pid int) bool {
	for i := 0; i < 100; i++ {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return false
		}
		s := string(b)
		if f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]); len(f) > 0 && f[0] == "Z" {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// setResources sets the bundle's linux.resources and cgroupsPath.
func setResources(t *testing.T, bundle, cgPath string, res map[string]any) {
	t.Helper()
	setConfig(t, bundle, func(c map[string]any) {
		l := c["linux"].(map[string]any)
		l["cgroupsPath"] = cgPath
		l["resources"] = res
	})
}

// TestCgroupLimits: the limits are in the host cgroup files, every host
// process of the sandbox (sentry, gofer, ptrace stubs) is in the cgroup of
// every hierarchy, runsc events reports the cgroup's memory limit, pause
// freezes the cgroup, and delete removes it.
func TestCgroupLimits(t *testing.T) {
	h := cgroupHierarchies(t)
	rts := ociRuntimes(t)
	parent := cgroupParent(t, h)
	bundle := ociBundle(t, "sh", "-c", "sleep 1000 & sleep 1000")
	for _, r := range rts {
		id := ociID(t, "cglimits-"+r.name)
		cgPath := parent + "/" + id
		setResources(t, bundle, cgPath, map[string]any{
			"memory": map[string]any{"limit": 96 << 20},
			"cpu":    map[string]any{"shares": 512, "quota": 50000, "period": 100000},
			"pids":   map[string]any{"limit": 64},
		})
		r.cleanup(t, id)
		if res := r.call(t, "run", "--detach", "--bundle", bundle, id); res.code != 0 {
			t.Fatalf("%s run: %v", r.name, res)
		}
		st := r.waitStatus(t, id, "running")
		dir := func(c string) string { return filepath.Join(h[c], cgPath) }
		wantPids := "64"
		if r.name == "runsc" {
			// The sentry counts the container's tasks against the limit
			// itself; the host bound is derived from it (see
			// cgroup.HostPidsMax and TestCgroupPidsLimit).
			wantPids = strconv.Itoa(2*64 + 256)
		}
		for _, c := range []struct{ ctl, file, want string }{
			{"memory", "memory.limit_in_bytes", strconv.Itoa(96 << 20)},
			{"cpu", "cpu.shares", "512"},
			{"cpu", "cpu.cfs_quota_us", "50000"},
			{"cpu", "cpu.cfs_period_us", "100000"},
			{"pids", "pids.max", wantPids},
		} {
			if got := readCgroupFile(t, dir(c.ctl), c.file); got != c.want {
				t.Errorf("%s: %s/%s = %q, want %q", r.name, c.ctl, c.file, got, c.want)
			}
		}
		if got := readCgroupFile(t, dir("cpuset"), "cpuset.cpus"); got == "" {
			t.Errorf("%s: cpuset.cpus is empty (the parent's was not copied)", r.name)
		}
		// Every host process of the container is in every hierarchy.
		pid := int(st["pid"].(float64))
		procs := descendants(pid)
		if r.name == "runsc" && len(procs) < 3 {
			t.Errorf("runsc: the sandbox %d has processes %v; want the sentry, the gofer and stubs", pid, procs)
		}
		for c := range h {
			in := " " + strings.Join(strings.Fields(readCgroupFile(t, dir(c), "cgroup.procs")), " ") + " "
			for _, p := range procs {
				if !strings.Contains(in, " "+strconv.Itoa(p)+" ") {
					if _, err := os.Stat(fmt.Sprintf("/proc/%d", p)); err == nil {
						t.Errorf("%s: process %d of the container is not in the %s cgroup (%s)", r.name, p, c, in)
					}
				}
			}
		}
		// runsc events --stats reads the cgroup (runc's shape); the
		// container's sh may not have forked its sleeps yet: poll.
		var ev ociResult
		var e struct {
			Type string
			Data struct {
				Memory struct{ Usage struct{ Limit, Usage uint64 } }
				CPU    struct{ Usage struct{ Total uint64 } }
				Pids   struct{ Current uint64 }
			}
		}
		var err error
		for i := 0; i < 100; i++ {
			ev = r.call(t, "events", "--stats", id)
			if err = json.Unmarshal([]byte(ev.stdout), &e); err != nil || ev.code != 0 || e.Data.Pids.Current >= 2 {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err != nil || ev.code != 0 {
			t.Errorf("%s events --stats: %v (%v)", r.name, ev, err)
		} else if e.Type != "stats" || e.Data.Memory.Usage.Limit != 96<<20 || e.Data.Memory.Usage.Usage == 0 || e.Data.CPU.Usage.Total == 0 || e.Data.Pids.Current < 2 {
			t.Errorf("%s events --stats: %s; want the cgroup's memory limit %d, usage and cpu time, and 2 or more pids", r.name, ev.stdout, 96<<20)
		}
		// pause freezes the cgroup.
		if res := r.call(t, "pause", id); res.code != 0 {
			t.Errorf("%s pause: %v", r.name, res)
		} else if got := readCgroupFile(t, dir("freezer"), "freezer.state"); got != "FROZEN" {
			t.Errorf("%s: paused, freezer.state = %q", r.name, got)
		}
		if res := r.call(t, "resume", id); res.code != 0 {
			t.Errorf("%s resume: %v", r.name, res)
		}
		if res := r.call(t, "delete", "--force", id); res.code != 0 {
			t.Errorf("%s delete --force: %v", r.name, res)
		}
		if left := existingCgroupDirs(h, cgPath); len(left) != 0 {
			t.Errorf("%s: after delete the cgroup %s is left in %v", r.name, cgPath, left)
		}
		for _, p := range procs {
			if processLive(p) {
				t.Errorf("%s: process %d outlived delete", r.name, p)
			}
		}
	}
}

// TestCgroupOOM: a container allocating more than its memory limit is
// killed as under runc: exit 137 (SIGKILL) from run, state stopped when
// detached, and delete cleans up. Under runsc the host's OOM killer picks
// the sentry (which maps the memory file) or the stub of the allocating
// process (when the application wrote the memory itself, the stub has the
// larger RSS; the sentry then kills that process with SIGKILL, and the
// OOM killer the sentry next, as the memory file still holds the pages):
// the whole container dies, where under runc only the allocating process
// does (the same for a one-process container).
func TestCgroupOOM(t *testing.T) {
	h := cgroupHierarchies(t)
	rts := ociRuntimes(t)
	parent := cgroupParent(t, h)
	// The memory written by the sentry (dd's read of /dev/zero into its
	// buffer) and by the application itself (a loop storing values).
	ddBundle := ociBundle(t, "busybox", "dd", "if=/dev/zero", "of=/dev/null", "bs=100M", "count=1")
	fillBundle := ociBundle(t, "/bin/fill")
	buildStatic(t, filepath.Join(fillBundle, "rootfs", "bin", "fill"), `#include <stdlib.h>
#include <stdio.h>
int main(void) {
	size_t n = 100 << 20;
	unsigned *p = malloc(n), x = 12345;
	for (size_t i = 0; i < n / 4; i++) { x = x * 1103515245 + 12345; p[i] = x; }
	printf("%u\n", p[n / 4 - 1]);
	return 0;
}
`)
	const limit = 32 << 20
	for _, w := range []struct{ name, bundle string }{{"dd", ddBundle}, {"fill", fillBundle}} {
		var codes []int
		for _, r := range rts {
			id := ociID(t, "oom-"+w.name+"-"+r.name)
			cgPath := parent + "/" + id
			// swap = limit: no swap, the allocation cannot escape to it.
			setResources(t, w.bundle, cgPath, map[string]any{"memory": map[string]any{"limit": limit, "swap": limit}})
			r.cleanup(t, id)
			res := r.call(t, "run", "--bundle", w.bundle, id)
			codes = append(codes, res.code)
			if res.code != 137 {
				t.Errorf("%s: %s over the memory limit: %v; want exit 137 (SIGKILL)", r.name, w.name, res)
			}
			if left := existingCgroupDirs(h, cgPath); len(left) != 0 {
				t.Errorf("%s: after run the cgroup %s is left in %v", r.name, cgPath, left)
			}

			// Detached: the container is reported stopped, delete cleans up.
			id2 := ociID(t, "oomd-"+w.name+"-"+r.name)
			r.cleanup(t, id2)
			if res := r.call(t, "run", "--detach", "--bundle", w.bundle, id2); res.code != 0 {
				t.Fatalf("%s run --detach: %v", r.name, res)
			}
			r.waitStatus(t, id2, "stopped")
			if res := r.call(t, "delete", id2); res.code != 0 {
				t.Errorf("%s delete of the OOM-killed container: %v", r.name, res)
			}
			if left := existingCgroupDirs(h, cgPath); len(left) != 0 {
				t.Errorf("%s: after delete the cgroup %s is left in %v", r.name, cgPath, left)
			}
			if dirs, procs := r.leftovers(t); len(dirs) != 0 || procs != 0 {
				t.Errorf("%s: left state %v and %d processes", r.name, dirs, procs)
			}
		}
		t.Logf("%s over the memory limit: runc exit %d, runsc exit %d", w.name, codes[0], codes[len(codes)-1])
	}
}

// buildStatic compiles the C program src into a static binary at out.
func buildStatic(t *testing.T, out, src string) {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc is absent (apt-get install gcc)")
	}
	c := filepath.Join(t.TempDir(), "prog.c")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(gcc, "-static", "-O1", "-o", out, c).CombinedOutput(); err != nil {
		t.Fatalf("gcc -static: %v\n%s", err, b)
	}
}

// TestCgroupPidsLimit: fork stops at linux.resources.pids.limit with
// EAGAIN, after the same number of processes as under runc. Under runc the
// host's pids controller counts the container's processes; under runsc they
// are the sentry's tasks, not host processes, so the sentry enforces the
// limit itself and the host cgroup gets a larger bound on the sandbox's own
// host tasks (cgroup.HostPidsMax: 2*limit+256).
func TestCgroupPidsLimit(t *testing.T) {
	h := cgroupHierarchies(t)
	rts := ociRuntimes(t)
	parent := cgroupParent(t, h)
	// Each loop prints how many sleeps run; busybox sh dies when fork
	// fails ("can't fork").
	bundle := ociBundle(t, "sh", "-c", "n=0; while [ $n -lt 100 ]; do sleep 30 & n=$((n+1)); echo $n; done; echo no-limit")
	var last []string
	for _, r := range rts {
		id := ociID(t, "pids-"+r.name)
		setResources(t, bundle, parent+"/"+id, map[string]any{"pids": map[string]any{"limit": 16}})
		r.cleanup(t, id)
		start := time.Now()
		res := r.call(t, "run", "--bundle", bundle, id)
		lines := strings.Fields(res.stdout)
		n := ""
		if len(lines) > 0 {
			n = lines[len(lines)-1]
		}
		last = append(last, n)
		if res.code == 0 || !strings.Contains(res.stderr, "can't fork") {
			t.Errorf("%s: fork past the pids limit: %v; want sh's \"can't fork\"", r.name, res)
		}
		if strings.Contains(res.stderr, "pthread_create") || strings.Contains(res.stderr, "SIGABRT") {
			t.Errorf("%s: the runtime itself failed: %v", r.name, res)
		}
		t.Logf("%s: %d sleeps started under pids.limit 16 (%v)", r.name, len(lines), time.Since(start).Round(time.Millisecond))
	}
	if last[0] != last[len(last)-1] {
		t.Errorf("processes started before fork failed: runc %s, runsc %s", last[0], last[len(last)-1])
	}
}

// TestCgroupPod: the gofer a pod's later container adds joins the
// sandbox's cgroup, where the sentry running it is (its proxy, which
// stands for its init to the caller, stays outside); deleting the sandbox
// removes the cgroup.
func TestCgroupPod(t *testing.T) {
	h := cgroupHierarchies(t)
	r := runscOnly(t)
	parent := cgroupParent(t, h)
	sbID := ociID(t, "cgpod")
	cID := sbID + "-c1"
	r.cleanup(t, cID)
	r.cleanup(t, sbID)
	cgPath := parent + "/" + sbID
	sbBundle := podBundle(t, "sb", map[string]string{"io.kubernetes.cri.container-type": "sandbox"}, "sleep", "1000")
	setResources(t, sbBundle, cgPath, map[string]any{"memory": map[string]any{"limit": 256 << 20}})
	cBundle := podBundle(t, "c1", map[string]string{"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": sbID}, "sleep", "1000")
	if res := r.call(t, "create", "--bundle", sbBundle, sbID); res.code != 0 {
		t.Fatalf("create %s: %v", sbID, res)
	}
	if res := r.call(t, "start", sbID); res.code != 0 {
		t.Fatalf("start %s: %v", sbID, res)
	}
	createUnderSubreaper(t, r, cBundle, cID)
	if res := r.call(t, "start", cID); res.code != 0 {
		t.Fatalf("start %s: %v", cID, res)
	}
	r.waitStatus(t, cID, "running")
	in := " " + strings.Join(strings.Fields(readCgroupFile(t, filepath.Join(h["memory"], cgPath), "cgroup.procs")), " ") + " "
	var pids []int
	cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range cmdlines {
		b, _ := os.ReadFile(p)
		cl := strings.ReplaceAll(string(b), "\x00", " ")
		if strings.Contains(cl, r.root) && (strings.Contains(cl, " gofer ") || strings.Contains(cl, " boot ")) {
			pid, _ := strconv.Atoi(strings.Split(p, "/")[2])
			pids = append(pids, descendants(pid)...)
		}
	}
	if len(pids) < 3 {
		t.Errorf("found the pod's processes %v; want the sentry and two gofers at least", pids)
	}
	for _, p := range pids {
		if !strings.Contains(in, " "+strconv.Itoa(p)+" ") && processLive(p) {
			t.Errorf("process %d of the pod is not in the sandbox's memory cgroup (%s)", p, in)
		}
	}
	if res := r.call(t, "delete", "--force", sbID); res.code != 0 {
		t.Errorf("delete --force %s: %v", sbID, res)
	}
	if res := r.call(t, "delete", "--force", cID); res.code != 0 {
		t.Errorf("delete --force %s: %v", cID, res)
	}
	if left := existingCgroupDirs(h, cgPath); len(left) != 0 {
		t.Errorf("after delete the cgroup %s is left in %v", cgPath, left)
	}
}

// TestCgroupHostKill: the host's OOM killer may pick a ptrace stub (the
// host process running an application process's code) rather than the
// sentry. Killing them from the host with SIGKILL must end the container
// as killing the container's processes does under runc: exit 137.
func TestCgroupHostKill(t *testing.T) {
	h := cgroupHierarchies(t)
	rts := ociRuntimes(t)
	parent := cgroupParent(t, h)
	bundle := ociBundle(t, "sh", "-c", "sleep 1000; echo survived")
	for _, r := range rts {
		id := ociID(t, "hostkill-"+r.name)
		cgPath := parent + "/" + id
		setResources(t, bundle, cgPath, map[string]any{"memory": map[string]any{"limit": 256 << 20}})
		r.cleanup(t, id)
		done := make(chan ociResult, 1)
		go func() { done <- r.call(t, "run", "--bundle", bundle, id) }()
		// The processes running application code: under runc the
		// container's; under runsc the traced stubs (sh and sleep).
		var victims []string
		deadline := time.Now().Add(20 * time.Second)
		for len(victims) < 2 && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
			victims = nil
			b, _ := os.ReadFile(filepath.Join(h["memory"], cgPath, "cgroup.procs"))
			for _, p := range strings.Fields(string(b)) {
				status, _ := os.ReadFile("/proc/" + p + "/status")
				comm, _ := os.ReadFile("/proc/" + p + "/comm")
				c := strings.TrimSpace(string(comm))
				traced := len(status) > 0 && !strings.Contains(string(status), "TracerPid:\t0\n")
				if (r.name == "runc" && (c == "sh" || c == "sleep")) || (r.name == "runsc" && traced) {
					victims = append(victims, p)
				}
			}
		}
		if len(victims) < 2 {
			t.Fatalf("%s: found %v running sh and sleep in the cgroup", r.name, victims)
		}
		for _, p := range victims {
			pid, _ := strconv.Atoi(p)
			syscall.Kill(pid, syscall.SIGKILL)
		}
		res := <-done
		if res.code != 137 || strings.Contains(res.stdout, "survived") {
			t.Errorf("%s: the container's host processes %v killed: %v; want exit 137", r.name, victims, res)
		}
	}
}
