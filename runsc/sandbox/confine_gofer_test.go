package sandbox

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestLimitThreadBoundingSet checks that a process started by a thread
// whose bounding set was limited starts, as root, with only the kept
// capabilities, and that the process's other threads keep theirs.
func TestLimitThreadBoundingSet(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (a non-root caller has no capabilities to limit)")
	}
	want := capSet(GoferReadOnlyKeepCaps)
	out := make(chan string, 1)
	release := make(chan struct{})
	go func() {
		runtime.LockOSThread()       // never unlocked: the thread ends with the goroutine
		defer func() { <-release }() // keep this thread until the check below
		if err := LimitThreadBoundingSet(GoferReadOnlyKeepCaps); err != nil {
			out <- "error: " + err.Error()
			return
		}
		b, err := exec.Command("/bin/cat", "/proc/self/status").Output()
		if err != nil {
			out <- "error: " + err.Error()
			return
		}
		out <- string(b)
	}()
	defer close(release)
	status := <-out
	if strings.HasPrefix(status, "error: ") {
		t.Fatal(status)
	}
	for _, field := range []string{"CapBnd", "CapPrm", "CapEff"} {
		if got := statusCaps(t, status, field); got != want {
			t.Errorf("child's %s = %#x, want %#x", field, got, want)
		}
	}
	// Another thread (the limited one is still locked to its goroutine)
	// keeps its bounding set.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	self, err := os.ReadFile("/proc/thread-self/status")
	if err != nil {
		t.Fatal(err)
	}
	if got := statusCaps(t, string(self), "CapBnd"); got == want {
		t.Errorf("another thread lost its bounding set too (%#x)", got)
	}
}

func statusCaps(t *testing.T, status, field string) uint64 {
	t.Helper()
	for _, line := range strings.Split(status, "\n") {
		name, val, ok := strings.Cut(line, ":")
		if ok && name == field {
			v, err := strconv.ParseUint(strings.TrimSpace(val), 16, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return v
		}
	}
	t.Fatalf("no %s in /proc/PID/status", field)
	return 0
}
