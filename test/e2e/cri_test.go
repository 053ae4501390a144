package e2e

// CRI tests: the test drives containerd's CRI plugin as kubelet does, with
// the k8s.io/cri-api gRPC client on containerd's socket (crictl is not
// available here): a pod with runtime handler `runsc` (the handler a
// Kubernetes RuntimeClass names), two containers in it, ExecSync in each,
// their exit codes and logs, stop and removal; then the same pod with
// handler `runc`, whose results must be the same. The two containers of
// the runsc pod share one sentry. They need root, containerd and runc;
// otherwise they skip.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// criClient is a CRI client on a containerd's socket.
type criClient struct {
	d  *containerdDaemon
	rt runtimeapi.RuntimeServiceClient
	im runtimeapi.ImageServiceClient
}

// dialCRI connects to d's CRI plugin (the socket is containerd's own).
func dialCRI(t *testing.T, d *containerdDaemon) *criClient {
	t.Helper()
	conn, err := grpc.NewClient("unix://"+d.sock, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("grpc client on %s: %v", d.sock, err)
	}
	t.Cleanup(func() { conn.Close() })
	return &criClient{d: d, rt: runtimeapi.NewRuntimeServiceClient(conn), im: runtimeapi.NewImageServiceClient(conn)}
}

// ctx is a context for one CRI call.
func criCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	t.Cleanup(cancel)
	return ctx
}

// criContainer is one container of the test pod: its command, and what
// it must show.
type criContainer struct {
	name string
	env  string // the value of FOO
	exit int32  // the exit code of its command once told to stop
}

// criPodResult is what a pod produced, compared between handlers: the
// ExecSync results, the exit codes and the logs of its containers.
type criPodResult struct {
	execs []string
	exits []int32
	logs  []string
}

// criLogLine is the CRI log format: time, stream, tag (P or F), content.
var criLogLine = regexp.MustCompile(`^\S+ (stdout|stderr) [PF] (.*)$`)

// criLog reads a container's CRI log without the timestamps: its stdout
// lines, then its stderr lines (the order between the two streams is not
// deterministic: each has its own pipe).
func criLog(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("reading the container log: %v", err)
		return ""
	}
	var stdout, stderr, bad []string
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		m := criLogLine.FindStringSubmatch(l)
		switch {
		case m != nil && m[1] == "stdout":
			stdout = append(stdout, m[1]+" "+m[2])
		case m != nil:
			stderr = append(stderr, m[1]+" "+m[2])
		case l != "":
			bad = append(bad, "malformed: "+l)
		}
	}
	return strings.Join(append(append(stdout, stderr...), bad...), "\n")
}

// criPod is a pod sandbox started through the CRI.
type criPod struct {
	c       *criClient
	handler string
	id      string
	config  *runtimeapi.PodSandboxConfig
	cgroup  string // the pod's cgroup parent
	pid     runtimeapi.NamespaceMode
	removed bool
}

// startPod runs a pod sandbox with handler (host network, the containers'
// cgroups under a parent of the test's own) and checks that it is ready.
// Cleanup stops and removes it if the test did not.
func (c *criClient) startPod(t *testing.T, handler string) *criPod {
	t.Helper()
	return c.startPodPid(t, handler, runtimeapi.NamespaceMode_CONTAINER)
}

// startPodPid is startPod with the containers' pid namespace mode: POD
// (Kubernetes' shareProcessNamespace) or CONTAINER (the default).
func (c *criClient) startPodPid(t *testing.T, handler string, pid runtimeapi.NamespaceMode) *criPod {
	t.Helper()
	d := c.d
	logDir, err := os.MkdirTemp(d.dir, "pod-"+handler+"-")
	if err != nil {
		t.Fatal(err)
	}
	p := &criPod{c: c, handler: handler, pid: pid, cgroup: fmt.Sprintf("%s/pod-%s-%d", d.cgroup, handler, time.Now().UnixNano())}
	d.cgroupParents[p.cgroup] = true
	p.config = &runtimeapi.PodSandboxConfig{
		Metadata: &runtimeapi.PodSandboxMetadata{
			Name:      fmt.Sprintf("stk-pod-%s-%d", handler, os.Getpid()),
			Uid:       fmt.Sprintf("uid-%s-%d-%d", handler, os.Getpid(), time.Now().UnixNano()),
			Namespace: "default",
		},
		LogDirectory: logDir,
		Linux: &runtimeapi.LinuxPodSandboxConfig{
			// As kubelet's /kubepods/<qos>/pod<uid>: the pod's containers'
			// cgroups (linux.cgroupsPath) are <parent>/<container id>.
			CgroupParent: p.cgroup,
			SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
				NamespaceOptions: &runtimeapi.NamespaceOption{
					Network: runtimeapi.NamespaceMode_NODE,
					Pid:     pid,
					Ipc:     runtimeapi.NamespaceMode_POD,
				},
			},
		},
	}
	run, err := c.rt.RunPodSandbox(criCtx(t), &runtimeapi.RunPodSandboxRequest{Config: p.config, RuntimeHandler: handler})
	if err != nil {
		t.Fatalf("%s: RunPodSandbox: %v\n%s", handler, err, d.diag())
	}
	p.id = run.PodSandboxId
	t.Cleanup(func() {
		if !p.removed {
			c.rt.StopPodSandbox(context.Background(), &runtimeapi.StopPodSandboxRequest{PodSandboxId: p.id})
			c.rt.RemovePodSandbox(context.Background(), &runtimeapi.RemovePodSandboxRequest{PodSandboxId: p.id})
		}
	})
	st, err := c.rt.PodSandboxStatus(criCtx(t), &runtimeapi.PodSandboxStatusRequest{PodSandboxId: p.id})
	if err != nil || st.Status.State != runtimeapi.PodSandboxState_SANDBOX_READY || st.Status.RuntimeHandler != handler {
		t.Fatalf("%s: PodSandboxStatus: %v, %v (want ready, handler %s)", handler, st, err, handler)
	}
	return p
}

// startContainer creates and starts a container of the test image in the
// pod, running cmd with FOO=env, logging to <name>.log; it waits until it
// runs and returns its id.
func (p *criPod) startContainer(t *testing.T, name, env string, cmd ...string) string {
	t.Helper()
	c, d := p.c, p.c.d
	cr, err := c.rt.CreateContainer(criCtx(t), &runtimeapi.CreateContainerRequest{
		PodSandboxId: p.id,
		Config: &runtimeapi.ContainerConfig{
			Metadata: &runtimeapi.ContainerMetadata{Name: name},
			Image:    &runtimeapi.ImageSpec{Image: d.image},
			Command:  cmd,
			Envs:     []*runtimeapi.KeyValue{{Key: "FOO", Value: []byte(env)}},
			LogPath:  name + ".log",
			// As kubelet sets them: the container has a pid namespace of
			// its own unless the pod shares one.
			Linux: &runtimeapi.LinuxContainerConfig{SecurityContext: &runtimeapi.LinuxContainerSecurityContext{
				NamespaceOptions: &runtimeapi.NamespaceOption{
					Network: runtimeapi.NamespaceMode_NODE,
					Pid:     p.pid,
					Ipc:     runtimeapi.NamespaceMode_POD,
				},
			}},
		},
		SandboxConfig: p.config,
	})
	if err != nil {
		t.Fatalf("%s: CreateContainer %s: %v\n%s", p.handler, name, err, d.diag())
	}
	if _, err := c.rt.StartContainer(criCtx(t), &runtimeapi.StartContainerRequest{ContainerId: cr.ContainerId}); err != nil {
		t.Fatalf("%s: StartContainer %s: %v\n%s", p.handler, name, err, d.diag())
	}
	s := c.waitContainer(t, p.handler, cr.ContainerId, runtimeapi.ContainerState_CONTAINER_RUNNING)
	if s.Metadata.Name != name || s.ImageRef == "" {
		t.Errorf("%s: ContainerStatus of %s: %v", p.handler, name, s)
	}
	return cr.ContainerId
}

// checkRunning checks, while the containers ids run, what the host shows
// of the pod: processes the leak check finds, and the cgroups containerd
// asked for (linux.cgroupsPath <parent>/<id>).
func (p *criPod) checkRunning(t *testing.T, ids []string) {
	t.Helper()
	if len(p.c.d.ours(false)) == 0 {
		t.Errorf("%s: no process of the running pod is found by the leak check", p.handler)
	}
	// kubelet's stats: every container has CPU and memory figures (with
	// runsc, a pod container's are its sandbox's: one cgroup).
	for _, id := range ids {
		st, err := p.c.rt.ContainerStats(criCtx(t), &runtimeapi.ContainerStatsRequest{ContainerId: id})
		if err != nil || st.Stats == nil || st.Stats.Cpu == nil || st.Stats.Memory == nil {
			t.Errorf("%s: ContainerStats %s: %v, %v\n%s", p.handler, id, st, err, p.c.d.diag())
		}
	}
	// runsc makes the sandbox container's cgroup: one sentry runs the
	// whole pod, in that cgroup.
	withCgroup := append([]string{p.id}, ids...)
	if p.handler == "runsc" {
		withCgroup = withCgroup[:1]
	}
	for _, id := range withCgroup {
		if _, err := os.Stat(filepath.Join("/sys/fs/cgroup/pids", p.cgroup, id)); err != nil && cgroupV1() {
			t.Errorf("%s: the cgroup of %s is not under the pod's cgroup parent: %v", p.handler, id, err)
		}
	}
}

// remove removes the containers ids, stops and removes the pod, and
// checks that the CRI lists nothing left.
func (p *criPod) remove(t *testing.T, ids []string) {
	t.Helper()
	c, d, handler := p.c, p.c.d, p.handler
	for _, id := range ids {
		if _, err := c.rt.RemoveContainer(criCtx(t), &runtimeapi.RemoveContainerRequest{ContainerId: id}); err != nil {
			t.Errorf("%s: RemoveContainer: %v", handler, err)
		}
	}
	if _, err := c.rt.StopPodSandbox(criCtx(t), &runtimeapi.StopPodSandboxRequest{PodSandboxId: p.id}); err != nil {
		t.Fatalf("%s: StopPodSandbox: %v\n%s", handler, err, d.diag())
	}
	st, err := c.rt.PodSandboxStatus(criCtx(t), &runtimeapi.PodSandboxStatusRequest{PodSandboxId: p.id})
	if err != nil || st.Status.State != runtimeapi.PodSandboxState_SANDBOX_NOTREADY {
		t.Errorf("%s: PodSandboxStatus after StopPodSandbox: %v, %v (want not ready)", handler, st, err)
	}
	if _, err := c.rt.RemovePodSandbox(criCtx(t), &runtimeapi.RemovePodSandboxRequest{PodSandboxId: p.id}); err != nil {
		t.Fatalf("%s: RemovePodSandbox: %v\n%s", handler, err, d.diag())
	}
	p.removed = true
	pods, err := c.rt.ListPodSandbox(criCtx(t), &runtimeapi.ListPodSandboxRequest{})
	if err != nil || len(pods.Items) != 0 {
		t.Errorf("%s: ListPodSandbox after RemovePodSandbox: %v, %v (want none)", handler, pods, err)
	}
	cs, err := c.rt.ListContainers(criCtx(t), &runtimeapi.ListContainersRequest{})
	if err != nil || len(cs.Containers) != 0 {
		t.Errorf("%s: ListContainers after RemovePodSandbox: %v, %v (want none)", handler, cs, err)
	}
}

// runPod runs the test pod with handler: RunPodSandbox, CreateContainer
// and StartContainer of each container, ExecSync in each, the containers'
// exit (told by an ExecSync), their exit codes and logs, RemoveContainer,
// StopPodSandbox and RemovePodSandbox. shared, if not nil, is called with
// the pod's and the containers' ids while they run.
func (c *criClient) runPod(t *testing.T, handler string, ctrs []criContainer, shared func(pod string, ids []string)) criPodResult {
	t.Helper()
	d := c.d
	p := c.startPod(t, handler)
	var ids []string
	for _, ct := range ctrs {
		// The container runs until it gets SIGUSR1, then exits with its
		// code; /tmp/pid (its root is its own) names its shell once the
		// trap is set. The trap waits a little: the exec that sent the
		// signal must end before the init does, whose end kills every
		// process of the container.
		script := fmt.Sprintf(`trap "sleep 0.5; echo %s stopping; exit %d" USR1; echo %s started; echo to stderr >&2; sleep 1000 & echo $$ > /tmp/pid; wait $!`, ct.name, ct.exit, ct.name)
		ids = append(ids, p.startContainer(t, ct.name, ct.env, "sh", "-c", script))
	}
	p.checkRunning(t, ids)
	if shared != nil {
		shared(p.id, ids)
	}

	var res criPodResult
	for i, id := range ids {
		e, err := c.rt.ExecSync(criCtx(t), &runtimeapi.ExecSyncRequest{
			ContainerId: id,
			Cmd:         []string{"sh", "-c", "while [ ! -e /tmp/pid ]; do sleep 0.05; done; echo exec in $FOO; id; echo err >&2; ls /tmp; exit 4"},
			Timeout:     60,
		})
		if err != nil {
			t.Fatalf("%s: ExecSync in %s: %v\n%s", handler, ctrs[i].name, err, d.diag())
		}
		if e.ExitCode != 4 || !strings.HasPrefix(string(e.Stdout), "exec in "+ctrs[i].env+"\n") {
			t.Errorf("%s: ExecSync in %s: exit %d, stdout %q, stderr %q (want exit 4, \"exec in %s\")\n%s",
				handler, ctrs[i].name, e.ExitCode, e.Stdout, e.Stderr, ctrs[i].env, d.diag())
		}
		res.execs = append(res.execs, fmt.Sprintf("exit %d, stdout %q, stderr %q", e.ExitCode, e.Stdout, e.Stderr))
		// The container's own processes only: its pid namespace.
		res.execs = append(res.execs, c.ps(t, handler, id))
	}
	for i, id := range ids {
		e, err := c.rt.ExecSync(criCtx(t), &runtimeapi.ExecSyncRequest{ContainerId: id, Cmd: []string{"sh", "-c", "kill -USR1 $(cat /tmp/pid)"}, Timeout: 60})
		if err != nil || e.ExitCode != 0 {
			t.Fatalf("%s: ExecSync kill -USR1 in %s: %v, %v\n%s", handler, ctrs[i].name, e, err, d.diag())
		}
	}
	for i, id := range ids {
		s := c.waitContainer(t, handler, id, runtimeapi.ContainerState_CONTAINER_EXITED)
		if s.ExitCode != ctrs[i].exit {
			t.Errorf("%s: %s exited with %d, want %d\n%s", handler, ctrs[i].name, s.ExitCode, ctrs[i].exit, d.diag())
		}
		res.exits = append(res.exits, s.ExitCode)
		l := criLog(t, s.LogPath)
		want := fmt.Sprintf("stdout %s started\nstdout %s stopping\nstderr to stderr", ctrs[i].name, ctrs[i].name)
		if l != want {
			t.Errorf("%s: log of %s (%s):\n%s\nwant:\n%s", handler, ctrs[i].name, s.LogPath, l, want)
		}
		res.logs = append(res.logs, l)
	}
	p.remove(t, ids)
	return res
}

// stopPod runs the pod kubelet stops: a container whose shell traps
// SIGTERM and one whose init (sleep) ignores it, both stopped with
// StopContainer (SIGTERM, then SIGKILL after the timeout); it returns
// their exit codes and logs.
func (c *criClient) stopPod(t *testing.T, handler string) criPodResult {
	t.Helper()
	d := c.d
	p := c.startPod(t, handler)
	trap := p.startContainer(t, "trap", "x", "sh", "-c", `trap "echo got TERM; exit 42" TERM; echo ready; while true; do sleep 0.05; done`)
	sleeper := p.startContainer(t, "sleeper", "x", "sleep", "1000")
	ids := []string{trap, sleeper}
	p.checkRunning(t, ids)
	// The trap is set once "ready" is logged.
	deadline := time.Now().Add(30 * time.Second)
	for {
		s := c.waitContainer(t, handler, trap, runtimeapi.ContainerState_CONTAINER_RUNNING)
		if b, _ := os.ReadFile(s.LogPath); strings.Contains(string(b), "ready") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the trap container never logged ready\n%s", handler, d.diag())
		}
		time.Sleep(50 * time.Millisecond)
	}
	var res criPodResult
	for i, id := range ids {
		start := time.Now()
		if _, err := c.rt.StopContainer(criCtx(t), &runtimeapi.StopContainerRequest{ContainerId: id, Timeout: 2}); err != nil {
			t.Fatalf("%s: StopContainer: %v\n%s", handler, err, d.diag())
		}
		el := time.Since(start)
		s := c.waitContainer(t, handler, id, runtimeapi.ContainerState_CONTAINER_EXITED)
		want := []int32{42, 137}[i]
		if s.ExitCode != want {
			t.Errorf("%s: %s exited with %d after StopContainer, want %d\n%s", handler, s.Metadata.Name, s.ExitCode, want, d.diag())
		}
		if i == 0 && el > 10*time.Second {
			t.Errorf("%s: StopContainer of a SIGTERM-trapping container took %v: SIGTERM was not delivered", handler, el)
		}
		if i == 1 && el < 2*time.Second {
			t.Errorf("%s: StopContainer of a SIGTERM-ignoring init returned after %v, before its 2s timeout", handler, el)
		}
		res.exits = append(res.exits, s.ExitCode)
		res.logs = append(res.logs, criLog(t, s.LogPath))
	}
	p.remove(t, ids)
	return res
}

// ps is the output of `ps -o args` run by ExecSync in container id, its
// lines sorted.
func (c *criClient) ps(t *testing.T, handler, id string) string {
	t.Helper()
	e, err := c.rt.ExecSync(criCtx(t), &runtimeapi.ExecSyncRequest{ContainerId: id, Cmd: []string{"ps", "-o", "args"}, Timeout: 60})
	if err != nil {
		t.Fatalf("%s: ExecSync ps: %v\n%s", handler, err, c.d.diag())
	}
	lines := strings.Split(strings.TrimSpace(string(e.Stdout)), "\n")
	sort.Strings(lines)
	return fmt.Sprintf("ps: exit %d, stdout %q, stderr %q", e.ExitCode, strings.Join(lines, "\n"), e.Stderr)
}

// waitContainer polls ContainerStatus of id until its state is want.
func (c *criClient) waitContainer(t *testing.T, handler, id string, want runtimeapi.ContainerState) *runtimeapi.ContainerStatus {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r, err := c.rt.ContainerStatus(criCtx(t), &runtimeapi.ContainerStatusRequest{ContainerId: id})
		if err == nil && r.Status.State == want {
			return r.Status
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: container %s never %v: %v, %v\n%s", handler, id, want, r, err, c.d.diag())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sandboxPid is the pid the runsc state of container id (in the CRI
// namespace's runtime root) reports: the sandbox process's.
func (c *criClient) sandboxPid(t *testing.T, id string) int {
	t.Helper()
	rt := c.d.ctrRuntimes()[1]
	st := c.d.ociState(t, rt, criNamespace, id)
	if st == nil || st["status"] != "running" {
		t.Errorf("runsc state %s: %v (want running)", id, st)
		return 0
	}
	pid, _ := st["pid"].(float64)
	return int(pid)
}

// cgroupV1 reports whether the host has the cgroup v1 hierarchies.
func cgroupV1() bool {
	_, err := os.Stat("/sys/fs/cgroup/pids/cgroup.procs")
	return err == nil
}

func TestCRI(t *testing.T) {
	d := startContainerd(t)
	c := dialCRI(t, d)

	v, err := c.rt.Version(criCtx(t), &runtimeapi.VersionRequest{})
	if err != nil {
		t.Fatalf("CRI Version: %v\n%s", err, d.diag())
	}
	if v.RuntimeName != "containerd" || v.RuntimeApiVersion != "v1" {
		t.Errorf("CRI Version: %v (want containerd, API v1)", v)
	}
	// No registry: the images come from ctr image import, and the CRI
	// plugin knows them.
	for _, img := range []string{d.image, d.pause} {
		s, err := c.im.ImageStatus(criCtx(t), &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: img}})
		if err != nil || s.Image == nil {
			t.Fatalf("CRI ImageStatus %s: %v, %v (the imported image is unknown to the CRI plugin)\n%s", img, s, err, d.diag())
		}
	}

	ctrs := []criContainer{{"first", "one", 7}, {"second", "two", 8}}
	t.Run("one-container", func(t *testing.T) {
		var res []criPodResult
		for _, h := range []string{"runc", "runsc"} {
			var shared func(string, []string)
			if h == "runsc" {
				shared = func(pod string, ids []string) {
					// The pod's sandbox container started the sentry; the
					// container runs in it.
					if p, q := c.sandboxPid(t, pod), c.sandboxPid(t, ids[0]); p == 0 || p != q {
						t.Errorf("runsc state: the pod sandbox's pid is %d, its container's %d: not one sentry", p, q)
					}
				}
			}
			res = append(res, c.runPod(t, h, ctrs[:1], shared))
		}
		sameCRI(t, d, res[0], res[1])
	})
	t.Run("two-containers", func(t *testing.T) {
		var res []criPodResult
		for _, h := range []string{"runc", "runsc"} {
			var shared func(string, []string)
			if h == "runsc" {
				shared = func(pod string, ids []string) {
					p := c.sandboxPid(t, pod)
					for _, id := range ids {
						if q := c.sandboxPid(t, id); p == 0 || q != p {
							t.Errorf("runsc state: the pod sandbox's pid is %d, container %s's %d: the containers do not share one sentry", p, id, q)
						}
					}
				}
			}
			res = append(res, c.runPod(t, h, ctrs, shared))
		}
		sameCRI(t, d, res[0], res[1])
	})

	// shareProcessNamespace: the containers and the pause process see
	// each other.
	t.Run("shared-pid-namespace", func(t *testing.T) {
		var res []string
		for _, h := range []string{"runc", "runsc"} {
			p := c.startPodPid(t, h, runtimeapi.NamespaceMode_POD)
			a := p.startContainer(t, "a", "x", "sleep", "1000")
			b := p.startContainer(t, "b", "x", "sleep", "2000")
			r := c.ps(t, h, a)
			p.remove(t, []string{a, b})
			if !strings.Contains(r, `sleep 1000\nsleep 2000\nsleep 2147483647`) {
				t.Errorf("%s: ps in container a of a pod sharing its pid namespace: %s (want b's and pause's processes)", h, r)
			}
			res = append(res, r)
		}
		if res[0] != res[1] {
			t.Errorf("ps in a pod sharing its pid namespace differs:\nrunc:  %s\nrunsc: %s", res[0], res[1])
		}
	})
	t.Run("stop-container", func(t *testing.T) {
		var res []criPodResult
		for _, h := range []string{"runc", "runsc"} {
			res = append(res, c.stopPod(t, h))
		}
		sameCRI(t, d, res[0], res[1])
	})

	d.waitNoLeaks(t)
}

// sameCRI requires the runsc pod's results to be the runc pod's.
func sameCRI(t *testing.T, d *containerdDaemon, runc, runsc criPodResult) {
	t.Helper()
	if fmt.Sprint(runc) != fmt.Sprint(runsc) {
		t.Errorf("the pods' results differ:\nrunc:  %+v\nrunsc: %+v\n%s", runc, runsc, d.diag())
	}
}
