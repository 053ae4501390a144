package e2e

// Pods: a sandbox container and later containers of the same pod, marked
// with containerd's and CRI-O's annotations, share one sentry
// (runsc/cmd/create_subcontainer.go, boot_containers.go). The tests drive
// bin/runsc as containerd's runc shim does: `runsc create` run by a
// subreaper, which waits for the pid in --pid-file (the container's proxy
// process) and gets the container's exit status from it.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// subreaperEnv makes the test binary the subreaper helper (subreaperMain).
const subreaperEnv = "STOCKADE_POD_SUBREAPER"

func init() {
	if spec := os.Getenv(subreaperEnv); spec != "" {
		os.Exit(subreaperMain(spec))
	}
}

// subreaperJob is what the subreaper helper runs.
type subreaperJob struct {
	Argv    []string `json:"argv"`    // runsc ... create ...
	PidFile string   `json:"pidFile"` // create's --pid-file
	Stdio   string   `json:"stdio"`   // file for create's (the init's) stdout and stderr
}

// subreaperMain is the helper process: a subreaper (as containerd's shim
// is) that runs `runsc create`, prints "ready PID" with the pid of the
// pid file, then waits for that pid (its child once create exited) and
// prints "exit CODE" or "signal N" when it ends.
func subreaperMain(spec string) int {
	var job subreaperJob
	if err := json.Unmarshal([]byte(spec), &job); err != nil {
		fmt.Println("error", err)
		return 1
	}
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		fmt.Println("error", err)
		return 1
	}
	out, err := os.OpenFile(job.Stdio, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	cmd := exec.Command(job.Argv[0], job.Argv[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	err = cmd.Run()
	out.Close()
	if err != nil {
		fmt.Println("create-failed", cmd.ProcessState.ExitCode())
		return 0
	}
	b, err := os.ReadFile(job.PidFile)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		fmt.Println("error no pid in the pid file:", err)
		return 1
	}
	fmt.Println("ready", pid)
	for {
		var ws unix.WaitStatus
		got, err := unix.Wait4(-1, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			fmt.Println("error wait:", err)
			return 1
		}
		if got != pid {
			continue // another orphan (the gofer), reaped
		}
		if ws.Signaled() {
			fmt.Println("signal", int(ws.Signal()))
		} else {
			fmt.Println("exit", ws.ExitStatus())
		}
		return 0
	}
}

// podMember is a container created through the subreaper helper.
type podMember struct {
	id, stdio string
	proxyPid  int
	lines     chan string
	cmd       *exec.Cmd
}

// createUnderSubreaper runs `runsc create` of bundle as id under a
// subreaper helper and returns once create succeeded.
func createUnderSubreaper(t *testing.T, r ociRuntime, bundle, id string) *podMember {
	t.Helper()
	dir := t.TempDir()
	m := &podMember{id: id, stdio: filepath.Join(dir, "stdio"), lines: make(chan string, 4)}
	job := subreaperJob{
		Argv:    append(append(append([]string{}, r.argv...), "--root", r.root), "create", "--bundle", bundle, "--pid-file", filepath.Join(dir, "pid"), id),
		PidFile: filepath.Join(dir, "pid"),
		Stdio:   m.stdio,
	}
	spec, _ := json.Marshal(job)
	m.cmd = exec.Command(os.Args[0])
	m.cmd.Env = append(append([]string{}, env...), subreaperEnv+"="+string(spec))
	m.cmd.Stderr = os.Stderr
	stdout, err := m.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			m.lines <- sc.Text()
		}
		close(m.lines)
		m.cmd.Wait()
	}()
	t.Cleanup(func() {
		m.cmd.Process.Kill()
	})
	line := m.next(t)
	if !strings.HasPrefix(line, "ready ") {
		b, _ := os.ReadFile(m.stdio)
		t.Fatalf("create %s: %s; output %q", id, line, b)
	}
	m.proxyPid, _ = strconv.Atoi(strings.TrimPrefix(line, "ready "))
	return m
}

// next returns the helper's next line.
func (m *podMember) next(t *testing.T) string {
	t.Helper()
	select {
	case l, ok := <-m.lines:
		if !ok {
			return "helper ended"
		}
		return l
	case <-time.After(runTimeout):
		t.Fatalf("container %s: no word from the subreaper helper", m.id)
	}
	return ""
}

// output returns what the container's init wrote so far.
func (m *podMember) output() string {
	b, _ := os.ReadFile(m.stdio)
	return string(b)
}

// waitOutput waits until the init's output contains s.
func (m *podMember) waitOutput(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(m.output(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("container %s: output %q lacks %q", m.id, m.output(), s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runscOnly returns the runsc runtime of the OCI tests (root needed).
func runscOnly(t *testing.T) ociRuntime {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("pod tests need root (the gofer pivots into the rootfs)")
	}
	requireBusybox(t)
	return ociRuntime{name: "runsc", argv: sandbox(t), root: filepath.Join(t.TempDir(), "runsc-root")}
}

// podBundle is a busybox bundle running args, with a file /marker naming
// the bundle, annotated with ann.
func podBundle(t *testing.T, name string, ann map[string]string, args ...string) string {
	t.Helper()
	dir := ociBundle(t, args...)
	if err := os.WriteFile(filepath.Join(dir, "rootfs", "marker"), []byte(name+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rootfs", "only-"+name), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"hostname", "cat", "test"} {
		os.Symlink("busybox", filepath.Join(dir, "rootfs", "bin", a))
	}
	editConfig(t, dir, func(c map[string]any) {
		a := map[string]any{}
		for k, v := range ann {
			a[k] = v
		}
		c["annotations"] = a
		c["hostname"] = "host-" + name
	})
	return dir
}

// psPids returns the pids inside the sandbox (the PID column of `runsc
// ps`'s table) of id's processes.
func psPids(t *testing.T, r ociRuntime, id string) []int {
	t.Helper()
	res := r.call(t, "ps", id)
	if res.code != 0 {
		t.Fatalf("ps %s: %v", id, res)
	}
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "UID") {
		t.Fatalf("ps %s: no table in %q", id, res.stdout)
	}
	var pids []int
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		pid, err := strconv.Atoi(f[1])
		if err != nil {
			t.Fatalf("ps %s: bad line %q", id, l)
		}
		pids = append(pids, pid)
	}
	sort.Ints(pids)
	return pids
}

// TestPodContainers: a pod sandbox container and two later containers
// (containerd's annotations for one, CRI-O's for the other) share one
// sentry: the same sandbox pid in their state, the pod's hostname; each
// has its own root (its bundle's rootfs), its own processes (ps, exec),
// its own lifecycle (kill of one leaves the rest running), and its exit
// status reaches a subreaper through the pid of its pid file. Deleting
// everything leaves no state and no process.
func TestPodContainers(t *testing.T) {
	r := runscOnly(t)
	sbID := ociID(t, "pod")
	c1ID, c2ID := sbID+"-c1", sbID+"-c2"
	for _, id := range []string{c2ID, c1ID, sbID} {
		r.cleanup(t, id)
	}
	sbBundle := podBundle(t, "sb", map[string]string{"io.kubernetes.cri.container-type": "sandbox"}, "sleep", "1000")
	c1Bundle := podBundle(t, "c1", map[string]string{
		"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": sbID,
	}, "sh", "-c", "cat /marker; hostname; test -e /only-sb || echo no-sb-file; pwd; echo $PODVAR; id -u; ulimit -n; exec sleep 1000")
	// Its own process settings: cwd, env, user, rlimits.
	editConfig(t, c1Bundle, func(c map[string]any) {
		p := c["process"].(map[string]any)
		p["cwd"] = "/tmp"
		p["env"] = append(p["env"].([]any), "PODVAR=one")
		p["user"] = map[string]any{"uid": 1000, "gid": 1000}
		p["rlimits"] = []any{map[string]any{"type": "RLIMIT_NOFILE", "soft": 123, "hard": 456}}
	})
	c2Bundle := podBundle(t, "c2", map[string]string{
		"io.kubernetes.cri-o.ContainerType": "container", "io.kubernetes.cri-o.SandboxID": sbID,
	}, "sh", "-c", "trap 'echo bye; exit 7' TERM; cat /marker; while true; do sleep 0.1; done")

	sb := createUnderSubreaper(t, r, sbBundle, sbID)
	if res := r.call(t, "start", sbID); res.code != 0 {
		t.Fatalf("start %s: %v", sbID, res)
	}
	sbState := r.waitStatus(t, sbID, "running")
	sbPid := sbState["pid"].(float64)
	if float64(sb.proxyPid) != sbPid {
		t.Errorf("sandbox container: pid file %d, state pid %v", sb.proxyPid, sbPid)
	}

	c1 := createUnderSubreaper(t, r, c1Bundle, c1ID)
	c2 := createUnderSubreaper(t, r, c2Bundle, c2ID)
	for _, m := range []*podMember{c1, c2} {
		st := r.state(t, m.id)
		if st == nil || st["status"] != "created" || st["pid"].(float64) != sbPid {
			t.Fatalf("state of %s after create: %v; want created in sandbox pid %v", m.id, st, sbPid)
		}
		if m.proxyPid == int(sbPid) || unix.Kill(m.proxyPid, 0) != nil {
			t.Errorf("%s: the pid file's pid %d is not a live proxy process", m.id, m.proxyPid)
		}
		if res := r.call(t, "start", m.id); res.code != 0 {
			t.Fatalf("start %s: %v", m.id, res)
		}
		r.waitStatus(t, m.id, "running")
	}
	// Each sees its own root; the hostname is the pod's (the sandbox
	// container's), not the later container's own.
	c1.waitOutput(t, "c1\nhost-sb\nno-sb-file\n/tmp\none\n1000\n123\n")
	c2.waitOutput(t, "c2\n")

	// exec runs in the container's root; ps lists its processes only.
	if res := r.call(t, "exec", c1ID, "cat", "/marker"); res.code != 0 || res.stdout != "c1\n" {
		t.Errorf("exec cat /marker in %s: %v", c1ID, res)
	}
	if res := r.call(t, "exec", c2ID, "sh", "-c", "cat /marker; test -e /only-c1 || echo no-c1-file"); res.code != 0 || res.stdout != "c2\nno-c1-file\n" {
		t.Errorf("exec in %s: %v", c2ID, res)
	}
	if res := r.call(t, "exec", c1ID, "sh", "-c", "exit 3"); res.code != 3 {
		t.Errorf("exec exit 3 in %s: %v", c1ID, res)
	}
	// A detached exec with --process, as containerd's shim runs it.
	procFile := filepath.Join(t.TempDir(), "process.json")
	pb, _ := json.Marshal(map[string]any{"args": []string{"sh", "-c", "exit 5"}, "cwd": "/", "env": []string{"PATH=/bin"}, "user": map[string]any{"uid": 0, "gid": 0}})
	os.WriteFile(procFile, pb, 0o644)
	execPidFile := filepath.Join(t.TempDir(), "exec.pid")
	if res := r.call(t, "exec", "--process", procFile, "--detach", "--pid-file", execPidFile, c2ID); res.code != 0 {
		t.Errorf("exec --detach in %s: %v", c2ID, res)
	}
	p1, p2, ps := psPids(t, r, c1ID), psPids(t, r, c2ID), psPids(t, r, sbID)
	if len(p1) != 1 || len(p2) < 1 || len(ps) != 1 {
		t.Errorf("ps: %s %v, %s %v, %s %v; want one process each (c2: its loop's sleeps may add)", c1ID, p1, c2ID, p2, sbID, ps)
	}
	for _, a := range p1 {
		for _, b := range append(append([]int{}, p2...), ps...) {
			if a == b {
				t.Errorf("pid %d is listed by ps of two containers", a)
			}
		}
	}

	// A container names only its own processes, as with a pid namespace
	// of its own: kill(2) and /proc do not reach the sandbox container's.
	script := fmt.Sprintf("kill -0 %d && echo own; kill -0 %d || echo no-kill; test -e /proc/%d || echo no-proc; test -e /proc/%d && echo own-proc", p1[0], ps[0], ps[0], p1[0])
	if res := r.call(t, "exec", c1ID, "sh", "-c", script); res.stdout != "own\nno-kill\nno-proc\nown-proc\n" {
		t.Errorf("naming processes from %s: %v", c1ID, res)
	}
	if res := r.call(t, "exec", sbID, "sh", "-c", fmt.Sprintf("kill -0 %d || echo no-kill", p1[0])); res.stdout != "no-kill\n" {
		t.Errorf("naming %s's init from %s: %v", c1ID, sbID, res)
	}

	// kill(-1) inside c1 reaches c1's processes but not its init (the
	// init of its pid namespace) nor the other containers'.
	if res := r.call(t, "exec", c1ID, "sh", "-c", "sleep 100 & kill -9 -1; wait; echo done"); res.code != 0 || res.stdout != "done\n" {
		t.Errorf("kill -9 -1 in %s: %v", c1ID, res)
	}
	for _, id := range []string{c1ID, c2ID, sbID} {
		if st := r.state(t, id); st == nil || st["status"] != "running" {
			t.Errorf("after kill -9 -1 in %s, %s: %v; want running", c1ID, id, st)
		}
	}
	if got := psPids(t, r, sbID); len(got) != 1 || got[0] != ps[0] {
		t.Errorf("after kill -9 -1 in %s, ps %s: %v, want %v", c1ID, sbID, got, ps)
	}

	// kill of one container leaves the others running; its status
	// reaches the subreaper through the proxy.
	if res := r.call(t, "kill", c1ID, "KILL"); res.code != 0 {
		t.Fatalf("kill %s: %v", c1ID, res)
	}
	if got := c1.next(t); got != "exit 137" {
		t.Errorf("%s killed: the subreaper saw %q, want exit 137", c1ID, got)
	}
	if st := r.waitStatus(t, c1ID, "stopped"); st["pid"].(float64) != 0 {
		t.Errorf("stopped %s: pid %v", c1ID, st["pid"])
	}
	for _, id := range []string{c2ID, sbID} {
		if st := r.state(t, id); st == nil || st["status"] != "running" {
			t.Errorf("after kill of %s, %s: %v; want running", c1ID, id, st)
		}
	}
	if res := r.call(t, "exec", c1ID, "true"); res.code == 0 {
		t.Errorf("exec in the stopped %s succeeded", c1ID)
	}
	if res := r.call(t, "delete", c1ID); res.code != 0 {
		t.Fatalf("delete %s: %v", c1ID, res)
	}
	if res := r.call(t, "exec", c2ID, "cat", "/marker"); res.code != 0 || res.stdout != "c2\n" {
		t.Errorf("exec in %s after %s was deleted: %v", c2ID, c1ID, res)
	}
	// kill --all reaches c2's processes only; SIGTERM reaches its init's
	// handler: exit 7.
	if res := r.call(t, "kill", "--all", c2ID, "TERM"); res.code != 0 {
		t.Fatalf("kill %s: %v", c2ID, res)
	}
	if got := c2.next(t); got != "exit 7" {
		t.Errorf("%s: the subreaper saw %q, want exit 7", c2ID, got)
	}
	c2.waitOutput(t, "bye\n")
	r.waitStatus(t, c2ID, "stopped")
	if st := r.state(t, sbID); st == nil || st["status"] != "running" {
		t.Errorf("sandbox after its containers stopped: %v", st)
	}
	if res := r.call(t, "delete", c2ID); res.code != 0 {
		t.Fatalf("delete %s: %v", c2ID, res)
	}
	if res := r.call(t, "delete", "--force", sbID); res.code != 0 {
		t.Fatalf("delete --force %s: %v", sbID, res)
	}
	if got := sb.next(t); got != "signal 9" {
		t.Errorf("the sandbox process: the subreaper saw %q, want signal 9", got)
	}
	if dirs, procs := r.leftovers(t); len(dirs) != 0 || procs != 0 {
		t.Errorf("left state %v and %d processes", dirs, procs)
	}
}

// TestPodDeleteForce: delete --force of a running later container ends
// it alone (the proxy reports SIGKILL's 137) and leaves the pod running;
// deleting the pod sandbox container ends the sentry, after which the
// rest of the pod reads stopped and deletes cleanly.
func TestPodDeleteForce(t *testing.T) {
	r := runscOnly(t)
	sbID := ociID(t, "podf")
	c1ID, c2ID := sbID+"-c1", sbID+"-c2"
	for _, id := range []string{c2ID, c1ID, sbID} {
		r.cleanup(t, id)
	}
	ann := map[string]string{"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": sbID}
	sbBundle := podBundle(t, "sb", map[string]string{"io.kubernetes.cri.container-type": "sandbox"}, "sleep", "1000")
	c1Bundle := podBundle(t, "c1", ann, "sleep", "1000")
	c2Bundle := podBundle(t, "c2", ann, "sleep", "1000")
	if res := r.call(t, "create", "--bundle", sbBundle, sbID); res.code != 0 {
		t.Fatalf("create %s: %v", sbID, res)
	}
	if res := r.call(t, "start", sbID); res.code != 0 {
		t.Fatalf("start %s: %v", sbID, res)
	}
	// A container whose program is missing fails create, as with runc,
	// and leaves nothing behind (no state, no gofer, no proxy).
	_, before := r.leftovers(t)
	badID := sbID + "-bad"
	badBundle := podBundle(t, "bad", ann, "nosuchprogram")
	if res := r.call(t, "create", "--bundle", badBundle, badID); res.code != 1 || !strings.Contains(res.stderr, `exec: "nosuchprogram": executable file not found in $PATH`) {
		t.Errorf("create of a pod container with a missing program: %v", res)
	}
	if dirs, procs := r.leftovers(t); len(dirs) != 1 || dirs[0] != sbID || procs != before {
		t.Errorf("after a failed create: state %v and %d processes; want the sandbox's only (%d processes)", dirs, procs, before)
	}
	c1 := createUnderSubreaper(t, r, c1Bundle, c1ID)
	c2 := createUnderSubreaper(t, r, c2Bundle, c2ID)
	if res := r.call(t, "start", c1ID); res.code != 0 {
		t.Fatalf("start %s: %v", c1ID, res)
	}
	r.waitStatus(t, c1ID, "running")
	if res := r.call(t, "delete", c1ID); res.code != 1 {
		t.Errorf("delete of the running %s: %v; want exit 1", c1ID, res)
	}
	if res := r.call(t, "delete", "--force", c1ID); res.code != 0 {
		t.Fatalf("delete --force %s: %v", c1ID, res)
	}
	if got := c1.next(t); got != "exit 137" {
		t.Errorf("%s deleted: the subreaper saw %q, want exit 137", c1ID, got)
	}
	if st := r.state(t, c2ID); st == nil || st["status"] != "created" {
		t.Errorf("%s after delete of %s: %v; want created", c2ID, c1ID, st)
	}
	if res := r.call(t, "delete", "--force", sbID); res.code != 0 {
		t.Fatalf("delete --force %s: %v", sbID, res)
	}
	// The proxy exits 137 when the sandbox is gone, unless the removal of
	// the sandbox's cgroup (which it joined) kills it first: either is
	// 137 to the shim.
	if got := c2.next(t); got != "exit 137" && got != "signal 9" {
		t.Errorf("%s after the sandbox ended: the subreaper saw %q, want exit 137 or signal 9", c2ID, got)
	}
	if st := r.state(t, c2ID); st == nil || st["status"] != "stopped" {
		t.Errorf("%s after the sandbox ended: %v; want stopped", c2ID, st)
	}
	if res := r.call(t, "delete", c2ID); res.code != 0 {
		t.Fatalf("delete %s: %v", c2ID, res)
	}
	if dirs, procs := r.leftovers(t); len(dirs) != 0 || procs != 0 {
		t.Errorf("left state %v and %d processes", dirs, procs)
	}
}

// TestPodUnknownSandbox: a later container whose sandbox does not run
// under --root fails create with one line and leaves nothing behind.
func TestPodUnknownSandbox(t *testing.T) {
	r := runscOnly(t)
	id := ociID(t, "podnosb")
	r.cleanup(t, id)
	bundle := podBundle(t, "c", map[string]string{
		"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": "nosuch-" + id,
	}, "true")
	res := r.call(t, "create", "--bundle", bundle, id)
	if res.code != 1 || strings.Count(res.stderr, "\n") != 1 || !strings.Contains(res.stderr, "nosuch-"+id) {
		t.Errorf("create with an unknown sandbox: %v; want exit 1 and one line naming it", res)
	}
	if dirs, procs := r.leftovers(t); len(dirs) != 0 || procs != 0 {
		t.Errorf("left state %v and %d processes", dirs, procs)
	}
}

// consoleReceiver listens on a new console socket and returns its path
// and the pty master that arrives on it (nil if none does).
func consoleReceiver(t *testing.T) (string, <-chan *os.File) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "console.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan *os.File, 1)
	go func() {
		defer l.Close()
		l.SetDeadline(time.Now().Add(runTimeout))
		c, err := l.AcceptUnix()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		oob := make([]byte, unix.CmsgSpace(4))
		_, oobn, _, _, err := c.ReadMsgUnix(make([]byte, 4096), oob)
		var fds []int
		if msgs, perr := unix.ParseSocketControlMessage(oob[:oobn]); err == nil && perr == nil && len(msgs) == 1 {
			fds, _ = unix.ParseUnixRights(&msgs[0])
		}
		if len(fds) != 1 {
			got <- nil
			return
		}
		got <- os.NewFile(uintptr(fds[0]), "console")
	}()
	return sock, got
}

// TestPodTerminal: a later container with terminal: true gets a pty whose
// master reaches --console-socket, as the first container's does.
func TestPodTerminal(t *testing.T) {
	r := runscOnly(t)
	sbID := ociID(t, "podtty")
	cID := sbID + "-c"
	for _, id := range []string{cID, sbID} {
		r.cleanup(t, id)
	}
	sbBundle := podBundle(t, "sb", map[string]string{"io.kubernetes.cri.container-type": "sandbox"}, "sleep", "1000")
	cBundle := podBundle(t, "c", map[string]string{
		"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": sbID,
	}, "sh", "-c", "test -t 0 && test -t 1 && echo tty-ok")
	editConfig(t, cBundle, func(c map[string]any) { c["process"].(map[string]any)["terminal"] = true })
	if res := r.call(t, "create", "--bundle", sbBundle, sbID); res.code != 0 {
		t.Fatalf("create %s: %v", sbID, res)
	}
	if res := r.call(t, "start", sbID); res.code != 0 {
		t.Fatalf("start %s: %v", sbID, res)
	}
	if res := r.call(t, "create", "--bundle", cBundle, cID); res.code != 1 || !strings.Contains(res.stderr, "console socket") {
		t.Errorf("create of a terminal container without --console-socket: %v; want exit 1", res)
	}
	sock, got := consoleReceiver(t)
	if res := r.call(t, "create", "--bundle", cBundle, "--console-socket", sock, cID); res.code != 0 {
		t.Fatalf("create %s: %v", cID, res)
	}
	master := <-got
	if master == nil {
		t.Fatal("no pty master on the console socket")
	}
	defer master.Close()
	if res := r.call(t, "start", cID); res.code != 0 {
		t.Fatalf("start %s: %v", cID, res)
	}
	out := make(chan string, 1)
	go func() {
		var b []byte
		buf := make([]byte, 1024)
		for !strings.Contains(string(b), "tty-ok") {
			n, err := master.Read(buf)
			b = append(b, buf[:n]...)
			if err != nil {
				break
			}
		}
		out <- string(b)
	}()
	select {
	case s := <-out:
		if !strings.Contains(s, "tty-ok") {
			t.Errorf("console output %q; want tty-ok", s)
		}
	case <-time.After(20 * time.Second):
		t.Error("no output on the console")
	}
	r.waitStatus(t, cID, "stopped")
	for _, id := range []string{cID, sbID} {
		if res := r.call(t, "delete", "--force", id); res.code != 0 {
			t.Errorf("delete %s: %v", id, res)
		}
	}
	if dirs, procs := r.leftovers(t); len(dirs) != 0 || procs != 0 {
		t.Errorf("left state %v and %d processes", dirs, procs)
	}
}

// TestPodPaused: pausing the sandbox container pauses the whole pod (its
// containers read paused); one pod container cannot be paused alone; a
// pod container deleted while the pod is paused is destroyed once the pod
// is resumed, and the rest of the pod runs on.
func TestPodPaused(t *testing.T) {
	r := runscOnly(t)
	sbID := ociID(t, "podp")
	cID := sbID + "-c"
	for _, id := range []string{cID, sbID} {
		r.cleanup(t, id)
	}
	sbBundle := podBundle(t, "sb", map[string]string{"io.kubernetes.cri.container-type": "sandbox"}, "sleep", "1000")
	cBundle := podBundle(t, "c", map[string]string{
		"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": sbID,
	}, "sleep", "1000")
	var sandboxOnly int // the sandbox's own processes (sentry, gofer)
	for _, c := range []struct{ id, bundle string }{{sbID, sbBundle}, {cID, cBundle}} {
		if c.id == cID {
			_, sandboxOnly = r.leftovers(t)
		}
		if res := r.call(t, "create", "--bundle", c.bundle, c.id); res.code != 0 {
			t.Fatalf("create %s: %v", c.id, res)
		}
		if res := r.call(t, "start", c.id); res.code != 0 {
			t.Fatalf("start %s: %v", c.id, res)
		}
	}
	if res := r.call(t, "pause", sbID); res.code != 0 {
		t.Skipf("pause needs a cgroup here: %v", res)
	}
	if st := r.state(t, cID); st == nil || st["status"] != "paused" {
		t.Errorf("%s in a paused pod: %v; want paused", cID, st)
	}
	if res := r.call(t, "pause", cID); res.code != 1 || !strings.Contains(res.stderr, sbID) {
		t.Errorf("pause of one pod container: %v; want exit 1 naming the sandbox container", res)
	}
	start := time.Now()
	if res := r.call(t, "delete", "--force", cID); res.code != 0 {
		t.Errorf("delete --force %s in a paused pod: %v", cID, res)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("delete in a paused pod took %v", d)
	}
	if res := r.call(t, "resume", sbID); res.code != 0 {
		t.Fatalf("resume %s: %v", sbID, res)
	}
	r.waitStatus(t, sbID, "running")
	deadline := time.Now().Add(10 * time.Second)
	for {
		dirs, procs := r.leftovers(t)
		if len(dirs) == 1 && dirs[0] == sbID && procs == sandboxOnly {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after resume: state %v, %d processes", dirs, procs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if res := r.call(t, "delete", "--force", sbID); res.code != 0 {
		t.Fatalf("delete %s: %v", sbID, res)
	}
	if dirs, procs := r.leftovers(t); len(dirs) != 0 || procs != 0 {
		t.Errorf("left state %v and %d processes", dirs, procs)
	}
}

// TestPodSharedPIDs: a pod container whose spec joins the sandbox's pid
// namespace (Kubernetes' shareProcessNamespace: a pid namespace with a
// path) sees and signals the sandbox container's processes, and its init is
// an ordinary process of that namespace (SIGTERM without a handler ends
// it); ps still lists each container's own processes.
func TestPodSharedPIDs(t *testing.T) {
	r := runscOnly(t)
	sbID := ociID(t, "podsh")
	cID := sbID + "-c"
	for _, id := range []string{cID, sbID} {
		r.cleanup(t, id)
	}
	sbBundle := podBundle(t, "sb", map[string]string{"io.kubernetes.cri.container-type": "sandbox"}, "sleep", "1000")
	cBundle := podBundle(t, "c", map[string]string{
		"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": sbID,
	}, "sleep", "1000")
	if res := r.call(t, "create", "--bundle", sbBundle, sbID); res.code != 0 {
		t.Fatalf("create %s: %v", sbID, res)
	}
	if res := r.call(t, "start", sbID); res.code != 0 {
		t.Fatalf("start %s: %v", sbID, res)
	}
	sbPid := int(r.waitStatus(t, sbID, "running")["pid"].(float64))
	editConfig(t, cBundle, func(c map[string]any) {
		linux := c["linux"].(map[string]any)
		nss := linux["namespaces"].([]any)
		for _, ns := range nss {
			if m := ns.(map[string]any); m["type"] == "pid" {
				m["path"] = fmt.Sprintf("/proc/%d/ns/pid", sbPid)
			}
		}
	})
	c := createUnderSubreaper(t, r, cBundle, cID)
	if res := r.call(t, "start", cID); res.code != 0 {
		t.Fatalf("start %s: %v", cID, res)
	}
	r.waitStatus(t, cID, "running")
	sbInit, cInit := psPids(t, r, sbID), psPids(t, r, cID)
	if len(sbInit) != 1 || len(cInit) != 1 {
		t.Fatalf("ps: %s %v, %s %v; want one process each", sbID, sbInit, cID, cInit)
	}
	script := fmt.Sprintf("kill -0 %d && echo sees-sandbox; test -e /proc/%d && echo proc-sandbox", sbInit[0], sbInit[0])
	if res := r.call(t, "exec", cID, "sh", "-c", script); res.stdout != "sees-sandbox\nproc-sandbox\n" {
		t.Errorf("naming the sandbox's init from %s: %v", cID, res)
	}
	if res := r.call(t, "kill", cID, "TERM"); res.code != 0 {
		t.Fatalf("kill %s: %v", cID, res)
	}
	if got := c.next(t); got != "exit 143" {
		t.Errorf("%s's init after SIGTERM: the subreaper saw %q, want exit 143", cID, got)
	}
	if st := r.state(t, sbID); st == nil || st["status"] != "running" {
		t.Errorf("the sandbox container: %v; want running", st)
	}
	for _, id := range []string{cID, sbID} {
		if res := r.call(t, "delete", "--force", id); res.code != 0 {
			t.Errorf("delete %s: %v", id, res)
		}
	}
	if dirs, procs := r.leftovers(t); len(dirs) != 0 || procs != 0 {
		t.Errorf("left state %v and %d processes", dirs, procs)
	}
}
