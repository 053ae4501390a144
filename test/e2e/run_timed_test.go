package e2e

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// runTimed runs a client command (docker, ctr) with stdin (nil: none) and
// returns its output and exit code (255 when a signal ended it). A command
// still running after runTimeout is killed and fails t with what diag
// returns (the daemon's or runsc's logs).
func runTimed(t *testing.T, cmd *exec.Cmd, stdin []byte, diag func() string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", cmd.Args[0], err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(runTimeout):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%s: timed out\n%s", strings.Join(cmd.Args, " "), diag())
	}
	code = cmd.ProcessState.ExitCode()
	if code < 0 {
		code = 255
	}
	return out.String(), errb.String(), code
}
