package control

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestRequestRoundTrip(t *testing.T) {
	r := &Request{Method: MethodExec, PID: 7, Signal: 9, All: true, Process: &Process{
		Args: []string{"sh", "-c", "echo hi"}, Env: []string{"A=b"}, Cwd: "/tmp", UID: 1000, GID: 100,
		Groups: []uint32{1, 2, 300}, Terminal: true, Rlimits: []Rlimit{{Resource: 7, Soft: 1024, Hard: 4096}}, NFDs: 3,
	}}
	var got Request
	if err := got.Unmarshal(r.Marshal()); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&got, r) {
		t.Errorf("round trip: got %+v, want %+v", got, r)
	}
}

func TestResponseRoundTrip(t *testing.T) {
	r := &Response{Error: "boom", PID: 3, Code: 4, Signal: 9,
		Procs: []ProcInfo{{PID: 1, PPID: 0, UID: 0, Cmd: "sleep 10", State: "S", Threads: 2, StartUnixNano: 12345, CPUNanos: 99, TTY: "pts/0"}},
		Stats: &Stats{MemoryUsage: 1, MemoryLimit: 2, Pids: 3, CPUTotalNanos: 4, CPUUserNanos: 5, CPUKernelN: 6}}
	var got Response
	if err := got.Unmarshal(r.Marshal()); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&got, r) {
		t.Errorf("round trip: got %+v, want %+v", got, r)
	}
}

// TestLongSocketPath: the control socket works in a directory whose path
// is longer than a sockaddr_un holds, and a dead socket reads as
// ErrNoSandbox.
func TestLongSocketPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), strings.Repeat("d", 60), strings.Repeat("e", 60))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := Listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(nil)
	go srv.Serve(l)
	if _, err := Call(dir, &Request{Method: "nosuch"}, nil); err == nil || !strings.Contains(err.Error(), "unknown control method") {
		t.Errorf("unknown method: %v", err)
	}
	srv.InitExited(kernelStatusForTest())
	resp, err := Call(dir, &Request{Method: MethodWait}, nil)
	if err != nil || resp.Code != 3 {
		t.Errorf("wait: %+v, %v; want code 3", resp, err)
	}
	l.Close()
	if _, err := Call(dir, &Request{Method: MethodWait}, nil); err != ErrNoSandbox {
		t.Errorf("call to a closed socket: %v; want ErrNoSandbox", err)
	}
}
