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
	"regexp"
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

// runPod runs the test pod with handler: RunPodSandbox (host network),
// CreateContainer and StartContainer of each container, ExecSync in each,
// the containers' exit, StopPodSandbox and RemovePodSandbox. shared, if
// not nil, is called with the pod's and the containers' ids while they run.
func (c *criClient) runPod(t *testing.T, handler string, ctrs []criContainer, shared func(pod string, ids []string)) criPodResult {
	t.Helper()
	d := c.d
	logDir, err := os.MkdirTemp(d.dir, "pod-"+handler+"-")
	if err != nil {
		t.Fatal(err)
	}
	podConfig := &runtimeapi.PodSandboxConfig{
		Metadata: &runtimeapi.PodSandboxMetadata{
			Name:      fmt.Sprintf("stk-pod-%s-%d", handler, os.Getpid()),
			Uid:       fmt.Sprintf("uid-%s-%d-%d", handler, os.Getpid(), time.Now().UnixNano()),
			Namespace: "default",
		},
		LogDirectory: logDir,
		Linux: &runtimeapi.LinuxPodSandboxConfig{
			SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{
				NamespaceOptions: &runtimeapi.NamespaceOption{
					Network: runtimeapi.NamespaceMode_NODE,
					Pid:     runtimeapi.NamespaceMode_CONTAINER,
					Ipc:     runtimeapi.NamespaceMode_POD,
				},
			},
		},
	}
	run, err := c.rt.RunPodSandbox(criCtx(t), &runtimeapi.RunPodSandboxRequest{Config: podConfig, RuntimeHandler: handler})
	if err != nil {
		t.Fatalf("%s: RunPodSandbox: %v\n%s", handler, err, d.diag())
	}
	pod := run.PodSandboxId
	removed := false
	t.Cleanup(func() {
		if !removed {
			c.rt.StopPodSandbox(context.Background(), &runtimeapi.StopPodSandboxRequest{PodSandboxId: pod})
			c.rt.RemovePodSandbox(context.Background(), &runtimeapi.RemovePodSandboxRequest{PodSandboxId: pod})
		}
	})
	st, err := c.rt.PodSandboxStatus(criCtx(t), &runtimeapi.PodSandboxStatusRequest{PodSandboxId: pod})
	if err != nil || st.Status.State != runtimeapi.PodSandboxState_SANDBOX_READY || st.Status.RuntimeHandler != handler {
		t.Fatalf("%s: PodSandboxStatus: %v, %v (want ready, handler %s)", handler, st, err, handler)
	}

	var ids []string
	for _, ct := range ctrs {
		// The container runs until /tmp/stop exists (its root is its own),
		// then exits with its code.
		script := fmt.Sprintf(`echo %s started; echo to stderr >&2; while [ ! -e /tmp/stop ]; do sleep 0.05; done; echo %s stopping; exit %d`, ct.name, ct.name, ct.exit)
		cr, err := c.rt.CreateContainer(criCtx(t), &runtimeapi.CreateContainerRequest{
			PodSandboxId: pod,
			Config: &runtimeapi.ContainerConfig{
				Metadata: &runtimeapi.ContainerMetadata{Name: ct.name},
				Image:    &runtimeapi.ImageSpec{Image: d.image},
				Command:  []string{"sh", "-c", script},
				Envs:     []*runtimeapi.KeyValue{{Key: "FOO", Value: []byte(ct.env)}},
				LogPath:  ct.name + ".log",
				Linux:    &runtimeapi.LinuxContainerConfig{},
			},
			SandboxConfig: podConfig,
		})
		if err != nil {
			t.Fatalf("%s: CreateContainer %s: %v\n%s", handler, ct.name, err, d.diag())
		}
		if _, err := c.rt.StartContainer(criCtx(t), &runtimeapi.StartContainerRequest{ContainerId: cr.ContainerId}); err != nil {
			t.Fatalf("%s: StartContainer %s: %v\n%s", handler, ct.name, err, d.diag())
		}
		ids = append(ids, cr.ContainerId)
	}
	for i, id := range ids {
		s := c.waitContainer(t, handler, id, runtimeapi.ContainerState_CONTAINER_RUNNING)
		if s.Metadata.Name != ctrs[i].name || s.ImageRef == "" {
			t.Errorf("%s: ContainerStatus of %s: %v", handler, ctrs[i].name, s)
		}
	}
	// The leak check at the end sees the running pod's processes (shim,
	// sandbox, containers): it would see them if they were left behind.
	if len(d.ours(false)) == 0 {
		t.Errorf("%s: no process of the running pod is found by the leak check", handler)
	}
	if shared != nil {
		shared(pod, ids)
	}

	var res criPodResult
	for i, id := range ids {
		e, err := c.rt.ExecSync(criCtx(t), &runtimeapi.ExecSyncRequest{
			ContainerId: id,
			Cmd:         []string{"sh", "-c", "echo exec in $FOO; id; echo err >&2; ls /tmp; exit 4"},
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
	}
	for i, id := range ids {
		e, err := c.rt.ExecSync(criCtx(t), &runtimeapi.ExecSyncRequest{ContainerId: id, Cmd: []string{"touch", "/tmp/stop"}, Timeout: 60})
		if err != nil || e.ExitCode != 0 {
			t.Fatalf("%s: ExecSync touch /tmp/stop in %s: %v, %v\n%s", handler, ctrs[i].name, e, err, d.diag())
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

	for _, id := range ids {
		if _, err := c.rt.RemoveContainer(criCtx(t), &runtimeapi.RemoveContainerRequest{ContainerId: id}); err != nil {
			t.Errorf("%s: RemoveContainer: %v", handler, err)
		}
	}
	if _, err := c.rt.StopPodSandbox(criCtx(t), &runtimeapi.StopPodSandboxRequest{PodSandboxId: pod}); err != nil {
		t.Fatalf("%s: StopPodSandbox: %v\n%s", handler, err, d.diag())
	}
	st, err = c.rt.PodSandboxStatus(criCtx(t), &runtimeapi.PodSandboxStatusRequest{PodSandboxId: pod})
	if err != nil || st.Status.State != runtimeapi.PodSandboxState_SANDBOX_NOTREADY {
		t.Errorf("%s: PodSandboxStatus after StopPodSandbox: %v, %v (want not ready)", handler, st, err)
	}
	if _, err := c.rt.RemovePodSandbox(criCtx(t), &runtimeapi.RemovePodSandboxRequest{PodSandboxId: pod}); err != nil {
		t.Fatalf("%s: RemovePodSandbox: %v\n%s", handler, err, d.diag())
	}
	removed = true
	pods, err := c.rt.ListPodSandbox(criCtx(t), &runtimeapi.ListPodSandboxRequest{})
	if err != nil || len(pods.Items) != 0 {
		t.Errorf("%s: ListPodSandbox after RemovePodSandbox: %v, %v (want none)", handler, pods, err)
	}
	cs, err := c.rt.ListContainers(criCtx(t), &runtimeapi.ListContainersRequest{})
	if err != nil || len(cs.Containers) != 0 {
		t.Errorf("%s: ListContainers after RemovePodSandbox: %v, %v (want none)", handler, cs, err)
	}
	return res
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

	d.waitNoLeaks(t)
}

// sameCRI requires the runsc pod's results to be the runc pod's.
func sameCRI(t *testing.T, d *containerdDaemon, runc, runsc criPodResult) {
	t.Helper()
	if fmt.Sprint(runc) != fmt.Sprint(runsc) {
		t.Errorf("the pods' results differ:\nrunc:  %+v\nrunsc: %+v\n%s", runc, runsc, d.diag())
	}
}
