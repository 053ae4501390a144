package gofer_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"stockade.dev/gofer"
	"stockade.dev/gofer/proto"
)

// TestPivotChild is the gofer side of TestPivot, run in a new mount
// namespace by it.
func TestPivotChild(t *testing.T) {
	root := os.Getenv("STOCKADE_TEST_PIVOT_ROOT")
	if root == "" {
		t.Skip("run by TestPivot")
	}
	outside := os.Getenv("STOCKADE_TEST_PIVOT_OUTSIDE")
	srv, err := gofer.NewServer(root, gofer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := gofer.PivotInto(root); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/marker"); err != nil {
		t.Fatalf("the root is not / after the pivot: %v", err)
	}
	if _, err := os.Stat(outside); err == nil {
		t.Fatalf("%s is still reachable after the pivot", outside)
	}
	if err := srv.Serve(3); err != nil {
		t.Fatal(err)
	}
}

func TestPivot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (CAP_SYS_ADMIN) for a mount namespace")
	}
	root, outside := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(root, "marker"), []byte("inside"), 0o644)
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPivotChild$", "-test.v")
	cmd.Env = append(os.Environ(), "STOCKADE_TEST_PIVOT_ROOT="+root, "STOCKADE_TEST_PIVOT_OUTSIDE="+outside)
	cmd.ExtraFiles = []*os.File{os.NewFile(uintptr(fds[0]), "gofer")}
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWNS}
	out := &limitedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot start a gofer in a mount namespace: %v", err)
	}
	cmd.ExtraFiles[0].Close()
	c := &rawClient{t: t, sock: fds[1], buf: make([]byte, proto.MaxMessage), oob: make([]byte, proto.OOBSize)}
	h := c.root()
	var w proto.WalkResp
	if e, _ := c.call(proto.OpWalk, &proto.WalkReq{Dir: h, Names: []string{"marker"}}, &w); e != 0 {
		t.Fatalf("walk: %v", e)
	}
	e, fd := c.call(proto.OpOpen, &proto.OpenReq{Handle: w.Entries[0].Handle}, nil)
	if e != 0 {
		t.Fatalf("open: %v", e)
	}
	b := make([]byte, 16)
	n, _ := unix.Pread(fd, b, 0)
	unix.Close(fd)
	if string(b[:n]) != "inside" {
		t.Fatalf("read %q", b[:n])
	}
	unix.Close(fds[1])
	if err := cmd.Wait(); err != nil {
		t.Fatalf("gofer: %v\n%s", err, out.b)
	}
}

type limitedBuffer struct{ b []byte }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if len(l.b) < 1<<16 {
		l.b = append(l.b, p...)
	}
	return len(p), nil
}

// rawClient speaks the protocol directly.
type rawClient struct {
	t    *testing.T
	sock int
	buf  []byte
	oob  []byte
	id   uint64
}

func (c *rawClient) call(op proto.Op, req, resp proto.Message) (unix.Errno, int) {
	c.t.Helper()
	c.id++
	if err := proto.Send(c.sock, proto.AppendRequest(nil, op, c.id, req), -1); err != nil {
		c.t.Fatal(err)
	}
	msg, fd, err := proto.Recv(c.sock, c.buf, c.oob)
	if err != nil || len(msg) == 0 {
		c.t.Fatalf("recv: %v (%d bytes)", err, len(msg))
	}
	errno, err := proto.DecodeResponse(msg, resp, op == proto.OpWalk)
	if err != nil {
		c.t.Fatalf("%v: response: %v", op, err)
	}
	return errno, fd
}

func (c *rawClient) root() uint64 {
	var r proto.EntryResp
	if e, _ := c.call(proto.OpAttach, nil, &r); e != 0 {
		c.t.Fatal(e)
	}
	return r.Handle
}
