package e2e

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The confined sandbox of `runsc create/run` (runsc/sandbox/confine_boot.go,
// confine_gofer.go, confine_netns.go), checked from the host through
// /proc/PID of the sandbox and gofer processes.

// confinedRunsc is Stockade's runsc as an OCI runtime with its own
// --root (pod_test.go's runscOnly), or skips.
func confinedRunsc(t *testing.T) ociRuntime {
	t.Helper()
	ourSandbox(t)
	return runscOnly(t)
}

// callEnv is r.call with extra environment variables.
func (r ociRuntime) callEnv(t *testing.T, extra []string, args ...string) ociResult {
	t.Helper()
	saved := env
	env = append(append([]string{}, env...), extra...)
	defer func() { env = saved }()
	return r.call(t, args...)
}

// sandboxPid creates container id from bundle and returns its sandbox pid.
func (r ociRuntime) createPid(t *testing.T, bundle, id string) int {
	t.Helper()
	if res := r.call(t, "create", "--bundle", bundle, id); res.code != 0 {
		t.Fatalf("runsc create: %v", res)
	}
	st := r.state(t, id)
	pid, ok := st["pid"].(float64)
	if !ok || pid <= 0 {
		t.Fatalf("runsc state: no pid in %v", st)
	}
	return int(pid)
}

// procStatus returns the fields of /proc/PID/status.
func procStatus(t *testing.T, pid int) map[string]string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	return statusFields(string(b))
}

// capMask parses a Cap* field.
func capMask(t *testing.T, st map[string]string, f string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(st[f], 16, 64)
	if err != nil {
		t.Fatalf("%s: %q", f, st[f])
	}
	return v
}

// goferOf returns the pid of the gofer child of the sandbox pid.
func goferOf(t *testing.T, pid int) int {
	t.Helper()
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, p := range tasks {
		b, _ := os.ReadFile(p)
		for _, f := range strings.Fields(string(b)) {
			cl, _ := os.ReadFile("/proc/" + f + "/cmdline")
			if strings.Contains(string(cl), "\x00gofer\x00") {
				n, _ := strconv.Atoi(f)
				return n
			}
		}
	}
	t.Fatalf("no gofer process under the sandbox %d", pid)
	return 0
}

func nsLink(t *testing.T, pid, ns string) string {
	t.Helper()
	l, err := os.Readlink("/proc/" + pid + "/ns/" + ns)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestConfineOCISandbox checks the sandbox process of `runsc create` and
// its gofer from the host: namespaces, root, capabilities, no_new_privs,
// seccomp.
func TestConfineOCISandbox(t *testing.T) {
	r := confinedRunsc(t)
	bundle := ociBundle(t, "sleep", "100")
	id := ociID(t, "confined")
	r.cleanup(t, id)
	pid := r.createPid(t, bundle, id)
	spid := strconv.Itoa(pid)

	// New pid, ipc, uts, mount and network namespaces.
	for _, ns := range []string{"pid", "ipc", "uts", "mnt", "net"} {
		if host, sb := nsLink(t, "self", ns), nsLink(t, spid, ns); host == sb {
			t.Errorf("sandbox %s namespace %s is the host's", ns, sb)
		}
	}
	// The root is the empty directory.
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/root", pid))
	if err != nil {
		t.Fatalf("listing the sandbox's root: %v", err)
	}
	if len(ents) != 0 {
		t.Errorf("the sandbox's root has %d entries (%s...), want none", len(ents), ents[0].Name())
	}
	st := procStatus(t, pid)
	for _, f := range []string{"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"} {
		if v := capMask(t, st, f); v != 0 {
			t.Errorf("sandbox %s = %#x, want 0", f, v)
		}
	}
	if st["NoNewPrivs"] != "1" || st["Seccomp"] != "2" {
		t.Errorf("sandbox NoNewPrivs %q Seccomp %q, want 1 and 2", st["NoNewPrivs"], st["Seccomp"])
	}
	t.Logf("sandbox %d: Seccomp_filters %s", pid, st["Seccomp_filters"])

	// The gofer: its own mount namespace holding the rootfs, only the
	// capabilities it needs to serve files as root, no_new_privs, seccomp.
	g := goferOf(t, pid)
	gs := strconv.Itoa(g)
	if nsLink(t, gs, "mnt") == nsLink(t, spid, "mnt") || nsLink(t, gs, "mnt") == nsLink(t, "self", "mnt") {
		t.Errorf("the gofer's mount namespace is not its own")
	}
	var want, got []string
	rootEnts, _ := os.ReadDir(filepath.Join(bundle, "rootfs"))
	for _, e := range rootEnts {
		want = append(want, e.Name())
	}
	goferEnts, err := os.ReadDir(fmt.Sprintf("/proc/%d/root", g))
	if err != nil {
		t.Fatalf("listing the gofer's root: %v", err)
	}
	for _, e := range goferEnts {
		got = append(got, e.Name())
	}
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("the gofer's root has %v, want the rootfs's %v", got, want)
	}
	gst := procStatus(t, g)
	// CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID.
	const goferCaps = 1<<0 | 1<<1 | 1<<2 | 1<<3 | 1<<4
	for _, f := range []string{"CapPrm", "CapEff", "CapBnd"} {
		if v := capMask(t, gst, f); v != goferCaps {
			t.Errorf("gofer %s = %#x, want %#x", f, v, goferCaps)
		}
	}
	if v := capMask(t, gst, "CapAmb") | capMask(t, gst, "CapInh"); v != 0 {
		t.Errorf("gofer ambient/inheritable capabilities %#x, want 0", v)
	}
	if gst["NoNewPrivs"] != "1" || gst["Seccomp"] != "2" {
		t.Errorf("gofer NoNewPrivs %q Seccomp %q, want 1 and 2", gst["NoNewPrivs"], gst["Seccomp"])
	}

	// And the container still runs.
	if res := r.call(t, "start", id); res.code != 0 {
		t.Fatalf("runsc start: %v", res)
	}
	r.waitStatus(t, id, "running")
}

// TestConfineOCIForbiddenSyscall makes the sandbox, then the gofer, call a
// host system call outside its allowlist (the hidden test hook
// STOCKADE_TEST_FORBIDDEN_SYSCALL, read from runsc's environment, never
// the container's), during create and, for the sandbox, when the container
// starts: runsc create or run fails with one line saying so, and leaves
// nothing behind.
func TestConfineOCIForbiddenSyscall(t *testing.T) {
	r := confinedRunsc(t)
	bundle := ociBundle(t, "true")
	for _, tc := range []struct{ name, hook, what, cmd string }{
		{"sandbox", "1", "sandbox", "create"},
		{"gofer", "gofer", "gofer", "create"},
		{"sandbox_at_start", "start", "sandbox", "run"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := ociID(t, "sigsys-"+tc.name)
			res := r.callEnv(t, []string{"STOCKADE_TEST_FORBIDDEN_SYSCALL=" + tc.hook}, tc.cmd, "--bundle", bundle, id)
			if res.code != 1 {
				t.Errorf("runsc %s: %v, want exit 1", tc.cmd, res)
			}
			msg := res.stderr
			if strings.Count(msg, "\n") != 1 || !strings.HasSuffix(msg, "\n") {
				t.Errorf("stderr is not exactly one line: %q", msg)
			}
			says := "the " + tc.what + " was killed by its seccomp filter (host system call "
			if !strings.HasPrefix(msg, "runsc "+tc.cmd+" failed: ") || !strings.Contains(msg, says) {
				t.Errorf("stderr %q, want runsc %s's failure saying %q", msg, tc.cmd, says)
			}
			// The call is named when the kernel's audit record is readable.
			if !strings.Contains(msg, "103, syslog") && !strings.Contains(msg, "unknown") {
				t.Errorf("stderr names neither syslog (103) nor an unknown call: %q", msg)
			}
			t.Logf("runsc said: %s", strings.TrimSpace(msg))
			dirs, procs := r.leftovers(t)
			if len(dirs) != 0 || procs != 0 {
				t.Errorf("left behind: state dirs %v, %d processes", dirs, procs)
			}
		})
	}
}

// setNetNS sets the bundle's network namespace entry to path.
func setNetNS(t *testing.T, bundle, path string) {
	t.Helper()
	p := filepath.Join(bundle, "config.json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	linux := c["linux"].(map[string]any)
	var nss []any
	if l, ok := linux["namespaces"].([]any); ok {
		for _, ns := range l {
			if ns.(map[string]any)["type"] != "network" {
				nss = append(nss, ns)
			}
		}
	}
	linux["namespaces"] = append(nss, map[string]any{"type": "network", "path": path})
	b, _ = json.MarshalIndent(c, "", "\t")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestConfineOCINetNSJoin: a network namespace given by path is joined by
// the sandbox process (its /proc/PID/ns/net is that namespace); a path
// that does not exist or is not a network namespace fails create, as
// runc's does, in one line and leaving nothing behind.
func TestConfineOCINetNSJoin(t *testing.T) {
	r := confinedRunsc(t)
	ip, err := exec.LookPath("ip")
	if err != nil {
		t.Skip("ip (iproute2) is not installed: it makes the named network namespace")
	}
	name := fmt.Sprintf("stockade-test-%d-%d", os.Getpid(), rand.Int31())
	if out, err := exec.Command(ip, "netns", "add", name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v\n%s", name, err, out)
	}
	t.Cleanup(func() { exec.Command(ip, "netns", "delete", name).Run() })
	nsPath := "/run/netns/" + name

	bundle := ociBundle(t, "sleep", "100")
	setNetNS(t, bundle, nsPath)
	id := ociID(t, "netns")
	r.cleanup(t, id)
	pid := r.createPid(t, bundle, id)
	want, err := os.Stat(nsPath)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.Stat(fmt.Sprintf("/proc/%d/ns/net", pid))
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(want, got) {
		t.Errorf("the sandbox's network namespace is not %s", nsPath)
	}
	// Every thread joined, not only the main one.
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/ns/net", pid))
	for _, task := range tasks {
		if st, err := os.Stat(task); err == nil && !os.SameFile(want, st) {
			t.Errorf("%s is not %s", task, nsPath)
		}
	}
	if res := r.call(t, "delete", "--force", id); res.code != 0 {
		t.Fatalf("runsc delete: %v", res)
	}

	notNS := filepath.Join(t.TempDir(), "not-a-netns")
	os.WriteFile(notNS, nil, 0o644)
	runc, _ := exec.LookPath("runc")
	for _, tc := range []struct{ name, path string }{
		{"missing", "/nonexistent/stockade-netns"},
		{"not_netns", notNS},
		{"other_ns_type", "/proc/self/ns/uts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bundle := ociBundle(t, "true")
			setNetNS(t, bundle, tc.path)
			id := ociID(t, "badnetns")
			res := r.call(t, "create", "--bundle", bundle, id)
			if res.code != 1 || strings.Count(res.stderr, "\n") != 1 || !strings.Contains(res.stderr, tc.path) {
				t.Errorf("runsc create: %v, want exit 1 and one line naming %s", res, tc.path)
			}
			t.Logf("runsc said: %s", strings.TrimSpace(res.stderr))
			if dirs, procs := r.leftovers(t); len(dirs) != 0 || procs != 0 {
				t.Errorf("left behind: state dirs %v, %d processes", dirs, procs)
			}
			if runc != "" {
				rc := ociRuntime{name: "runc", argv: []string{runc}, root: filepath.Join(t.TempDir(), "runc-root")}
				res2 := rc.call(t, "create", "--bundle", bundle, id)
				rc.call(t, "delete", "--force", id)
				if res2.code != res.code {
					t.Errorf("exit %d, runc's %d (runc: %v)", res.code, res2.code, res2)
				}
			}
		})
	}
}
