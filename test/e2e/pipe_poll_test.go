package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// buildC compiles testdata/<name>.c into a temporary directory and returns
// the directory and the binary's path; it skips the test without gcc.
func buildC(t *testing.T, name string) (dir, bin string) {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc is absent: cannot build the test program")
	}
	src, err := filepath.Abs(filepath.Join("testdata", name+".c"))
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	bin = filepath.Join(dir, name)
	if out, err := exec.Command(gcc, "-O1", "-Wall", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	return dir, bin
}

// TestPipePoll runs testdata/pipe_poll.c (pipes, pipe2 flags and sizes,
// eventfd, poll, ppoll, select, pselect6, level- and edge-triggered and
// one-shot epoll, nested epoll, EPIPE/SIGPIPE, temporary signal masks)
// natively and sandboxed: the outputs must be identical.
func TestPipePoll(t *testing.T) {
	dir, bin := buildC(t, "pipe_poll")
	differential(t, dir, 0, bin)
}

// runFed runs argv with stdin a host pipe that feed writes to (and then
// closes), stdout and stderr into buffers.
func runFed(t *testing.T, feed func(w *os.File), argv ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Dir = "/"
	cmd.Stdin = r
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	feed(w)
	w.Close()
	cmd.Wait()
	if ctx.Err() != nil {
		t.Fatalf("%q timed out", argv)
	}
	res := result{stdout: stdout.Bytes(), stderr: stderr.Bytes()}
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	switch {
	case ws.Exited():
		res.status = ws.ExitStatus()
	case ws.Signaled():
		res.status = 128 + int(ws.Signal())
		res.signaled = true
	}
	return res
}

// TestHostPipeStdin feeds a program's stdin through a host pipe, slowly:
// poll, epoll_wait and blocking reads on the host pipe must wait for the
// data (through the host notifier) and see end of file, natively and
// sandboxed alike.
func TestHostPipeStdin(t *testing.T) {
	_, bin := buildC(t, "pipe_poll")
	prefix := sandbox(t)
	feed := func(w *os.File) {
		for _, line := range []string{"one\n", "two\n", "three\n", "four\n"} {
			time.Sleep(200 * time.Millisecond)
			w.WriteString(line)
		}
	}
	native := runFed(t, feed, bin, "stdin")
	if native.status != 0 {
		t.Fatalf("native run: %v", native)
	}
	sandboxed := runFed(t, feed, append(append(append([]string{}, prefix...), "do"), bin, "stdin")...)
	compare(t, native, sandboxed)
	if t.Failed() {
		t.Logf("native:  %v\n%s", native, native.stdout)
		t.Logf("sandbox: %v\n%s", sandboxed, sandboxed.stdout)
	}
}

// TestHostPipeCat copies a host pipe to stdout with cat's blocking reads.
func TestHostPipeCat(t *testing.T) {
	if _, err := os.Stat("/bin/cat"); err != nil {
		t.Skip("/bin/cat is absent")
	}
	prefix := sandbox(t)
	var want bytes.Buffer
	feed := func(w *os.File) {
		for i := 0; i < 5; i++ {
			time.Sleep(50 * time.Millisecond)
			chunk := bytes.Repeat([]byte{byte('a' + i)}, 100000)
			w.Write(chunk)
		}
	}
	for i := 0; i < 5; i++ {
		want.Write(bytes.Repeat([]byte{byte('a' + i)}, 100000))
	}
	got := runFed(t, feed, append(append(append([]string{}, prefix...), "do"), "/bin/cat")...)
	if got.status != 0 || !bytes.Equal(got.stdout, want.Bytes()) {
		t.Errorf("runsc do cat: %v, %d bytes of output, want %d", got, len(got.stdout), want.Len())
	}
}
