package e2e

// The containerd the containerd and CRI tests start: its own root, state,
// sockets and config.toml under a temporary directory, the CRI plugin with
// two runtime handlers of the runc v2 shim, `runc` (the oracle) and `runsc`
// (BinaryName: the runsc under test), a busybox-static image and a pause
// image imported with `ctr image import` (there is no registry), and a
// shutdown that removes every container, stops containerd and then checks
// that nothing it started is left: processes, mounts, runtime state.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// criNamespace is the containerd namespace of the CRI plugin (fixed by
// containerd); ctrNamespace is the one the ctr tests use.
const (
	criNamespace = "k8s.io"
	ctrNamespace = "stockade"
)

// containerdDaemon is a containerd started by a test.
type containerdDaemon struct {
	dir         string // everything of this daemon lives under dir
	sock        string // containerd's gRPC socket (the CRI one too)
	ctr         string // the ctr client
	runsc       string // the runtime binary of the runsc handler
	snapshotter string
	image       string // the busybox image, in both namespaces
	pause       string // the pause image (the CRI sandbox image)
	cgroup      string // the parent cgroup of every container, e.g. /stk-ctd-123
	// cgroupParents are the pods' parent cgroups under cgroup: made by
	// the runtimes and left to their owner (kubelet), as runc leaves them.
	cgroupParents map[string]bool
	cmd           *exec.Cmd
	exited        chan struct{}
	log           string // containerd's log (shims log to it too)
}

// ctrResult is what one ctr call produced.
type ctrResult struct {
	stdout, stderr string
	code           int
}

func (r ctrResult) String() string {
	return fmt.Sprintf("exit %d, stdout %q, stderr %q", r.code, clip([]byte(r.stdout)), clip([]byte(r.stderr)))
}

// requireContainerd returns the paths of containerd and ctr, or skips.
func requireContainerd(t *testing.T) (containerd, ctr string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("containerd tests need root (they start their own containerd)")
	}
	var err error
	if containerd, err = exec.LookPath("containerd"); err != nil {
		t.Skip("containerd is not installed (apt-get install containerd)")
	}
	if ctr, err = exec.LookPath("ctr"); err != nil {
		t.Skip("ctr is not installed (apt-get install containerd)")
	}
	if _, err := exec.LookPath("containerd-shim-runc-v2"); err != nil {
		t.Skip("containerd-shim-runc-v2 is not installed (apt-get install containerd)")
	}
	if _, err := exec.LookPath("runc"); err != nil {
		t.Skip("runc is not installed: it is the oracle of the containerd tests")
	}
	return containerd, ctr
}

// runscBinary returns one executable for containerd's BinaryName: the
// runsc under test, or, when the sandbox under test is a command prefix
// with flags (STOCKADE_RUNSC) or STOCKADE_CONTAINERD_DEBUG is set, a
// script in dir that runs it with those flags. With
// STOCKADE_CONTAINERD_DEBUG the script also records every call, with
// its exit status and the --log file the shim passed, in
// dir/runsc-calls.log, and runsc's --debug-log in dir/runsc-debug.log
// (both shown by diag).
func runscBinary(t *testing.T, dir string) string {
	t.Helper()
	prefix := sandbox(t)
	debug := os.Getenv("STOCKADE_CONTAINERD_DEBUG") != ""
	if len(prefix) == 1 && !debug {
		return prefix[0]
	}
	argv := append([]string{}, prefix...)
	if debug {
		argv = append(argv, "--debug", "--debug-log="+filepath.Join(dir, "runsc-debug.log"))
	}
	var quoted []string
	for _, a := range argv {
		quoted = append(quoted, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
	}
	script := filepath.Join(dir, "runsc")
	body := "#!/bin/sh\nexec " + strings.Join(quoted, " ") + " \"$@\"\n"
	if debug {
		calls := filepath.Join(dir, "runsc-calls.log")
		body = "#!/bin/sh\n" +
			"echo \"== $*\" >> " + calls + "\n" +
			strings.Join(quoted, " ") + " \"$@\"\n" +
			"rc=$?\n" +
			"log=; prev=; for a in \"$@\"; do [ \"$prev\" = --log ] && log=$a; prev=$a; done\n" +
			"echo \"== exit $rc\" >> " + calls + "\n" +
			"[ -n \"$log\" ] && cat \"$log\" >> " + calls + "\n" +
			"exit $rc\n"
	}
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return script
}

// startContainerd starts a containerd of its own with the overlayfs
// snapshotter, or native if overlayfs does not work here, and imports the
// test images; it skips the test if containerd cannot start. Cleanup
// removes every container, stops containerd and reports leftovers.
func startContainerd(t *testing.T) *containerdDaemon {
	t.Helper()
	containerd, ctr := requireContainerd(t)
	// A short path: the daemon's unix sockets live under it.
	dir, err := os.MkdirTemp("", "stk-ctd-")
	if err != nil {
		t.Fatal(err)
	}
	tag := strconv.Itoa(os.Getpid())
	d := &containerdDaemon{
		dir:   dir,
		sock:  filepath.Join(dir, "containerd.sock"),
		ctr:   ctr,
		runsc: runscBinary(t, dir),
		image: "stockade.test/busybox:" + tag,
		pause: "stockade.test/pause:" + tag,
		log:   filepath.Join(dir, "containerd.log"),
		// The containers' cgroups live under one parent of this daemon's
		// (ctr --cgroup, the pods' cgroup_parent as kubelet sets it), so
		// that leftovers can be counted, and the parent removed.
		cgroup:        "/" + filepath.Base(dir),
		cgroupParents: map[string]bool{},
	}
	t.Cleanup(func() { d.stop(t) })
	var logs []string
	for _, snap := range []string{"overlayfs", "native"} {
		err := d.start(t, containerd, snap)
		if err == nil {
			return d
		}
		logs = append(logs, fmt.Sprintf("snapshotter %s: %v", snap, err))
	}
	t.Skipf("containerd cannot start here:\n%s", strings.Join(logs, "\n"))
	return nil
}

// config is containerd's config.toml: everything under d.dir, the CRI
// plugin with the runc and runsc handlers of the runc v2 shim (each with
// its own runtime root) and the imported pause image as sandbox image; no
// CNI (the tests' pods use the host's network).
func (d *containerdDaemon) config(snapshotter string) string {
	q := strconv.Quote
	p := func(name string) string { return q(filepath.Join(d.dir, name)) }
	return fmt.Sprintf(`version = 2
root = %s
state = %s
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = %s

[ttrpc]
  address = %s

[debug]
  level = "debug"

[plugins."io.containerd.internal.v1.opt"]
  path = %s

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = %s
  disable_apparmor = true
  enable_selinux = false
  disable_tcp_service = true
  # Without CAP_SYS_RESOURCE (some CI machines) a negative oom_score_adj
  # (the pause container asks for -998) fails; keep it at ours or above.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = %s
    conf_dir = %s

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = %s
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = %s
        Root = %s

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc.options]
        BinaryName = %s
        Root = %s
`, p("root"), p("state"), q(d.sock), q(d.sock+".ttrpc"), p("opt"), q(d.pause),
		p("cni/bin"), p("cni/net.d"), q(snapshotter),
		q(runcPath()), p("runc-root"), q(d.runsc), p("runsc-root"))
}

func runcPath() string {
	p, _ := exec.LookPath("runc")
	return p
}

// start runs containerd with the snapshotter, waits for its API and imports
// the test images; on failure containerd is stopped and its log returned.
func (d *containerdDaemon) start(t *testing.T, containerd, snapshotter string) error {
	t.Helper()
	d.snapshotter = snapshotter
	// A previous attempt's content and metadata are not reused.
	os.RemoveAll(filepath.Join(d.dir, "root"))
	os.RemoveAll(filepath.Join(d.dir, "state"))
	config := filepath.Join(d.dir, "config.toml")
	if err := os.WriteFile(config, []byte(d.config(snapshotter)), 0o644); err != nil {
		t.Fatal(err)
	}
	logF, err := os.OpenFile(d.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logF.Close()
	cmd := exec.Command(containerd, "--config", config)
	cmd.Stdout, cmd.Stderr = logF, logF
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	d.cmd, d.exited = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(d.exited) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-d.exited:
			d.cmd = nil
			d.cleanupHost(t)
			return fmt.Errorf("containerd exited: %s\n%s", cmd.ProcessState, d.logTail(1500))
		case <-time.After(200 * time.Millisecond):
		}
		if r := d.ctrCall(t, nil, "version"); r.code == 0 {
			if err := d.importImages(t); err != nil {
				d.shutdown(t)
				d.cleanupHost(t)
				return fmt.Errorf("importing the test images: %v", err)
			}
			return nil
		}
		if time.Now().After(deadline) {
			d.shutdown(t)
			d.cleanupHost(t)
			return fmt.Errorf("containerd did not answer within 60s\n%s", d.logTail(1500))
		}
	}
}

// logTail is the end of containerd's log, for failure messages.
func (d *containerdDaemon) logTail(n int) string {
	b, _ := os.ReadFile(d.log)
	return tail(b, n)
}

// diag is what a failure message shows: the end of containerd's log (the
// shims log there, with runsc's errors) and runsc's debug log if any.
func (d *containerdDaemon) diag() string {
	s := "containerd log (end):\n" + d.logTail(3000)
	if b, err := os.ReadFile(filepath.Join(d.dir, "runsc-debug.log")); err == nil {
		s += "\nrunsc --debug-log (end):\n" + tail(b, 3000)
	}
	if b, err := os.ReadFile(filepath.Join(d.dir, "runsc-calls.log")); err == nil {
		s += "\nrunsc calls (end):\n" + tail(b, 3000)
	}
	return s
}

// ctrCall runs ctr against the test's containerd with stdin (nil: none).
func (d *containerdDaemon) ctrCall(t *testing.T, stdin []byte, args ...string) ctrResult {
	t.Helper()
	cmd := exec.Command(d.ctr, append([]string{"--address", d.sock}, args...)...)
	cmd.Env = env
	var r ctrResult
	r.stdout, r.stderr, r.code = runTimed(t, cmd, stdin, d.diag)
	return r
}

// ctrNS runs `ctr -n ns args...`.
func (d *containerdDaemon) ctrNS(t *testing.T, ns string, args ...string) ctrResult {
	t.Helper()
	return d.ctrCall(t, nil, append([]string{"-n", ns}, args...)...)
}

// importImages imports the busybox image (both namespaces) and the pause
// image (the CRI namespace) as OCI archives, unpacked for the snapshotter.
func (d *containerdDaemon) importImages(t *testing.T) error {
	t.Helper()
	rootfs := busyboxTar(t)
	bb := ociArchive(t, ociImage{name: d.image, tag: strings.SplitN(d.image, ":", 2)[1], layer: rootfs, cmd: []string{"sh"}})
	// The pause image: busybox whose command sleeps until killed (the CRI
	// plugin stops a sandbox container with SIGKILL).
	pause := ociArchive(t, ociImage{name: d.pause, tag: strings.SplitN(d.pause, ":", 2)[1], layer: rootfs, cmd: []string{"sleep", "2147483647"}})
	for _, im := range []struct {
		ns   string
		data []byte
		name string
	}{{ctrNamespace, bb, d.image}, {criNamespace, bb, d.image}, {criNamespace, pause, d.pause}} {
		r := d.ctrCall(t, im.data, "-n", im.ns, "image", "import", "--snapshotter", d.snapshotter, "-")
		if r.code != 0 {
			return fmt.Errorf("ctr -n %s image import: %v", im.ns, r)
		}
		ls := d.ctrNS(t, im.ns, "image", "ls", "-q")
		if !strings.Contains(ls.stdout, im.name) {
			return fmt.Errorf("ctr image import did not create %s in namespace %s: import %v, image ls %v", im.name, im.ns, r, ls)
		}
	}
	return nil
}

// ours returns the processes this daemon started: those whose command line
// names d.dir (containerd, the shims, runsc's sandbox processes) and their
// descendants (the containers' processes under runc), containerd itself
// excluded unless withDaemon.
func (d *containerdDaemon) ours(withDaemon bool) map[int]string {
	type proc struct {
		ppid int
		cmd  string
	}
	procs := map[int]proc{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range stats {
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parens.
		i := bytes.LastIndexByte(b, ')')
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		cl, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
		procs[pid] = proc{ppid, strings.TrimSpace(strings.ReplaceAll(string(cl), "\x00", " "))}
	}
	out := map[int]string{}
	for pid, p := range procs {
		if strings.Contains(p.cmd, d.dir) && pid != os.Getpid() {
			out[pid] = p.cmd
		}
	}
	// Descendants, to a fixed point.
	for changed := true; changed; {
		changed = false
		for pid, p := range procs {
			if _, ok := out[pid]; !ok {
				if _, parent := out[p.ppid]; parent {
					out[pid] = p.cmd
					changed = true
				}
			}
		}
	}
	if !withDaemon && d.cmd != nil {
		delete(out, d.cmd.Process.Pid)
	}
	return out
}

// mounts returns the mount points under d.dir, deepest first.
func (d *containerdDaemon) mounts() []string {
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	var mounts []string
	for _, l := range strings.Split(string(mi), "\n") {
		f := strings.Fields(l)
		if len(f) > 4 && (f[4] == d.dir || strings.HasPrefix(f[4], d.dir+"/")) {
			mounts = append(mounts, f[4])
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(mounts)))
	return mounts
}

// runtimeState returns the containers the runtimes still hold state of:
// the entries of their roots (one directory per containerd namespace).
func (d *containerdDaemon) runtimeState() []string {
	var left []string
	for _, root := range []string{"runc-root", "runsc-root"} {
		nss, _ := os.ReadDir(filepath.Join(d.dir, root))
		for _, ns := range nss {
			ents, _ := os.ReadDir(filepath.Join(d.dir, root, ns.Name()))
			for _, e := range ents {
				left = append(left, filepath.Join(root, ns.Name(), e.Name()))
			}
		}
	}
	return left
}

// cgroupDirs returns the cgroups under d.cgroup in every hierarchy
// (d.cgroup's own directories excluded, and the pods' parents unless
// parents), deepest first.
func (d *containerdDaemon) cgroupDirs(parents bool) []string {
	var dirs []string
	hiers, _ := filepath.Glob("/sys/fs/cgroup/*")
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		hiers = []string{"/sys/fs/cgroup"} // cgroup v2: one hierarchy
	}
	for _, h := range hiers {
		root := filepath.Join(h, d.cgroup)
		filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
			if err == nil && e.IsDir() && p != root && (parents || !d.cgroupParents[strings.TrimPrefix(p, h)]) {
				dirs = append(dirs, p)
			}
			return nil
		})
	}
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	return dirs
}

// removeCgroups removes what is left under d.cgroup in every hierarchy,
// and d.cgroup itself; it returns the containers' cgroups that were left.
func (d *containerdDaemon) removeCgroups(t *testing.T) []string {
	left := d.cgroupDirs(false)
	hiers, _ := filepath.Glob("/sys/fs/cgroup/*")
	hiers = append(hiers, "/sys/fs/cgroup")
	var roots []string
	for _, h := range hiers {
		roots = append(roots, filepath.Join(h, d.cgroup))
	}
	for _, c := range append(d.cgroupDirs(true), roots...) {
		if err := os.Remove(c); err != nil && !os.IsNotExist(err) && !strings.HasSuffix(filepath.Dir(c), "/sys/fs/cgroup") {
			t.Logf("removing cgroup %s: %v", c, err)
		}
	}
	return left
}

// leaks describes what is left of the containers once all were removed
// through the API: processes besides containerd, mounts under the
// daemon's directory, runtime state, cgroups. Empty if nothing.
func (d *containerdDaemon) leaks() string {
	var s []string
	for pid, cmd := range d.ours(false) {
		s = append(s, fmt.Sprintf("process %d: %s", pid, cmd))
	}
	for _, m := range d.mounts() {
		s = append(s, "mount "+m)
	}
	for _, st := range d.runtimeState() {
		s = append(s, "runtime state "+st)
	}
	for _, c := range d.cgroupDirs(false) {
		s = append(s, "cgroup "+c)
	}
	sort.Strings(s)
	return strings.Join(s, "\n")
}

// waitNoLeaks waits until nothing is left of the removed containers (shims
// exit asynchronously) and fails the test with what is left otherwise.
func (d *containerdDaemon) waitNoLeaks(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		l := d.leaks()
		if l == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("left behind after every container was removed:\n%s", l)
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// removeAll kills and removes the tasks and containers of every namespace
// (the CRI plugin's included) through ctr.
func (d *containerdDaemon) removeAll(t *testing.T) {
	t.Helper()
	nss := d.ctrCall(t, nil, "namespaces", "ls", "-q")
	for _, ns := range strings.Fields(nss.stdout) {
		for _, id := range strings.Fields(d.ctrNS(t, ns, "tasks", "ls", "-q").stdout) {
			d.ctrNS(t, ns, "tasks", "kill", "-a", "-s", "SIGKILL", id)
			d.ctrNS(t, ns, "tasks", "rm", "-f", id)
		}
		for _, id := range strings.Fields(d.ctrNS(t, ns, "containers", "ls", "-q").stdout) {
			d.ctrNS(t, ns, "containers", "rm", id)
		}
	}
}

// shutdown removes every container and stops containerd (SIGTERM, then
// SIGKILL of its process group).
func (d *containerdDaemon) shutdown(t *testing.T) {
	if d.cmd == nil {
		return
	}
	d.removeAll(t)
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(30 * time.Second):
		t.Logf("containerd did not stop on SIGTERM; killing it")
		syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		<-d.exited
	}
	d.cmd = nil
}

// cleanupHost kills what is left of the daemon's processes and unmounts
// what is left mounted under d.dir; it returns what it had to clean.
func (d *containerdDaemon) cleanupHost(t *testing.T) string {
	var cleaned []string
	// The shims of removed containers exit by themselves, soon: give them
	// 10s before what is left counts as left behind and is killed.
	patience := time.Now().Add(10 * time.Second)
	for try := 0; try < 100; try++ {
		procs := d.ours(true)
		if len(procs) == 0 {
			break
		}
		if time.Now().After(patience) {
			for pid, cmd := range procs {
				cleaned = append(cleaned, fmt.Sprintf("process %d: %s", pid, cmd))
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	for _, m := range d.mounts() {
		cleaned = append(cleaned, "mount "+m)
		if err := unix.Unmount(m, unix.MNT_DETACH); err != nil && err != unix.EINVAL {
			t.Logf("unmount %s: %v", m, err)
		}
	}
	return strings.Join(cleaned, "\n")
}

// stop shuts the daemon down and removes its directory; anything that had
// to be killed or unmounted after containerd stopped is an error.
func (d *containerdDaemon) stop(t *testing.T) {
	if d.cmd == nil {
		d.cleanupHost(t)
		d.removeCgroups(t)
		os.RemoveAll(d.dir)
		return
	}
	d.shutdown(t)
	if left := d.cleanupHost(t); left != "" && !t.Skipped() {
		t.Errorf("left behind after containerd stopped:\n%s", left)
	}
	if st := d.runtimeState(); len(st) > 0 && !t.Skipped() {
		t.Errorf("runtime state left behind after containerd stopped: %v", st)
	}
	if cg := d.removeCgroups(t); len(cg) > 0 && !t.Skipped() {
		t.Errorf("cgroups left behind after containerd stopped: %v", cg)
	}
	if err := os.RemoveAll(d.dir); err != nil {
		t.Logf("removing %s: %v", d.dir, err)
	}
}
