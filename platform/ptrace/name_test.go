package ptrace

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"stockade.dev/platform"
)

// TestSetName: the stub's host comm becomes the program's name (host ps
// and docker top show it), truncated as Linux truncates comm.
func TestSetName(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	_, _, as := setup(t)
	defer as.Release()
	hp := as.(platform.HostProcess)
	for _, c := range []struct{ name, want string }{
		{"sleep", "sleep"},
		{"a-very-long-program-name", "a-very-long-pro"},
	} {
		hp.SetName(c.name)
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", hp.HostPID()))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(string(b)); got != c.want {
			t.Errorf("SetName(%q): comm %q, want %q", c.name, got, c.want)
		}
	}
}
