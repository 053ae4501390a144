package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDoGoferConfined checks, from the host, the gofer of `runsc do
// --gofer` (runsc/cmd/gofer.go startDoGofer): read-only, seccomp filter,
// no_new_privs, and as root only the read-only gofer's capabilities
// (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER: 0xe) in every set.
func TestDoGoferConfined(t *testing.T) {
	prefix := ourSandbox(t)
	argv := append(append([]string{}, prefix...), "do", "--gofer", "/bin/sleep", "60")
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	// The gofer is runsc's child as soon as runsc starts it.
	var gofer int
	deadline := time.Now().Add(30 * time.Second)
	for gofer == 0 && time.Now().Before(deadline) {
		gofer = doGoferChild(cmd.Process.Pid)
		if gofer == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if gofer == 0 {
		t.Fatalf("no gofer process under runsc do --gofer (pid %d)", cmd.Process.Pid)
	}
	// Its confinement follows its start: wait for the seccomp filter.
	var st map[string]string
	for time.Now().Before(deadline) {
		st = procStatus(t, gofer)
		if st["Seccomp"] == "2" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cl, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", gofer))
	if !strings.Contains(string(cl), "\x00--ro\x00") {
		t.Errorf("gofer command line %q: not read-only (--ro)", cl)
	}
	if st["Seccomp"] != "2" || st["NoNewPrivs"] != "1" {
		t.Errorf("gofer: Seccomp %q NoNewPrivs %q, want 2 and 1", st["Seccomp"], st["NoNewPrivs"])
	}
	want := uint64(0)
	if os.Geteuid() == 0 {
		want = 0xe
	}
	for f, w := range map[string]uint64{"CapPrm": want, "CapEff": want, "CapAmb": 0, "CapInh": 0} {
		if got := capMask(t, st, f); got != w {
			t.Errorf("gofer %s = %#x, want %#x", f, got, w)
		}
	}
	// A non-root caller has no capabilities; its bounding set is not
	// the gofer's to limit.
	if os.Geteuid() == 0 {
		if got := capMask(t, st, "CapBnd"); got != want {
			t.Errorf("gofer CapBnd = %#x, want %#x", got, want)
		}
	}
}

// doGoferChild returns the pid of the `runsc gofer` child of pid, or 0.
func doGoferChild(pid int) int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, p := range tasks {
		b, _ := os.ReadFile(p)
		for _, f := range strings.Fields(string(b)) {
			cl, _ := os.ReadFile("/proc/" + f + "/cmdline")
			if strings.Contains(string(cl), "\x00gofer\x00") {
				n, _ := strconv.Atoi(f)
				return n
			}
		}
	}
	return 0
}
