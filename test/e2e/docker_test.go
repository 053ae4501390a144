package e2e

// docker tests: the test starts its own dockerd (state, sockets and images
// in a temporary directory), registers runsc with `runsc install` in that
// dockerd's daemon.json, imports a busybox-static image, and runs the same
// `docker run` cases with runc (the oracle) and with runsc. They need root,
// dockerd and docker (apt-get install docker.io); otherwise they skip.

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// dockerImage is the test image's name in the test's own dockerd.
const dockerImage = "stockade-busybox:test"

// dockerDaemon is a dockerd started by the test.
type dockerDaemon struct {
	dir    string // everything of this daemon lives under dir
	client string // the docker CLI
	env    []string
	cmd    *exec.Cmd
	exited chan struct{}
	runsc  string // runsc's --debug-log
}

// dockerResult is what one docker CLI call produced.
type dockerResult struct {
	stdout, stderr string
	code           int
}

func (r dockerResult) String() string {
	return fmt.Sprintf("exit %d, stdout %q, stderr %q", r.code, clip([]byte(r.stdout)), clip([]byte(r.stderr)))
}

// requireDocker returns the paths of dockerd and docker, or skips.
func requireDocker(t *testing.T) (dockerd, client string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("docker tests need root (they start their own dockerd)")
	}
	dockerd, err := exec.LookPath("dockerd")
	if err != nil {
		t.Skip("dockerd is not installed (apt-get install docker.io)")
	}
	// Prefer the client packaged with this dockerd (its API version).
	for _, c := range []string{filepath.Join(filepath.Dir(dockerd), "docker"), "/usr/bin/docker"} {
		if _, err := os.Stat(c); err == nil {
			return dockerd, c
		}
	}
	client, err = exec.LookPath("docker")
	if err != nil {
		t.Skip("the docker client is not installed (apt-get install docker.io)")
	}
	return dockerd, client
}

// startDocker starts a dockerd of its own with runsc registered as runtime
// "runsc", trying the default storage driver then vfs; it skips the test if
// dockerd cannot start here. Cleanup stops it and removes what it left.
func startDocker(t *testing.T) *dockerDaemon {
	t.Helper()
	dockerd, client := requireDocker(t)
	runsc := sandbox(t)
	// A short path: the daemon's unix sockets live under it.
	dir, err := os.MkdirTemp("", "stk-docker-")
	if err != nil {
		t.Fatal(err)
	}
	d := &dockerDaemon{dir: dir, client: client, runsc: filepath.Join(dir, "runsc.log")}
	t.Cleanup(func() { d.stop(t) })
	d.env = append(append([]string{}, env...),
		"DOCKER_HOST=unix://"+filepath.Join(dir, "docker.sock"),
		"DOCKER_CONFIG="+filepath.Join(dir, "client"))

	// Register runsc in this daemon's configuration with runsc install.
	config := filepath.Join(dir, "daemon.json")
	install := append(append([]string{}, runsc...), "install", "--config", config, "--runtime", "runsc", "--",
		"--debug-log="+d.runsc, "--debug")
	install = append(install, runsc[1:]...)
	if out, err := exec.Command(install[0], install[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("runsc install: %v\n%s", err, out)
	}

	var logs []string
	for _, driver := range []string{"", "vfs"} {
		if err := d.start(t, dockerd, config, driver); err == nil {
			return d
		} else {
			logs = append(logs, fmt.Sprintf("storage driver %q: %v", driver, err))
		}
	}
	t.Skipf("dockerd cannot start here:\n%s", strings.Join(logs, "\n"))
	return nil
}

// start runs dockerd with the storage driver (default if empty) and waits
// for its API; on failure dockerd is stopped and its log returned.
func (d *dockerDaemon) start(t *testing.T, dockerd, config, driver string) error {
	t.Helper()
	args := []string{"--iptables=false", "--ip-masq=false", "--bridge=none",
		"--data-root", filepath.Join(d.dir, "data"), "--exec-root", filepath.Join(d.dir, "exec"),
		"--pidfile", filepath.Join(d.dir, "dockerd.pid"), "-H", "unix://" + filepath.Join(d.dir, "docker.sock"),
		"--config-file", config}
	if driver != "" {
		args = append(args, "--storage-driver", driver)
	}
	logPath := filepath.Join(d.dir, "dockerd.log")
	logF, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logF.Close()
	cmd := exec.Command(dockerd, args...)
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
			b, _ := os.ReadFile(logPath)
			d.cmd = nil
			d.cleanupHost(t)
			return fmt.Errorf("dockerd exited: %s\n%s", cmd.ProcessState, tail(b, 1500))
		case <-time.After(200 * time.Millisecond):
		}
		if r := d.docker(t, "version", "--format", "{{.Server.Version}}"); r.code == 0 {
			// The storage driver must work too: import the test image.
			if err := d.importImage(t); err != nil {
				d.shutdown(t)
				return fmt.Errorf("importing the test image: %v", err)
			}
			return nil
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logPath)
			d.shutdown(t)
			return fmt.Errorf("dockerd did not answer within 60s\n%s", tail(b, 1500))
		}
	}
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// docker runs the docker CLI against the test's daemon.
func (d *dockerDaemon) docker(t *testing.T, args ...string) dockerResult {
	t.Helper()
	return d.dockerIn(t, nil, args...)
}

func (d *dockerDaemon) dockerIn(t *testing.T, stdin []byte, args ...string) dockerResult {
	t.Helper()
	cmd := exec.Command(d.client, args...)
	cmd.Env = d.env
	var r dockerResult
	r.stdout, r.stderr, r.code = runTimed(t, cmd, stdin, d.runscLog)
	return r
}

// runscLog is the end of runsc's debug log, for failure messages.
func (d *dockerDaemon) runscLog() string {
	b, _ := os.ReadFile(d.runsc)
	return "runsc --debug-log (end):\n" + tail(b, 3000)
}

func (d *dockerDaemon) importImage(t *testing.T) error {
	t.Helper()
	r := d.dockerIn(t, busyboxTar(t), "import", "-", dockerImage)
	if r.code != 0 {
		return fmt.Errorf("docker import: %v", r)
	}
	return nil
}

// shutdown removes every container and stops dockerd (SIGTERM, then
// SIGKILL of its process group).
func (d *dockerDaemon) shutdown(t *testing.T) {
	if d.cmd == nil {
		return
	}
	if r := d.docker(t, "ps", "-aq"); r.code == 0 && strings.TrimSpace(r.stdout) != "" {
		d.docker(t, append([]string{"rm", "-f"}, strings.Fields(r.stdout)...)...)
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(30 * time.Second):
		t.Logf("dockerd did not stop on SIGTERM; killing it")
		syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		<-d.exited
	}
	d.cmd = nil
	d.cleanupHost(t)
}

// cleanupHost kills what is left of the daemon's processes (containerd,
// shims, runsc sandboxes: their command lines name d.dir) and unmounts
// what is left mounted under d.dir.
func (d *dockerDaemon) cleanupHost(t *testing.T) {
	for try := 0; try < 20; try++ {
		n := 0
		pids, _ := filepath.Glob("/proc/[0-9]*/cmdline")
		for _, p := range pids {
			b, err := os.ReadFile(p)
			if err != nil || !bytes.Contains(b, []byte(d.dir)) {
				continue
			}
			var pid int
			fmt.Sscanf(filepath.Base(filepath.Dir(p)), "%d", &pid)
			if pid == os.Getpid() {
				continue
			}
			n++
			if try > 0 {
				t.Logf("killing leftover process %d: %s", pid, strings.ReplaceAll(string(b), "\x00", " "))
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		if n == 0 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	var mounts []string
	for _, l := range strings.Split(string(mi), "\n") {
		f := strings.Fields(l)
		if len(f) > 4 && (f[4] == d.dir || strings.HasPrefix(f[4], d.dir+"/")) {
			mounts = append(mounts, f[4])
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(mounts))) // deepest first
	for _, m := range mounts {
		if err := unix.Unmount(m, unix.MNT_DETACH); err != nil && err != unix.EINVAL {
			t.Logf("unmount %s: %v", m, err)
		}
	}
}

func (d *dockerDaemon) stop(t *testing.T) {
	d.shutdown(t)
	d.cleanupHost(t)
	if err := os.RemoveAll(d.dir); err != nil {
		t.Logf("removing %s: %v", d.dir, err)
	}
}

// run is `docker run --runtime=rt args...`.
func (d *dockerDaemon) run(t *testing.T, rt string, args ...string) dockerResult {
	t.Helper()
	return d.docker(t, append([]string{"run", "--runtime=" + rt}, args...)...)
}

// runDetached starts a container with `docker run -d` and returns its id
// (removed at the end of the test).
func (d *dockerDaemon) runDetached(t *testing.T, rt string, args ...string) string {
	t.Helper()
	r := d.docker(t, append([]string{"run", "-d", "--runtime=" + rt}, args...)...)
	if r.code != 0 {
		t.Fatalf("%s: docker run -d: %v\n%s", rt, r, d.runscLog())
	}
	id := strings.TrimSpace(r.stdout)
	t.Cleanup(func() { d.docker(t, "rm", "-f", id) })
	return id
}

// waitLog polls `docker logs id` until its stdout holds want.
func (d *dockerDaemon) waitLog(t *testing.T, rt, id, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := d.docker(t, "logs", id)
		if strings.Contains(r.stdout, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: container never logged %q: %v\n%s", rt, want, r, d.runscLog())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var dockerRuntimes = []string{"runc", "runsc"}

// sameResult requires runsc's result to be runc's.
func sameResult(t *testing.T, d *dockerDaemon, what string, runc, runsc dockerResult) {
	t.Helper()
	if runc != runsc {
		t.Errorf("%s differs:\nrunc:  %v\nrunsc: %v\n%s", what, runc, runsc, d.runscLog())
	}
}

func TestDocker(t *testing.T) {
	// Nothing docker does to "the container's network namespace" may reach
	// the host's (docker writes net.ipv6 sysctls through /proc/<pid>/ns/net
	// of the sandbox process).
	const ipv6 = "/proc/sys/net/ipv6/conf/all/disable_ipv6"
	before, _ := os.ReadFile(ipv6)
	t.Cleanup(func() {
		if after, _ := os.ReadFile(ipv6); string(after) != string(before) {
			t.Errorf("the host's %s changed from %q to %q", ipv6, before, after)
			os.WriteFile(ipv6, before, 0o644)
		}
	})
	d := startDocker(t)
	img := dockerImage

	// The basic case first: nothing else can work without it.
	for _, rt := range dockerRuntimes {
		r := d.run(t, rt, "--rm", img, "echo", "hi")
		if r.code != 0 || r.stdout != "hi\n" {
			t.Fatalf("%s: docker run --rm %s echo hi: %v\n%s", rt, img, r, d.runscLog())
		}
	}

	// Cases whose output is deterministic: runsc must match runc exactly.
	same := []struct {
		name string
		args []string
		code int
	}{
		{"exit-code", []string{"--rm", img, "sh", "-c", "exit 3"}, 3},
		{"env", []string{"--rm", "-e", "FOO=bar", "-h", "stockade", img, "env"}, 0},
		{"workdir", []string{"--rm", "-w", "/tmp", img, "pwd"}, 0},
		{"user", []string{"--rm", "-u", "1000:1000", img, "id"}, 0},
		{"user-name", []string{"--rm", "-u", "user", img, "sh", "-c", "id; echo $HOME"}, 0},
		{"read-only", []string{"--rm", "--read-only", img, "sh", "-c", "echo x > /x"}, 1},
		{"read-only-tmpfs", []string{"--rm", "--read-only", "--tmpfs", "/tmp", img, "sh", "-c", "echo x > /tmp/x && cat /tmp/x"}, 0},
		{"network-none", []string{"--rm", "--network", "none", img, "sh", "-c", "echo up; ls /sys/class/net 2>/dev/null | grep -v lo; true"}, 0},
		{"stdin", []string{"--rm", "-i", img, "cat"}, 0},
	}
	for _, c := range same {
		t.Run(c.name, func(t *testing.T) {
			var res []dockerResult
			for _, rt := range dockerRuntimes {
				var r dockerResult
				if c.name == "stdin" {
					r = d.dockerIn(t, []byte("from stdin\n"), append([]string{"run", "--runtime=" + rt}, c.args...)...)
				} else {
					r = d.run(t, rt, c.args...)
				}
				if c.name == "env" {
					lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
					sort.Strings(lines)
					r.stdout = strings.Join(lines, "\n")
				}
				if r.code != c.code {
					t.Errorf("%s: want exit %d, got %v", rt, c.code, r)
				}
				res = append(res, r)
			}
			sameResult(t, d, "docker run "+strings.Join(c.args, " "), res[0], res[1])
		})
	}

	// Bind mounts: reading a host directory, and writing to it.
	host := t.TempDir()
	if err := os.WriteFile(filepath.Join(host, "in.txt"), []byte("from the host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Run("bind-read", func(t *testing.T) {
		var res []dockerResult
		for _, rt := range dockerRuntimes {
			r := d.run(t, rt, "--rm", "-v", host+":/data", img, "cat", "/data/in.txt")
			if r.code != 0 || r.stdout != "from the host\n" {
				t.Errorf("%s: %v", rt, r)
			}
			res = append(res, r)
		}
		sameResult(t, d, "bind mount read", res[0], res[1])
	})
	t.Run("bind-write", func(t *testing.T) {
		for _, rt := range dockerRuntimes {
			out := "out-" + rt + ".txt"
			r := d.run(t, rt, "--rm", "-v", host+":/data", img, "sh", "-c", "echo "+rt+" > /data/"+out)
			if rt == "runsc" && r.code != 0 && strings.Contains(r.stderr, "Read-only file system") {
				t.Skipf("known: bind mounts are read-only in runsc until the gofer serves them (runsc boot mounts a read-only host TreeFS): %v", r)
			}
			if r.code != 0 {
				t.Errorf("%s: %v\n%s", rt, r, d.runscLog())
				continue
			}
			if b, err := os.ReadFile(filepath.Join(host, out)); err != nil || string(b) != rt+"\n" {
				t.Errorf("%s: the host file holds %q (%v), want %q", rt, b, err, rt+"\n")
			}
		}
	})

	// Detached containers: logs, wait, stop, kill, exec.
	t.Run("logs-wait", func(t *testing.T) {
		var res []dockerResult
		for _, rt := range dockerRuntimes {
			id := d.runDetached(t, rt, img, "sh", "-c", "echo out; echo err >&2; exit 7")
			w := d.docker(t, "wait", id)
			l := d.docker(t, "logs", id)
			if strings.TrimSpace(w.stdout) != "7" || l.stdout != "out\n" || l.stderr != "err\n" {
				t.Errorf("%s: wait %v, logs %v", rt, w, l)
			}
			res = append(res, dockerResult{stdout: w.stdout + l.stdout, stderr: l.stderr})
		}
		sameResult(t, d, "wait and logs", res[0], res[1])
	})
	t.Run("stop-sigterm", func(t *testing.T) {
		for _, rt := range dockerRuntimes {
			id := d.runDetached(t, rt, img, "sh", "-c", `trap "echo got TERM; exit 42" TERM; echo ready; while true; do sleep 0.1; done`)
			d.waitLog(t, rt, id, "ready")
			start := time.Now()
			if r := d.docker(t, "stop", "-t", "20", id); r.code != 0 {
				t.Errorf("%s: docker stop: %v", rt, r)
			}
			if el := time.Since(start); el > 15*time.Second {
				t.Errorf("%s: docker stop took %v: SIGTERM was not delivered", rt, el)
			}
			w := d.docker(t, "wait", id)
			l := d.docker(t, "logs", id)
			if strings.TrimSpace(w.stdout) != "42" || !strings.Contains(l.stdout, "got TERM") {
				t.Errorf("%s: after docker stop: wait %v, logs %v\n%s", rt, w, l, d.runscLog())
			}
		}
	})
	t.Run("stop-timeout-sigkill", func(t *testing.T) {
		for _, rt := range dockerRuntimes {
			id := d.runDetached(t, rt, img, "sh", "-c", `trap "" TERM; echo ready; while true; do sleep 0.1; done`)
			d.waitLog(t, rt, id, "ready")
			if r := d.docker(t, "stop", "-t", "1", id); r.code != 0 {
				t.Errorf("%s: docker stop: %v", rt, r)
			}
			if w := d.docker(t, "wait", id); strings.TrimSpace(w.stdout) != "137" {
				t.Errorf("%s: docker wait after stop -t 1 of a TERM-ignoring init: %v (want 137)\n%s", rt, w, d.runscLog())
			}
		}
	})
	t.Run("kill", func(t *testing.T) {
		for _, rt := range dockerRuntimes {
			id := d.runDetached(t, rt, img, "sleep", "1000")
			if r := d.docker(t, "kill", id); r.code != 0 {
				t.Errorf("%s: docker kill: %v\n%s", rt, r, d.runscLog())
			}
			if w := d.docker(t, "wait", id); strings.TrimSpace(w.stdout) != "137" {
				t.Errorf("%s: docker wait after docker kill: %v (want 137)", rt, w)
			}
		}
	})
	t.Run("kill-signal", func(t *testing.T) {
		for _, rt := range dockerRuntimes {
			id := d.runDetached(t, rt, img, "sh", "-c", `trap "echo got USR1; exit 9" USR1; echo ready; while true; do sleep 0.1; done`)
			d.waitLog(t, rt, id, "ready")
			if r := d.docker(t, "kill", "-s", "USR1", id); r.code != 0 {
				t.Errorf("%s: docker kill -s USR1: %v\n%s", rt, r, d.runscLog())
			}
			if w := d.docker(t, "wait", id); strings.TrimSpace(w.stdout) != "9" {
				t.Errorf("%s: docker wait after docker kill -s USR1: %v (want 9)", rt, w)
			}
		}
	})
	t.Run("kill-init-default-action", func(t *testing.T) {
		// A signal from outside whose action is the default does not kill
		// the pid namespace's init (Linux ignores it); only SIGKILL does.
		for _, rt := range dockerRuntimes {
			id := d.runDetached(t, rt, img, "sleep", "1000")
			time.Sleep(500 * time.Millisecond)
			if r := d.docker(t, "kill", "-s", "USR1", id); r.code != 0 {
				t.Errorf("%s: docker kill -s USR1: %v", rt, r)
			}
			time.Sleep(time.Second)
			r := d.docker(t, "inspect", "-f", "{{.State.Running}} {{.State.ExitCode}}", id)
			if strings.TrimSpace(r.stdout) != "true 0" {
				t.Errorf("%s: after SIGUSR1 to a sleeping init: %v (want still running)", rt, r)
			}
		}
	})
	t.Run("exec", func(t *testing.T) {
		var res []dockerResult
		for _, rt := range dockerRuntimes {
			id := d.runDetached(t, rt, "-e", "FOO=bar", img, "sleep", "1000")
			r := d.docker(t, "exec", id, "sh", "-c", "echo exec $FOO; exit 5")
			if r.code != 5 || r.stdout != "exec bar\n" {
				t.Errorf("%s: docker exec: %v (want exit 5, \"exec bar\")\n%s", rt, r, d.runscLog())
			}
			res = append(res, r)
			r = d.docker(t, "exec", "-u", "1000:1000", "-w", "/tmp", id, "sh", "-c", "id; pwd; echo $HOME")
			if r.code != 0 {
				t.Errorf("%s: docker exec -u -w: %v", rt, r)
			}
			res = append(res, r)
			r = d.dockerIn(t, []byte("exec stdin\n"), "exec", "-i", id, "cat")
			if r.code != 0 || r.stdout != "exec stdin\n" {
				t.Errorf("%s: docker exec -i: %v", rt, r)
			}
			res = append(res, r)
		}
		for i := 0; i < 3; i++ {
			sameResult(t, d, "docker exec", res[i], res[i+3])
		}
	})
}

// dockerTTYImage is the test image plus stty, tty and the winch script of
// the terminal tests (terminal_test.go).
const dockerTTYImage = "stockade-busybox-tty:test"

// importTTYImage imports dockerTTYImage: busyboxTar with the terminal
// tools added.
func (d *dockerDaemon) importTTYImage(t *testing.T) {
	t.Helper()
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	r := tar.NewReader(bytes.NewReader(busyboxTar(t)))
	for {
		h, err := r.Next()
		if err != nil {
			break
		}
		w.WriteHeader(h)
		io.Copy(w, r)
	}
	for _, a := range []string{"stty", "tty"} {
		w.WriteHeader(&tar.Header{Name: "bin/" + a, Typeflag: tar.TypeSymlink, Linkname: "busybox", Mode: 0o777, ModTime: time.Now()})
	}
	w.WriteHeader(&tar.Header{Name: "bin/winch", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(winchScript)), ModTime: time.Now()})
	w.Write([]byte(winchScript))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if r := d.dockerIn(t, buf.Bytes(), "import", "-", dockerTTYImage); r.code != 0 {
		t.Fatalf("docker import: %v", r)
	}
}

// dockerOnPty starts the docker client with args on a terminal the test
// owns (docker -it needs one) and returns the test's end of it.
func (d *dockerDaemon) dockerOnPty(t *testing.T, name string, rows, cols uint16, args ...string) (*ptySession, <-chan struct{}) {
	t.Helper()
	master, slave := openTestPty(t)
	s := newPtySession(t, name, master)
	s.setSize(rows, cols)
	cmd := exec.Command(d.client, args...)
	cmd.Env = append(append([]string{}, d.env...), "TERM=xterm")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	return s, exited
}

// TestDockerTerminalTop: `docker run -it` and `docker exec -it` give an
// interactive shell with job control and the client's window size, and
// `docker top` shows the container's program, with runc and runsc.
func TestDockerTerminalTop(t *testing.T) {
	d := startDocker(t)
	d.importTTYImage(t)
	for _, rt := range dockerRuntimes {
		t.Run("run-it/"+rt, func(t *testing.T) {
			name := fmt.Sprintf("stk-it-%s-%d", rt, time.Now().UnixNano())
			t.Cleanup(func() { d.docker(t, "rm", "-f", name) })
			s, exited := d.dockerOnPty(t, rt, 27, 83, "run", "-it", "--rm", "--name", name, "--runtime="+rt, "-e", "PS1=$ ", dockerTTYImage, "sh")
			checkShellReady(s)
			checkStty(s, 27, 83)
			// The client's terminal resized: docker resizes the
			// container's, whose foreground job gets SIGWINCH.
			checkWinch(s, func() { s.setSize(32, 97) })
			checkStty(s, 32, 97)
			checkJobControl(s)
			s.send("exit 4\r")
			select {
			case <-exited:
			case <-time.After(ttyStep):
				t.Errorf("%s: docker run -it did not end after exit: %q\n%s", rt, s.rest(), d.runscLog())
			}
		})
		t.Run("exec-it/"+rt, func(t *testing.T) {
			id := d.runDetached(t, rt, dockerTTYImage, "sleep", "1000")
			s, exited := d.dockerOnPty(t, rt, 26, 81, "exec", "-it", "-e", "PS1=$ ", id, "sh")
			checkShellReady(s)
			checkStty(s, 26, 81)
			checkWinch(s, func() { s.setSize(29, 85) })
			checkJobControl(s)
			s.send("exit\r")
			select {
			case <-exited:
			case <-time.After(ttyStep):
				t.Errorf("%s: docker exec -it did not end after exit: %q\n%s", rt, s.rest(), d.runscLog())
			}
		})
		t.Run("top/"+rt, func(t *testing.T) {
			id := d.runDetached(t, rt, dockerTTYImage, "sleep", "100")
			var r dockerResult
			deadline := time.Now().Add(20 * time.Second)
			for {
				r = d.docker(t, "top", id)
				if r.code == 0 && strings.Contains(r.stdout, "sleep") || time.Now().After(deadline) {
					break
				}
				time.Sleep(200 * time.Millisecond)
			}
			lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
			if r.code != 0 || len(lines) < 2 || !strings.Contains(lines[0], "CMD") {
				t.Fatalf("%s: docker top: %v\n%s", rt, r, d.runscLog())
			}
			found := false
			for _, l := range lines[1:] {
				f := strings.Fields(l)
				// runc: the process's command line; runsc: the ptrace
				// stub running it, named after the program.
				if len(f) >= 8 && regexp.MustCompile(`^(sleep 100|\[sleep\])$`).MatchString(strings.Join(f[7:], " ")) {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: docker top shows no row whose CMD is sleep:\n%s", rt, r.stdout)
			}
			t.Logf("%s: docker top:\n%s", rt, r.stdout)
		})
	}
}
