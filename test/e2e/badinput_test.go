package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// buildTestdata compiles test/e2e/testdata/NAME.c.
func buildTestdata(t *testing.T, name string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name+".c"))
	if err != nil {
		t.Fatal(err)
	}
	return buildProcessProg(t, name, string(src))
}

// TestBadInputFuzz calls random system calls with random arguments (bad
// pointers, huge sizes, unknown flags) in many child processes: the sandbox
// must answer every one with an errno or a signal to the child, never a
// sentry panic, and keep running.
func TestBadInputFuzz(t *testing.T) {
	bin := buildTestdata(t, "fuzz")
	for seed := 1; seed <= 4; seed++ {
		r := runSandboxed(t, "/", bin, strconv.Itoa(seed*7919), "15")
		if r.status != 0 || strings.TrimSpace(string(r.stdout)) != "done" {
			t.Errorf("seed %d: %v, stdout %q", seed, r, r.stdout)
		}
		if strings.Contains(string(r.stderr), "internal error") {
			t.Errorf("seed %d: sentry bug: %s", seed, r.stderr)
		}
	}
}

// TestBadInputForkBomb: a process that forks until fork fails is stopped
// by RLIMIT_NPROC (as a non-root user) and the sentry stays responsive.
func TestBadInputForkBomb(t *testing.T) {
	bin := buildTestdata(t, "forkbomb")
	r := runSandboxed(t, "/", bin, "40", "1000")
	if os.Geteuid() == 0 {
		// Root is not bound by RLIMIT_NPROC (as on Linux): the loop stops
		// at its own bound.
		if got := strings.TrimSpace(string(r.stdout)); got != "forked 1000, then stopped" {
			t.Fatalf("as root: %q (%v)", got, r)
		}
	} else if got := strings.TrimSpace(string(r.stdout)); !strings.HasSuffix(got, "then EAGAIN") {
		t.Fatalf("fork bomb not stopped by RLIMIT_NPROC: %q (%v)", got, r)
	}
	// Still responsive afterwards.
	if out, err := exec.Command(sandbox(t)[0], append(sandbox(t)[1:], "do", "/bin/true")...).CombinedOutput(); err != nil {
		t.Fatalf("runsc do /bin/true after the fork bomb: %v %s", err, out)
	}
}
