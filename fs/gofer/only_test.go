package gofer_test

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"stockade.dev/gofer"
	"stockade.dev/gofer/proto"
)

// TestOnly: a server of one file's directory (a bind mount of a file)
// reaches that name and nothing else of the directory.
func TestOnly(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bound"), []byte("b"), 0o644)
	os.WriteFile(filepath.Join(dir, "sibling"), []byte("s"), 0o644)
	srv, err := gofer.NewServer(dir, gofer.Options{Only: "bound"})
	if err != nil {
		t.Fatal(err)
	}
	fds, _ := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	done := make(chan struct{})
	go func() { srv.Serve(fds[0]); close(done) }()
	t.Cleanup(func() { unix.Close(fds[1]); <-done; srv.Close() })
	c := &rawClient{t: t, sock: fds[1], buf: make([]byte, proto.MaxMessage), oob: make([]byte, proto.OOBSize)}
	root := c.root()

	var w proto.WalkResp
	if e, _ := c.call(proto.OpWalk, &proto.WalkReq{Dir: root, Names: []string{"sibling"}}, &w); e != unix.ENOENT {
		t.Errorf("walk to a sibling: %v, want ENOENT", e)
	}
	if e, _ := c.call(proto.OpWalk, &proto.WalkReq{Dir: root, Names: []string{"bound"}}, &w); e != 0 || len(w.Entries) != 1 {
		t.Fatalf("walk to the file: %v, %d entries", e, len(w.Entries))
	}
	f := w.Entries[0].Handle
	e, fd := c.call(proto.OpOpen, &proto.OpenReq{Handle: f, Flags: unix.O_RDWR}, nil)
	if e != 0 || fd < 0 {
		t.Fatalf("open of the file: %v", e)
	}
	unix.Close(fd)
	if e, fd := c.call(proto.OpOpen, &proto.OpenReq{Handle: root, Flags: unix.O_RDONLY | unix.O_DIRECTORY}, nil); e != unix.EPERM {
		if fd >= 0 {
			unix.Close(fd)
		}
		t.Errorf("open of the directory: %v, want EPERM", e)
	}
	var d proto.GetdentsResp
	if e, _ := c.call(proto.OpGetdents, &proto.GetdentsReq{Dir: root}, &d); e != unix.EPERM {
		t.Errorf("getdents of the directory: %v, want EPERM", e)
	}
	var cr proto.EntryResp
	if e, fd := c.call(proto.OpCreate, &proto.CreateReq{Dir: root, Name: "new", Flags: unix.O_RDWR, Mode: 0o644}, &cr); e != unix.EPERM {
		if fd >= 0 {
			unix.Close(fd)
		}
		t.Errorf("create in the directory: %v, want EPERM", e)
	}
	if e, _ := c.call(proto.OpUnlink, &proto.UnlinkReq{Dir: root, Name: "sibling"}, nil); e != unix.EPERM {
		t.Errorf("unlink in the directory: %v, want EPERM", e)
	}
	if _, err := os.Stat(filepath.Join(dir, "new")); err == nil {
		t.Error("a file was created beside the served one")
	}
}
