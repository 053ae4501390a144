package e2e

// containerd tests through ctr: `ctr run --runtime io.containerd.runc.v2
// --runc-binary RUNTIME` of the imported busybox image, with runc (the
// oracle) and with runsc; outputs and exit codes must be the same. They
// need root, containerd, ctr and runc; otherwise they skip.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// ctrRuntime is one runtime binary the runc v2 shim runs, with its own
// runtime root.
type ctrRuntime struct {
	name, binary, root string
}

// ctrRuntimes returns runc and runsc for d.
func (d *containerdDaemon) ctrRuntimes() []ctrRuntime {
	return []ctrRuntime{
		{"runc", runcPath(), filepath.Join(d.dir, "runc-root")},
		{"runsc", d.runsc, filepath.Join(d.dir, "runsc-root")},
	}
}

var ctrSeq atomic.Int64

// ctrID is a container id unique to this test run.
func ctrID(rt ctrRuntime, name string) string {
	return fmt.Sprintf("stk-%s-%s-%d-%d", rt.name, name, os.Getpid(), ctrSeq.Add(1))
}

// runArgs are ctr's arguments to run img as id with rt: `run [flags]
// --runtime io.containerd.runc.v2 --runc-binary BIN --runc-root ROOT IMG
// ID args...`.
func (d *containerdDaemon) runArgs(rt ctrRuntime, flags []string, id string, args ...string) []string {
	a := append([]string{"-n", ctrNamespace, "run"}, flags...)
	a = append(a, "--fifo-dir", filepath.Join(d.dir, "fifo"), "--cgroup", d.cgroup+"/"+id, "--runtime", "io.containerd.runc.v2", "--runc-binary", rt.binary, "--runc-root", rt.root, d.image, id)
	return append(a, args...)
}

// ctrRun is `ctr run --rm` of args with rt.
func (d *containerdDaemon) ctrRun(t *testing.T, rt ctrRuntime, name string, flags []string, args ...string) ctrResult {
	t.Helper()
	return d.ctrCall(t, nil, d.runArgs(rt, append([]string{"--rm"}, flags...), ctrID(rt, name), args...)...)
}

// sameCtr requires runsc's result to be runc's.
func sameCtr(t *testing.T, d *containerdDaemon, what string, runc, runsc ctrResult) {
	t.Helper()
	if runc != runsc {
		t.Errorf("%s differs:\nrunc:  %v\nrunsc: %v\n%s", what, runc, runsc, d.diag())
	}
}

// ctrDetached starts img as id with `ctr run -d` and removes it at the end
// of the test.
func (d *containerdDaemon) ctrDetached(t *testing.T, rt ctrRuntime, flags []string, id string, args ...string) {
	t.Helper()
	r := d.ctrCall(t, nil, d.runArgs(rt, append([]string{"-d"}, flags...), id, args...)...)
	if r.code != 0 {
		t.Fatalf("%s: ctr run -d: %v\n%s", rt.name, r, d.diag())
	}
	t.Cleanup(func() { d.ctrRemove(t, id) })
}

// ctrRemove kills, deletes and removes container id (errors ignored: it
// may be gone already).
func (d *containerdDaemon) ctrRemove(t *testing.T, id string) {
	d.ctrNS(t, ctrNamespace, "tasks", "kill", "-s", "SIGKILL", id)
	d.ctrNS(t, ctrNamespace, "tasks", "rm", "-f", id)
	d.ctrNS(t, ctrNamespace, "containers", "rm", id)
}

// taskStatus is the STATUS column of `ctr tasks ls` for id ("" if absent).
func (d *containerdDaemon) taskStatus(t *testing.T, id string) string {
	t.Helper()
	r := d.ctrNS(t, ctrNamespace, "tasks", "ls")
	for _, l := range strings.Split(r.stdout, "\n") {
		if f := strings.Fields(l); len(f) >= 3 && f[0] == id {
			return f[2]
		}
	}
	return ""
}

// waitTaskStatus polls `ctr tasks ls` until id's status is want.
func (d *containerdDaemon) waitTaskStatus(t *testing.T, rt ctrRuntime, id, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := d.taskStatus(t, id)
		if st == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: task %s is %q, never %s\n%s", rt.name, id, st, want, d.diag())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ociState is `RUNTIME --root ROOT/NS state ID` (the shim's runtime root
// is the configured root plus the namespace), nil if it failed.
func (d *containerdDaemon) ociState(t *testing.T, rt ctrRuntime, ns, id string) map[string]any {
	t.Helper()
	out, err := exec.Command(rt.binary, "--root", filepath.Join(rt.root, ns), "state", id).Output()
	if err != nil {
		t.Logf("%s state %s: %v", rt.name, id, err)
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Errorf("%s state %s: %v in %q", rt.name, id, err, out)
	}
	return m
}

func TestContainerdCtr(t *testing.T) {
	d := startContainerd(t)
	rts := d.ctrRuntimes()

	// The basic case first: nothing else can work without it.
	for _, rt := range rts {
		r := d.ctrRun(t, rt, "echo", nil, "echo", "hi")
		if r.code != 0 || r.stdout != "hi\n" {
			t.Fatalf("%s: ctr run --rm IMG ID echo hi: %v\n%s", rt.name, r, d.diag())
		}
	}

	// Cases whose output is deterministic: runsc must match runc exactly.
	same := []struct {
		name  string
		flags []string
		args  []string
		code  int
	}{
		{"exit-code", nil, []string{"sh", "-c", "echo out; echo err >&2; exit 3"}, 3},
		{"env", []string{"--env", "FOO=bar"}, []string{"env"}, 0},
		{"cwd-user", []string{"--cwd", "/tmp"}, []string{"sh", "-c", "pwd; id"}, 0},
		{"read-only", []string{"--read-only"}, []string{"sh", "-c", "echo x > /x"}, 1},
		{"false", nil, []string{"false"}, 1},
	}
	for _, c := range same {
		t.Run(c.name, func(t *testing.T) {
			var res []ctrResult
			for _, rt := range rts {
				r := d.ctrRun(t, rt, c.name, c.flags, c.args...)
				if c.name == "env" {
					lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
					sort.Strings(lines)
					r.stdout = strings.Join(lines, "\n")
				}
				if c.name == "read-only" {
					// The shell's message names itself the same way; keep
					// only whether it failed for the right reason.
					if strings.Contains(r.stderr, "Read-only file system") {
						r.stderr = "Read-only file system"
					}
				}
				if r.code != c.code {
					t.Errorf("%s: want exit %d, got %v\n%s", rt.name, c.code, r, d.diag())
				}
				res = append(res, r)
			}
			sameCtr(t, d, "ctr run "+strings.Join(c.args, " "), res[0], res[1])
		})
	}

	// A command that does not exist: ctr run fails (runc at create, runsc
	// at create or start), with one line naming the cause, and leaves
	// nothing behind (the leak check at the end).
	t.Run("missing-command", func(t *testing.T) {
		for _, rt := range rts {
			r := d.ctrRun(t, rt, "missing", nil, "/nonexistent")
			if r.code == 0 || !strings.Contains(r.stderr, "/nonexistent") || !strings.Contains(strings.ToLower(r.stderr), "no such file") {
				t.Errorf("%s: ctr run IMG ID /nonexistent: %v (want a failure naming /nonexistent: no such file)\n%s", rt.name, r, d.diag())
			}
		}
	})

	// A file written to / inside the container: with runc it lands in the
	// snapshot's upper directory on the host (the container's rootfs
	// mount); with runsc it stays in the sentry's memory overlay.
	t.Run("root-write-stays-inside", func(t *testing.T) {
		for _, rt := range rts {
			id := ctrID(rt, "rootwrite")
			d.ctrDetached(t, rt, nil, id, "sh", "-c", "echo inside > /written; cat /written > /dev/null && echo ok > /ready; sleep 1000")
			d.waitTaskStatus(t, rt, id, "RUNNING")
			r := d.ctrNS(t, ctrNamespace, "tasks", "exec", "--exec-id", "chk", id, "sh", "-c", "while [ ! -e /ready ]; do sleep 0.05; done; cat /written")
			if r.code != 0 || r.stdout != "inside\n" {
				t.Errorf("%s: reading /written inside: %v\n%s", rt.name, r, d.diag())
			}
			rootfs := filepath.Join(d.dir, "state", "io.containerd.runtime.v2.task", ctrNamespace, id, "rootfs")
			hostFile := filepath.Join(rootfs, "written")
			_, err := os.Stat(hostFile)
			switch {
			case rt.name == "runc" && err != nil:
				t.Errorf("runc: the oracle's write is not at %s: %v (the test looks in the wrong place)", hostFile, err)
			case rt.name == "runsc" && err == nil:
				t.Errorf("runsc: a write to / inside the container reached the host: %s exists", hostFile)
			}
			d.ctrRemove(t, id)
		}
	})

	// ctr tasks exec (exit code, output, the container's environment) and
	// kill.
	t.Run("exec", func(t *testing.T) {
		var res []ctrResult
		for _, rt := range rts {
			id := ctrID(rt, "exec")
			d.ctrDetached(t, rt, []string{"--env", "FOO=bar"}, id, "sleep", "1000")
			d.waitTaskStatus(t, rt, id, "RUNNING")
			// The shim runs the runtime it was given: its state of the
			// container says running.
			if st := d.ociState(t, rt, ctrNamespace, id); st["status"] != "running" {
				t.Errorf("%s: %s state %s: %v, want status running", rt.name, rt.binary, id, st)
			}
			r := d.ctrNS(t, ctrNamespace, "tasks", "exec", "--exec-id", "e1", id, "sh", "-c", "echo exec $FOO; echo err >&2; exit 5")
			if r.code != 5 || r.stdout != "exec bar\n" {
				t.Errorf("%s: ctr tasks exec: %v (want exit 5, \"exec bar\")\n%s", rt.name, r, d.diag())
			}
			res = append(res, r)
			r = d.ctrNS(t, ctrNamespace, "tasks", "exec", "--exec-id", "e2", "--cwd", "/tmp", id, "sh", "-c", "pwd; id")
			if r.code != 0 {
				t.Errorf("%s: ctr tasks exec --cwd: %v\n%s", rt.name, r, d.diag())
			}
			res = append(res, r)
			if r := d.ctrNS(t, ctrNamespace, "tasks", "kill", "-s", "SIGKILL", id); r.code != 0 {
				t.Errorf("%s: ctr tasks kill: %v\n%s", rt.name, r, d.diag())
			}
			d.waitTaskStatus(t, rt, id, "STOPPED")
			if r := d.ctrNS(t, ctrNamespace, "tasks", "rm", id); r.code != 0 {
				t.Errorf("%s: ctr tasks rm of a stopped task: %v\n%s", rt.name, r, d.diag())
			}
		}
		for i := 0; i < 2; i++ {
			sameCtr(t, d, "ctr tasks exec", res[i], res[i+2])
		}
	})

	// ctr tasks ps, pause/resume and metrics: the shim's runtime ps,
	// pause, resume and its cgroup stats.
	t.Run("ps-pause-metrics", func(t *testing.T) {
		for _, rt := range rts {
			id := ctrID(rt, "pause")
			d.ctrDetached(t, rt, nil, id, "sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /count; sleep 0.05; done")
			d.waitTaskStatus(t, rt, id, "RUNNING")
			r := d.ctrNS(t, ctrNamespace, "tasks", "ps", id)
			if lines := strings.Split(strings.TrimSpace(r.stdout), "\n"); r.code != 0 || len(lines) < 2 || !strings.HasPrefix(lines[0], "PID") {
				t.Errorf("%s: ctr tasks ps: %v (want a header and the container's processes)\n%s", rt.name, r, d.diag())
			}
			if r := d.ctrNS(t, ctrNamespace, "tasks", "pause", id); r.code != 0 {
				t.Errorf("%s: ctr tasks pause: %v\n%s", rt.name, r, d.diag())
			}
			d.waitTaskStatus(t, rt, id, "PAUSED")
			if st := d.ociState(t, rt, ctrNamespace, id); st["status"] != "paused" {
				t.Errorf("%s: state of a paused task: %v", rt.name, st)
			}
			if r := d.ctrNS(t, ctrNamespace, "tasks", "resume", id); r.code != 0 {
				t.Errorf("%s: ctr tasks resume: %v\n%s", rt.name, r, d.diag())
			}
			d.waitTaskStatus(t, rt, id, "RUNNING")
			// Running again: the counter moves.
			read := func() string {
				// The writer truncates /count before it writes: retry an
				// empty read.
				for try := 0; try < 10; try++ {
					if out := d.ctrNS(t, ctrNamespace, "tasks", "exec", "--exec-id", fmt.Sprintf("c%d", ctrSeq.Add(1)), id, "cat", "/count").stdout; out != "" {
						return out
					}
				}
				return ""
			}
			first := read()
			time.Sleep(300 * time.Millisecond)
			if second := read(); first == "" || first == second {
				t.Errorf("%s: after resume the container does not run: /count %q then %q\n%s", rt.name, first, second, d.diag())
			}
			if r := d.ctrNS(t, ctrNamespace, "tasks", "metrics", id); r.code != 0 || !strings.Contains(r.stdout, "memory") {
				t.Errorf("%s: ctr tasks metrics: %v\n%s", rt.name, r, d.diag())
			}
			d.ctrRemove(t, id)
		}
	})

	// An exec whose effect ends the container: its own exit status still
	// reaches ctr (runc reaps it before the init notices).
	t.Run("exec-ends-init", func(t *testing.T) {
		for _, rt := range rts {
			id := ctrID(rt, "execend")
			d.ctrDetached(t, rt, nil, id, "sh", "-c", "while [ ! -e /stop ]; do sleep 0.02; done; exit 6")
			d.waitTaskStatus(t, rt, id, "RUNNING")
			if r := d.ctrNS(t, ctrNamespace, "tasks", "exec", "--exec-id", "stop", id, "touch", "/stop"); r.code != 0 {
				t.Errorf("%s: ctr tasks exec touch /stop: %v (want exit 0)\n%s", rt.name, r, d.diag())
			}
			d.waitTaskStatus(t, rt, id, "STOPPED")
			d.ctrRemove(t, id)
		}
	})

	// SIGTERM through ctr tasks kill reaches a trapping init; ctr run
	// returns its exit status.
	t.Run("kill-sigterm", func(t *testing.T) {
		var res []ctrResult
		for _, rt := range rts {
			id := ctrID(rt, "term")
			args := d.runArgs(rt, []string{"--rm"}, id, "sh", "-c", `trap "echo got TERM; exit 9" TERM; echo ready > /ready; while true; do sleep 0.1; done`)
			cmd := exec.Command(d.ctr, append([]string{"--address", d.sock}, args...)...)
			cmd.Env = env
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			t.Cleanup(func() { d.ctrRemove(t, id) })
			d.waitTaskStatus(t, rt, id, "RUNNING")
			if r := d.ctrNS(t, ctrNamespace, "tasks", "exec", "--exec-id", "w", id, "sh", "-c", "while [ ! -e /ready ]; do sleep 0.05; done"); r.code != 0 {
				t.Errorf("%s: waiting for the trap: %v", rt.name, r)
			}
			if r := d.ctrNS(t, ctrNamespace, "tasks", "kill", "-s", "SIGTERM", id); r.code != 0 {
				t.Errorf("%s: ctr tasks kill -s SIGTERM: %v\n%s", rt.name, r, d.diag())
			}
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("%s: the container did not exit on SIGTERM\n%s", rt.name, d.diag())
			}
			r := ctrResult{stdout: out.String(), stderr: errb.String(), code: cmd.ProcessState.ExitCode()}
			if r.code != 9 || r.stdout != "got TERM\n" {
				t.Errorf("%s: ctr run after SIGTERM: %v (want exit 9, \"got TERM\")\n%s", rt.name, r, d.diag())
			}
			res = append(res, r)
		}
		sameCtr(t, d, "ctr run, then ctr tasks kill -s SIGTERM", res[0], res[1])
	})

	d.removeAll(t)
	d.waitNoLeaks(t)
}
