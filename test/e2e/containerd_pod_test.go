package e2e

import (
	"strings"
	"testing"
)

// TestContainerdPod: through containerd's runc v2 shim (ctr run with the
// CRI plugin's pod annotations), a later container joins its pod
// sandbox's sentry: the shim's create, start, state, exec, kill, wait and
// delete reach it, its exit status reaches ctr through the pid the shim
// waits for, and killing it leaves the sandbox container running.
func TestContainerdPod(t *testing.T) {
	d := startContainerd(t)
	rt := d.ctrRuntimes()[1]
	sbID := ctrID(rt, "podsb")
	d.ctrDetached(t, rt, []string{"--annotation", "io.kubernetes.cri.container-type=sandbox"}, sbID, "sleep", "1000")
	d.waitTaskStatus(t, rt, sbID, "RUNNING")
	member := func() []string {
		return []string{"--annotation", "io.kubernetes.cri.container-type=container", "--annotation", "io.kubernetes.cri.sandbox-id=" + sbID}
	}

	cID := ctrID(rt, "podc")
	d.ctrDetached(t, rt, member(), cID, "sh", "-c", "echo mine > /mine; sleep 1000")
	d.waitTaskStatus(t, rt, cID, "RUNNING")
	sbState, cState := d.ociState(t, rt, ctrNamespace, sbID), d.ociState(t, rt, ctrNamespace, cID)
	if sbState == nil || cState == nil || cState["pid"] != sbState["pid"] || cState["status"] != "running" {
		t.Errorf("runsc state: sandbox %v, container %v; want one sandbox pid, running", sbState, cState)
	}
	// Own roots: the file the container wrote is in its root only.
	r := d.ctrNS(t, ctrNamespace, "tasks", "exec", "--exec-id", "e1", cID, "sh", "-c", "while [ ! -e /mine ]; do sleep 0.05; done; cat /mine; exit 4")
	if r.code != 4 || r.stdout != "mine\n" {
		t.Errorf("ctr tasks exec in the pod container: %v (want exit 4, \"mine\")\n%s", r, d.diag())
	}
	if r := d.ctrNS(t, ctrNamespace, "tasks", "exec", "--exec-id", "e2", sbID, "test", "-e", "/mine"); r.code != 1 {
		t.Errorf("/mine in the sandbox container: %v; want absent (exit 1)\n%s", r, d.diag())
	}
	if r := d.ctrNS(t, ctrNamespace, "tasks", "kill", "-s", "SIGKILL", cID); r.code != 0 {
		t.Errorf("ctr tasks kill: %v\n%s", r, d.diag())
	}
	d.waitTaskStatus(t, rt, cID, "STOPPED")
	if st := d.taskStatus(t, sbID); st != "RUNNING" {
		t.Errorf("the sandbox container after its pod container was killed: %q\n%s", st, d.diag())
	}
	if r := d.ctrNS(t, ctrNamespace, "tasks", "rm", cID); r.code != 0 {
		t.Errorf("ctr tasks rm: %v\n%s", r, d.diag())
	}

	// ctr run (attached) of a pod container returns its init's status.
	runID := ctrID(rt, "podrun")
	t.Cleanup(func() { d.ctrRemove(t, runID) })
	r = d.ctrCall(t, nil, d.runArgs(rt, append([]string{"--rm"}, member()...), runID, "sh", "-c", "echo out; hostname >/dev/null; exit 3")...)
	if r.code != 3 || strings.TrimSpace(r.stdout) != "out" {
		t.Errorf("ctr run of a pod container: %v; want exit 3 and \"out\"\n%s", r, d.diag())
	}
	if st := d.taskStatus(t, sbID); st != "RUNNING" {
		t.Errorf("the sandbox container after its pod containers: %q\n%s", st, d.diag())
	}
}
