// Package e2e holds differential end-to-end tests of `runsc do`: each case
// runs a program natively and inside the sandbox and requires the same
// stdout, stderr and exit status, byte for byte.
//
// By default the tests build <repo>/bin/runsc from ./runsc once and test that
// binary. To test another sandbox (for example Debian's gVisor, to check the
// harness itself) give its command prefix, without the "do" subcommand:
//
//	STOCKADE_RUNSC="/usr/bin/runsc --platform=ptrace --network=none" go test ./test/e2e
//	go test ./test/e2e -args -runsc="/usr/bin/runsc --platform=ptrace --network=none"
//
// The prefix is split on white space; "do" and the command are appended.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var runscFlag = flag.String("runsc", "", "command prefix of the sandbox under test (default: build <repo>/bin/runsc; env STOCKADE_RUNSC)")

// runTimeout bounds one native or sandboxed run, so that a hung sandbox fails
// its case instead of the whole test binary.
const runTimeout = 2 * time.Minute

// env is the environment of both the native and the sandboxed runs, fixed so
// that locale, time zone and PATH cannot differ between them.
var env = []string{
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	"HOME=/root",
	"LC_ALL=C",
	"LANG=C",
	"TZ=UTC",
}

// repoRoot finds the directory holding the go.mod of module stockade.dev,
// walking up from the test's working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(data, []byte("module stockade.dev")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod of module stockade.dev above the working directory")
		}
		dir = parent
	}
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "/usr/local/go/bin/go"
}

var (
	sandboxOnce   sync.Once
	sandboxPrefix []string // e.g. [/repo/bin/runsc] or [/usr/bin/runsc --platform=ptrace]
	sandboxErr    error    // build failure: fails every test
	sandboxSkip   string   // non-empty: binary absent, skip every test
	buildReported sync.Once
)

// sandbox returns the command prefix of the sandbox under test (without
// "do"). It builds bin/runsc on first use unless another sandbox was named.
func sandbox(t *testing.T) []string {
	t.Helper()
	sandboxOnce.Do(func() {
		spec := *runscFlag
		if spec == "" {
			spec = os.Getenv("STOCKADE_RUNSC")
		}
		if spec != "" {
			sandboxPrefix = strings.Fields(spec)
			if _, err := os.Stat(sandboxPrefix[0]); err != nil {
				p, lerr := exec.LookPath(sandboxPrefix[0])
				if lerr != nil {
					sandboxSkip = fmt.Sprintf("sandbox binary %q is absent: %v", sandboxPrefix[0], err)
					return
				}
				sandboxPrefix[0] = p
			}
			return
		}
		root, err := repoRoot()
		if err != nil {
			sandboxErr = err
			return
		}
		if _, err := os.Stat(filepath.Join(root, "runsc")); err != nil {
			sandboxSkip = fmt.Sprintf("binary under test is absent: no package %s/runsc to build", root)
			return
		}
		bin := filepath.Join(root, "bin", "runsc")
		cmd := exec.Command(goTool(), "build", "-o", bin, "./runsc")
		cmd.Dir = root
		// As `make build`: without cgo, so that the sandbox can drop the
		// capabilities of all its threads (runsc/sandbox/confine_boot.go).
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			sandboxErr = fmt.Errorf("go build -o %s ./runsc: %v\n%s", bin, err, out)
			return
		}
		sandboxPrefix = []string{bin}
	})
	if sandboxErr != nil {
		full := false
		buildReported.Do(func() { full = true })
		if full {
			t.Fatalf("building the sandbox under test failed: %v", sandboxErr)
		}
		t.Fatal("building the sandbox under test failed (output in the first failing test)")
	}
	if sandboxSkip != "" {
		t.Skip(sandboxSkip)
	}
	return sandboxPrefix
}

// result is what one run produced.
type result struct {
	stdout, stderr []byte
	status         int // exit code, or 128+N when killed by signal N
	signaled       bool
}

func (r result) String() string {
	how := "exit"
	if r.signaled {
		how = "killed, status"
	}
	return fmt.Sprintf("%s %d, stdout %d bytes, stderr %q", how, r.status, len(r.stdout), clip(r.stderr))
}

func clip(b []byte) string {
	const max = 400
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}

// run runs argv with the fixed environment, stdin from /dev/null and stdout
// and stderr into files (not pipes: a sandbox may leave a shared pipe
// non-blocking, and files keep a hung grandchild from blocking Wait).
func run(t *testing.T, dir string, argv ...string) (result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	tmp := t.TempDir()
	outF, err := os.Create(filepath.Join(tmp, "stdout"))
	if err != nil {
		t.Fatal(err)
	}
	defer outF.Close()
	errF, err := os.Create(filepath.Join(tmp, "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer errF.Close()

	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Dir = dir
	cmd.Stdout = outF
	cmd.Stderr = errF
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	runErr := cmd.Run()

	var r result
	r.stdout, _ = os.ReadFile(outF.Name())
	r.stderr, _ = os.ReadFile(errF.Name())
	if ctx.Err() != nil {
		return r, fmt.Errorf("%q timed out after %v (%v)", argv, runTimeout, r)
	}
	if cmd.ProcessState == nil {
		return r, runErr // could not start
	}
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	switch {
	case ws.Exited():
		r.status = ws.ExitStatus()
	case ws.Signaled():
		r.status = 128 + int(ws.Signal())
		r.signaled = true
	default:
		return r, fmt.Errorf("%q: unexpected wait status %v", argv, ws)
	}
	return r, nil
}

// runSandboxed runs `<sandbox> do argv...`.
func runSandboxed(t *testing.T, dir string, argv ...string) result {
	t.Helper()
	full := append(append(append([]string{}, sandbox(t)...), "do"), argv...)
	r, err := run(t, dir, full...)
	if err != nil {
		t.Fatalf("sandboxed run: %v", err)
	}
	if r.signaled {
		// The sandbox itself died of a signal instead of reporting 128+N.
		t.Errorf("the sandbox process itself was killed by signal %d (want it to exit with CMD's status)", r.status-128)
	}
	return r
}

// diffLine describes the first difference between two outputs.
func diffLine(want, got []byte) string {
	wl := strings.SplitAfter(string(want), "\n")
	gl := strings.SplitAfter(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("first difference at line %d:\n  native:  %q\n  sandbox: %q", i+1, w, g)
		}
	}
	return "outputs differ"
}

// compare requires the sandboxed run to match the native run exactly.
func compare(t *testing.T, native, sandboxed result) {
	t.Helper()
	if !bytes.Equal(native.stdout, sandboxed.stdout) {
		t.Errorf("stdout differs (native %d bytes, sandbox %d bytes); %s",
			len(native.stdout), len(sandboxed.stdout), diffLine(native.stdout, sandboxed.stdout))
	}
	if !bytes.Equal(native.stderr, sandboxed.stderr) {
		t.Errorf("stderr differs:\n  native:  %q\n  sandbox: %q", clip(native.stderr), clip(sandboxed.stderr))
	}
	if native.status != sandboxed.status {
		t.Errorf("exit status: native %d, sandbox %d", native.status, sandboxed.status)
	}
}

// differential runs argv natively and sandboxed in dir and compares them.
// wantStatus < 0 means any status, as long as both agree.
func differential(t *testing.T, dir string, wantStatus int, argv ...string) {
	t.Helper()
	if _, err := os.Stat(argv[0]); err != nil {
		t.Skipf("%s is absent: %v", argv[0], err)
	}
	sandbox(t) // build, or skip, before spending time on the native run
	native, err := run(t, dir, argv...)
	if err != nil {
		t.Fatalf("native run: %v", err)
	}
	if wantStatus >= 0 && native.status != wantStatus {
		t.Fatalf("native run: %v, want status %d (test or host problem)", native, wantStatus)
	}
	sandboxed := runSandboxed(t, dir, argv...)
	compare(t, native, sandboxed)
	if t.Failed() {
		t.Logf("native:  %v", native)
		t.Logf("sandbox: %v", sandboxed)
	}
}

func requireBusybox(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/bin/busybox"); err != nil {
		t.Skipf("/bin/busybox is absent (apt-get install busybox-static): %v", err)
	}
}

func TestDoDifferential(t *testing.T) {
	cases := []struct {
		name   string
		status int // expected native status; -1: any
		argv   []string
	}{
		{"busybox_echo", 0, []string{"/bin/busybox", "echo", "hi"}},
		{"busybox_ls_usr", 0, []string{"/bin/busybox", "ls", "-l", "/usr"}},
		{"busybox_cat_os-release", 0, []string{"/bin/busybox", "cat", "/etc/os-release"}},
		{"busybox_md5sum", 0, []string{"/bin/busybox", "md5sum", "/bin/busybox"}},
		{"ls_la_etc", 0, []string{"/bin/ls", "-la", "/etc"}},
		{"head_services", 0, []string{"/usr/bin/head", "-c", "100", "/etc/services"}},
		{"sha256sum_python", 0, []string{"/usr/bin/sha256sum", "/usr/bin/python3.11"}},
		{"true", 0, []string{"/bin/true"}},
		{"false", 1, []string{"/bin/false"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if strings.HasPrefix(tc.argv[0], "/bin/busybox") {
				requireBusybox(t)
			}
			differential(t, "/", tc.status, tc.argv...)
		})
	}
}

// TestDoSegfault runs a C program that writes through a NULL pointer: both
// runs die of SIGSEGV, and runsc must report it as exit status 128+11.
func TestDoSegfault(t *testing.T) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc is absent: cannot build the test program")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "segv.c")
	prog := `#include <stdio.h>
int main(void) {
	printf("before\n");
	fflush(stdout);
	*(volatile int *)0 = 42;
	printf("after\n");
	return 0;
}
`
	if err := os.WriteFile(src, []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "segv")
	if out, err := exec.Command(gcc, "-O0", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	sandbox(t)
	native, err := run(t, dir, bin)
	if err != nil {
		t.Fatalf("native run: %v", err)
	}
	if !native.signaled || native.status != 128+int(syscall.SIGSEGV) {
		t.Fatalf("native run: %v, want killed by SIGSEGV", native)
	}
	sandboxed := runSandboxed(t, dir, bin)
	compare(t, native, sandboxed)
	if sandboxed.status != 139 {
		t.Errorf("sandbox exit status %d, want 139 (128+SIGSEGV)", sandboxed.status)
	}
}

// TestDoBadInput checks that runsc reports programs it cannot run like a
// shell would: a non-zero exit and one line on stderr naming the path and
// the error.
func TestDoBadInput(t *testing.T) {
	sandbox(t) // build or skip once, before the subtests
	dir := t.TempDir()
	script := filepath.Join(dir, "not-elf")
	// Executable, no "#!", not ELF: execve fails with ENOEXEC.
	if err := os.WriteFile(script, []byte("echo this is not an ELF file\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		path string
		errs []syscall.Errno // any of these, as strerror text
	}{
		{"nonexistent", "/nonexistent", []syscall.Errno{syscall.ENOENT}},
		{"not_executable", "/etc/passwd", []syscall.Errno{syscall.EACCES, syscall.ENOEXEC}},
		{"not_elf", script, []syscall.Errno{syscall.ENOEXEC}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runSandboxed(t, "/", tc.path)
			if r.status == 0 {
				t.Errorf("runsc do %s exited 0, want non-zero", tc.path)
			}
			if len(r.stdout) != 0 {
				t.Errorf("stdout not empty: %q", clip(r.stdout))
			}
			msg := string(r.stderr)
			if n := strings.Count(msg, "\n"); n != 1 || !strings.HasSuffix(msg, "\n") {
				t.Errorf("stderr is %d lines, want exactly one line: %q", n, clip(r.stderr))
			}
			if !strings.Contains(msg, tc.path) {
				t.Errorf("stderr does not mention %s: %q", tc.path, clip(r.stderr))
			}
			// Compare case-insensitively: strerror's "No such file or
			// directory" and Go's "no such file or directory" both do.
			lower := strings.ToLower(msg)
			var names []string
			found := false
			for _, e := range tc.errs {
				names = append(names, fmt.Sprintf("%q", e.Error()))
				if strings.Contains(lower, strings.ToLower(e.Error())) {
					found = true
				}
			}
			if !found {
				t.Errorf("stderr mentions none of %s: %q", strings.Join(names, ", "), clip(r.stderr))
			}
		})
	}
}
