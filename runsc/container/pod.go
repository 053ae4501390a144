package container

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"stockade.dev/sentry/control"
)

// Pods. Container managers mark the containers of a Kubernetes pod with
// annotations: the pod's sandbox container (its pause container) first,
// then each application container with the id of that sandbox container.
// The first starts a sentry; each later one joins it (runsc create of a
// container of type "container" whose sandbox runs under the same --root),
// with its own state directory, its own control socket (served by the
// sandbox's sentry) and the sandbox process's pid in its state.

// The pod annotations of containerd's CRI plugin and of CRI-O.
const (
	AnnotationContainerdType    = "io.kubernetes.cri.container-type"
	AnnotationContainerdSandbox = "io.kubernetes.cri.sandbox-id"
	AnnotationCRIOType          = "io.kubernetes.cri-o.ContainerType"
	AnnotationCRIOSandbox       = "io.kubernetes.cri-o.SandboxID"
)

// PodSandboxID returns the id of the pod sandbox container that a
// container with these annotations joins, if it is a later container of a
// pod (type "container" with a sandbox id).
func PodSandboxID(annotations map[string]string) (string, bool) {
	for _, a := range [][2]string{
		{AnnotationContainerdType, AnnotationContainerdSandbox},
		{AnnotationCRIOType, AnnotationCRIOSandbox},
	} {
		if annotations[a[0]] == "container" && annotations[a[1]] != "" {
			return annotations[a[1]], true
		}
	}
	return "", false
}

// PodState is what the state of a later container of a pod adds.
type PodState struct {
	// Sandbox is the id of the pod's sandbox container.
	Sandbox string `json:"sandbox"`
	// GoferPid is the host pid of the container's gofer (GoferStart its
	// start time); ProxyPid is the process standing for the container's
	// init on the host (the pid file's), which exits with its status.
	GoferPid   int    `json:"goferPid,omitempty"`
	GoferStart uint64 `json:"goferStart,omitempty"`
	ProxyPid   int    `json:"proxyPid,omitempty"`
	ProxyStart uint64 `json:"proxyStart,omitempty"`
}

// podStatus is the status of a later container of a pod, as its sentry
// knows it: created, running, or stopped once its init ended (or the
// sandbox did).
func (c *Container) podStatus() string {
	if c.State.Status == Stopped || !c.SandboxAlive() {
		return Stopped
	}
	// A paused pod (its sandbox container paused: the whole sentry is
	// frozen) answers no call.
	if c.SandboxPaused() {
		return Paused
	}
	resp, err := control.Call(c.Dir, &control.Request{Method: control.MethodState}, nil)
	if err != nil {
		return Stopped
	}
	switch resp.Status {
	case Created, Running:
		return resp.Status
	}
	return Stopped
}

// SandboxPaused reports whether the pod's sandbox container is paused,
// from its state file (written atomically; its lock is not needed).
func (c *Container) SandboxPaused() bool {
	b, err := os.ReadFile(filepath.Join(filepath.Dir(c.Dir), c.State.Pod.Sandbox, stateFile))
	if err != nil {
		return false
	}
	var st State
	return json.Unmarshal(b, &st) == nil && st.Status == Paused && ProcessAlive(st.Pid, st.PidStart)
}

// WaitPodProcessesGone waits up to timeout for the container's gofer and
// proxy processes to end.
func (c *Container) WaitPodProcessesGone(timeout time.Duration) bool {
	p := c.State.Pod
	if p == nil {
		return true
	}
	deadline := time.Now().Add(timeout)
	for {
		if !ProcessAlive(p.GoferPid, p.GoferStart) && !ProcessAlive(p.ProxyPid, p.ProxyStart) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}
