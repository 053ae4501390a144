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

func TestCreateContainerRoundTrip(t *testing.T) {
	r := &Request{Method: MethodCreateContainer, Container: &Container{
		ID: "c1", Spec: []byte(`{"ociVersion":"1.0.2"}`), Rootfs: "/b/rootfs", NStdio: 3,
		BindFiles: []string{"", "hosts", ""},
	}}
	var got Request
	if err := got.Unmarshal(r.Marshal()); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&got, r) {
		t.Errorf("round trip: got %+v, want %+v", got.Container, r.Container)
	}
	resp := &Response{Status: "running", PID: 12}
	var gotResp Response
	if err := gotResp.Unmarshal(resp.Marshal()); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&gotResp, resp) {
		t.Errorf("response round trip: got %+v, want %+v", gotResp, resp)
	}
}

// TestContainerStateAndDestroy: a later container's server answers state
// (created, then stopped with SIGKILL's status once destroyed) and the
// first container's refuses destroy and, without a hook, create-container.
func TestContainerStateAndDestroy(t *testing.T) {
	dir := t.TempDir()
	l, err := Listen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	srv := NewServer(nil)
	destroyed := false
	srv.Destroy = func() { destroyed = true }
	go srv.Serve(l)
	resp, err := Call(dir, &Request{Method: MethodState}, nil)
	if err != nil || resp.Status != "created" {
		t.Fatalf("state: %+v, %v; want created", resp, err)
	}
	if _, err := Call(dir, &Request{Method: MethodDestroy}, nil); err != nil || !destroyed {
		t.Fatalf("destroy: %v (hook ran: %v)", err, destroyed)
	}
	resp, err = Call(dir, &Request{Method: MethodState}, nil)
	if err != nil || resp.Status != "stopped" || resp.Signal != 9 {
		t.Errorf("state after destroy: %+v, %v; want stopped by signal 9", resp, err)
	}
	resp, err = Call(dir, &Request{Method: MethodWait}, nil)
	if err != nil || resp.Signal != 9 {
		t.Errorf("wait after destroy: %+v, %v; want signal 9", resp, err)
	}

	dir2 := t.TempDir()
	l2, err := Listen(dir2)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	go NewServer(nil).Serve(l2)
	if _, err := Call(dir2, &Request{Method: MethodDestroy}, nil); err == nil {
		t.Error("destroy on the first container's server succeeded")
	}
	if _, err := Call(dir2, &Request{Method: MethodCreateContainer, Container: &Container{ID: "x"}}, nil); err == nil {
		t.Error("create-container without a hook succeeded")
	}
}
