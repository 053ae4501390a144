package e2e

import (
	"context"
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

// The confined sentry (runsc/sandbox/confine*.go, seccomp/): `runsc do
// --confine` (or STOCKADE_CONFINE=1) runs the sentry under its seccomp
// allowlist, without capabilities beyond file access and with
// no_new_privs.
//
// STOCKADE_CONFINE set in the environment of `go test` reaches every
// sandboxed run of the package (the runs' environment is fixed otherwise),
// so the whole suite can run confined:
//
//	STOCKADE_CONFINE=1 go test ./test/e2e/
func init() {
	if v := os.Getenv("STOCKADE_CONFINE"); v != "" {
		env = append(env, "STOCKADE_CONFINE="+v)
	}
}

// ourSandbox skips tests of Stockade-only behaviour when another sandbox
// is under test.
func ourSandbox(t *testing.T) []string {
	t.Helper()
	prefix := sandbox(t)
	if *runscFlag != "" || os.Getenv("STOCKADE_RUNSC") != "" {
		t.Skip("confinement tests are for Stockade's runsc")
	}
	return prefix
}

// confinedArgv is `runsc do --confine argv...`.
func confinedArgv(t *testing.T, argv ...string) []string {
	return append(append(append([]string{}, ourSandbox(t)...), "do", "--confine"), argv...)
}

// TestConfineDifferential runs differential cases with the sentry confined:
// the filter must allow everything these programs make the sentry do.
func TestConfineDifferential(t *testing.T) {
	cases := []struct {
		name string
		argv []string
	}{
		{"busybox_echo", []string{"/bin/busybox", "echo", "hi"}},
		{"busybox_ls_usr", []string{"/bin/busybox", "ls", "-l", "/usr"}},
		{"busybox_md5sum", []string{"/bin/busybox", "md5sum", "/bin/busybox"}},
		{"ls_la_etc", []string{"/bin/ls", "-la", "/etc"}},
		{"head_services", []string{"/usr/bin/head", "-c", "100", "/etc/services"}},
		{"sha256sum_python", []string{"/usr/bin/sha256sum", "/usr/bin/python3.11"}},
		{"true", []string{"/bin/true"}},
		{"false", []string{"/bin/false"}},
		{"sh_pipeline", []string{"/bin/sh", "-c", "seq 1 2000 | sort -r | head -3; echo x > /tmp/f && cat /tmp/f; (exit 3)"}},
		{"python_threads", []string{"/usr/bin/python3", "-c", "import threading,subprocess\nts=[threading.Thread(target=lambda: sum(range(100000))) for _ in range(8)]\n[t.start() for t in ts]\n[t.join() for t in ts]\nprint(subprocess.run(['echo','child'],capture_output=True).stdout)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := os.Stat(tc.argv[0]); err != nil {
				t.Skipf("%s is absent", tc.argv[0])
			}
			native, err := run(t, "/", tc.argv...)
			if err != nil {
				t.Fatalf("native run: %v", err)
			}
			confined, err := run(t, "/", confinedArgv(t, tc.argv...)...)
			if err != nil {
				t.Fatalf("confined run: %v", err)
			}
			compare(t, native, confined)
			if t.Failed() {
				t.Logf("native:   %v", native)
				t.Logf("confined: %v", confined)
			}
		})
	}
}

// TestConfineForbiddenSyscall makes the confined sentry call a host system
// call outside its allowlist (a hidden test hook): the filter kills it with
// SIGSYS and runsc says so in one line, with a non-zero status.
func TestConfineForbiddenSyscall(t *testing.T) {
	if strings.HasPrefix(os.Getenv("STOCKADE_CONFINE"), "learn") {
		t.Skip("learning mode lets forbidden calls through")
	}
	argv := confinedArgv(t, "/bin/true")
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(append([]string{}, env...), "STOCKADE_TEST_FORBIDDEN_SYSCALL=1")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok {
		t.Fatalf("runsc: %v, want a non-zero exit (stderr %q)", err, stderr.String())
	}
	ws := ee.Sys().(syscall.WaitStatus)
	if !ws.Exited() || ws.ExitStatus() != 128+int(syscall.SIGSYS) {
		t.Errorf("runsc ended with %v, want exit status %d (128+SIGSYS)", ws, 128+int(syscall.SIGSYS))
	}
	msg := stderr.String()
	if strings.Count(msg, "\n") != 1 || !strings.HasSuffix(msg, "\n") {
		t.Errorf("stderr is not exactly one line: %q", msg)
	}
	if !strings.HasPrefix(msg, "runsc: the sandbox was killed by its seccomp filter (host system call ") {
		t.Errorf("stderr does not say the seccomp filter killed the sandbox: %q", msg)
	}
	// The call is named when the kernel's audit record is readable.
	if !strings.Contains(msg, "103, syslog") && !strings.Contains(msg, "unknown") {
		t.Errorf("stderr names neither syslog (103) nor an unknown call: %q", msg)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout not empty: %q", stdout.String())
	}
	t.Logf("runsc said: %s", strings.TrimSpace(msg))
}

// TestConfineStatus checks, from the host, that the running sentry is
// confined: seccomp filter mode, no_new_privs, and no capability beyond
// the file-access ones kept for root.
func TestConfineStatus(t *testing.T) {
	argv := confinedArgv(t, "/bin/sleep", "30")
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	// The sentry is the supervisor's child; find it, then wait for it to
	// be confined (it confines itself after its setup).
	const kept = 1<<1 | 1<<2 | 1<<3 // CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
	var status map[string]string
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if pid := childOf(cmd.Process.Pid); pid > 0 {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
			if err == nil {
				status = statusFields(string(b))
				if status["Seccomp"] == "2" {
					break
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if status == nil {
		t.Fatal("no sentry process found under the supervisor")
	}
	if status["Seccomp"] != "2" {
		t.Errorf("sentry Seccomp: %q, want 2 (filter)", status["Seccomp"])
	}
	if status["NoNewPrivs"] != "1" {
		t.Errorf("sentry NoNewPrivs: %q, want 1", status["NoNewPrivs"])
	}
	for _, f := range []string{"CapPrm", "CapEff", "CapBnd", "CapAmb", "CapInh"} {
		v, err := strconv.ParseUint(status[f], 16, 64)
		if err != nil {
			t.Errorf("sentry %s: %q", f, status[f])
			continue
		}
		if v&^kept != 0 {
			t.Errorf("sentry %s = %#x: holds capabilities beyond %#x", f, v, kept)
		}
	}
}

// childOf returns the pid of a child of ppid, or 0.
func childOf(ppid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", ppid, ppid))
	if err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			n, _ := strconv.Atoi(f[0])
			return n
		}
	}
	// Children of other threads of ppid.
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", ppid))
	for _, p := range tasks {
		b, _ := os.ReadFile(p)
		if f := strings.Fields(string(b)); len(f) > 0 {
			n, _ := strconv.Atoi(f[0])
			return n
		}
	}
	return 0
}

// TestConfineSignalForwarding: a signal sent to the confined runsc reaches
// the sandboxed program exactly as without confinement.
func TestConfineSignalForwarding(t *testing.T) {
	bin := buildProcessProg(t, "sigint", `
#include <signal.h>
#include <stdio.h>
int main() {
  sigset_t s; sigemptyset(&s); sigaddset(&s, SIGINT); sigprocmask(SIG_BLOCK, &s, 0);
  printf("ready\n"); fflush(stdout);
  int sig; sigwait(&s, &sig);
  printf("got %d\n", sig);
  return 7;
}
`)
	argv := confinedArgv(t, bin)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := out.Read(buf); err != nil || string(buf) != "ready\n" {
		t.Fatalf("no ready line: %q %v", buf, err)
	}
	cmd.Process.Signal(syscall.SIGINT)
	rest := make([]byte, 64)
	n, _ := out.Read(rest)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 7 {
		t.Errorf("runsc: %v, want exit status 7", err)
	}
	if got := strings.TrimSpace(string(rest[:n])); got != "got 2" {
		t.Fatalf("sandboxed program printed %q, want \"got 2\"", got)
	}
}
