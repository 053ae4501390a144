package gofer_test

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	fsgofer "stockade.dev/fs/gofer"
	"stockade.dev/fs/vfs"
	"stockade.dev/gofer"
	"stockade.dev/gofer/proto"
)

// serve starts a server on dir over a socketpair and returns the
// filesystem's root.
func serve(t testing.TB, dir string, ro bool) (*gofer.Server, *fsgofer.FS, vfs.DirInode) {
	t.Helper()
	srv, err := gofer.NewServer(dir, gofer.Options{ReadOnly: ro, MaxFDs: 8})
	if err != nil {
		t.Fatal(err)
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { srv.Serve(fds[0]); close(done) }()
	c := fsgofer.NewClient(fds[1], 4)
	fs, root, err := fsgofer.New(c, fsgofer.Options{ReadOnly: ro})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		<-done
		srv.Close()
	})
	return srv, fs, root.(vfs.DirInode)
}

func lookup(t *testing.T, d vfs.DirInode, names ...string) vfs.Inode {
	t.Helper()
	var in vfs.Inode = d
	for _, n := range names {
		x, err := in.(vfs.DirInode).Lookup(n)
		if err != nil {
			t.Fatalf("lookup %q: %v", n, err)
		}
		in = x
	}
	return in
}

// vd places an inode in a throwaway VFS, for Open.
func vd(in vfs.Inode) vfs.VirtualDentry {
	v := vfs.New(in, "gofer", "test", 0)
	return v.Root()
}

func readAll(t *testing.T, in vfs.Inode) string {
	t.Helper()
	f, err := in.Open(vd(in), unix.O_RDONLY)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer f.DecRef()
	buf := make([]byte, 4096)
	n, err := f.Read([][]byte{buf}, 0)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(buf[:n])
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "a/b"), 0o755)
	os.WriteFile(filepath.Join(dir, "a/b/f"), []byte("hello"), 0o644)
	os.Symlink("b/f", filepath.Join(dir, "a/link"))
	srv, _, root := serve(t, dir, false)

	// walk, stat, read through the sent fd
	f := lookup(t, root, "a", "b", "f")
	var st unix.Stat_t
	if err := f.Stat(&st); err != nil || st.Size != 5 || st.Mode&unix.S_IFMT != unix.S_IFREG {
		t.Fatalf("stat: %v %+v", err, st)
	}
	if got := readAll(t, f); got != "hello" {
		t.Fatalf("read %q", got)
	}
	if _, err := lookup(t, root, "a").(vfs.DirInode).Lookup("missing"); err != unix.ENOENT {
		t.Fatalf("missing: %v", err)
	}
	// readlink (never followed by the gofer)
	l := lookup(t, root, "a", "link")
	if s, err := l.(vfs.SymlinkInode).Readlink(); err != nil || s != "b/f" {
		t.Fatalf("readlink %q %v", s, err)
	}
	if _, err := l.(vfs.DirInode); err {
		t.Fatal("a symlink is a directory")
	}

	// create + write through the fd; stat sees the write
	a := lookup(t, root, "a").(vfs.DirInode)
	n, err := a.Create("new", unix.S_IFREG|0o640, nil)
	if err != nil {
		t.Fatal(err)
	}
	wf, err := n.Open(vd(n), unix.O_WRONLY)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wf.Write([][]byte{[]byte("abcdef")}, -1); err != nil {
		t.Fatal(err)
	}
	if n.Stat(&st); st.Size != 6 {
		t.Fatalf("size while open %d", st.Size)
	}
	wf.DecRef()
	if b, _ := os.ReadFile(filepath.Join(dir, "a/new")); string(b) != "abcdef" {
		t.Fatalf("host sees %q", b)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "a/new")); fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v", fi.Mode())
	}
	// setattr: truncate, chmod, times
	size := int64(2)
	mode := uint32(0o600)
	mt := unix.Timespec{Sec: 1000}
	if err := n.(vfs.SetStatInode).SetStat(&vfs.SetStatOptions{Size: &size, Mode: &mode, Mtime: &mt}); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(filepath.Join(dir, "a/new"))
	if fi.Size() != 2 || fi.Mode().Perm() != 0o600 || fi.ModTime().Unix() != 1000 {
		t.Fatalf("after setattr: %v %v %v", fi.Size(), fi.Mode(), fi.ModTime())
	}
	// mkdir, symlink, link, mknod
	if _, err := a.Mkdir("sub", unix.S_IFDIR|0o700, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Symlink("sl", "/etc/passwd", nil); err != nil {
		t.Fatal(err)
	}
	if err := a.Link("hard", n); err != nil {
		t.Fatal(err)
	}
	if n.Stat(&st); st.Nlink != 2 {
		t.Fatalf("nlink %d", st.Nlink)
	}
	if _, err := a.Mknod("fifo", unix.S_IFIFO|0o600, 0, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Mknod("dev", unix.S_IFCHR|0o600, unix.Mkdev(1, 3), nil); err != unix.EPERM {
		t.Fatalf("mknod of a device: %v", err)
	}
	// rename, unlink, rmdir
	if err := a.Rename("new", root, "moved", 0); err != nil {
		t.Fatal(err)
	}
	// The inode follows its file across the rename.
	if got := readAll(t, n); got != "ab" {
		t.Fatalf("read after rename %q", got)
	}
	if err := a.Unlink("hard"); err != nil {
		t.Fatal(err)
	}
	if err := a.Rmdir("sub"); err != nil {
		t.Fatal(err)
	}
	if err := root.Rmdir("a"); err != unix.ENOTEMPTY {
		t.Fatalf("rmdir of a full dir: %v", err)
	}
	// getdents
	var names []string
	if err := a.IterDirents(0, func(d vfs.Dirent) bool { names = append(names, d.Name); return true }); err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	if want := []string{"b", "fifo", "link", "sl"}; !equal(names, want) {
		t.Fatalf("dirents %v, want %v", names, want)
	}
	// xattrs (tmpfs may lack user xattrs: skip those checks then)
	x := lookup(t, root, "moved").(vfs.XattrInode)
	if err := x.Setxattr("user.k", []byte("val"), 0); err == nil {
		buf := make([]byte, 64)
		if k, err := x.Getxattr("user.k", buf); err != nil || string(buf[:k]) != "val" {
			t.Fatalf("getxattr %q %v", buf[:k], err)
		}
		if k, err := x.Getxattr("user.k", nil); err != nil || k != 3 {
			t.Fatalf("getxattr size %d %v", k, err)
		}
		if k, err := x.Listxattr(buf); err != nil || !bytes.Contains(buf[:k], []byte("user.k\x00")) {
			t.Fatalf("listxattr %q %v", buf[:k], err)
		}
		if err := x.Removexattr("user.k"); err != nil {
			t.Fatal(err)
		}
		if _, err := x.Getxattr("user.k", buf); err != unix.ENODATA {
			t.Fatalf("removed xattr: %v", err)
		}
	} else if err != unix.EOPNOTSUPP {
		t.Fatalf("setxattr: %v", err)
	}
	// statfs
	var sfs unix.Statfs_t
	if err := root.(vfs.StatfsInode).Statfs(&sfs); err != nil || sfs.Bsize == 0 {
		t.Fatalf("statfs %v %+v", err, sfs)
	}
	// More lookups than MaxFDs (8): evicted handles are reopened.
	for i := 0; i < 20; i++ {
		os.WriteFile(filepath.Join(dir, "e"+string(rune('a'+i))), []byte{byte('a' + i)}, 0o644)
	}
	var ins []vfs.Inode
	for i := 0; i < 20; i++ {
		ins = append(ins, lookup(t, root, "e"+string(rune('a'+i))))
	}
	for i, in := range ins {
		if got := readAll(t, in); got != string(rune('a'+i)) {
			t.Fatalf("evicted file %d reads %q", i, got)
		}
	}
	if _, fds := srv.Handles(); fds > 8+2 {
		t.Fatalf("%d fds held, bound 8", fds)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestReadOnly(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644)
	_, _, root := serve(t, dir, true)
	f := lookup(t, root, "f")
	if _, err := f.Open(vd(f), unix.O_RDWR); err != unix.EROFS {
		t.Fatalf("open rw: %v", err)
	}
	if _, err := root.Create("g", 0o644, nil); err != unix.EROFS {
		t.Fatalf("create: %v", err)
	}
	if err := root.Unlink("f"); err != unix.EROFS {
		t.Fatalf("unlink: %v", err)
	}
	if got := readAll(t, f); got != "x" {
		t.Fatalf("read %q", got)
	}
}

// rawClient speaks the protocol directly, as a compromised sentry could.
type rawClient struct {
	t    *testing.T
	sock int
	buf  []byte
	oob  []byte
	id   uint64
}

func rawServe(t *testing.T, dir string, ro bool) *rawClient {
	srv, err := gofer.NewServer(dir, gofer.Options{ReadOnly: ro})
	if err != nil {
		t.Fatal(err)
	}
	fds, _ := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	done := make(chan struct{})
	go func() { srv.Serve(fds[0]); close(done) }()
	t.Cleanup(func() { unix.Close(fds[1]); <-done; srv.Close() })
	return &rawClient{t: t, sock: fds[1], buf: make([]byte, proto.MaxMessage), oob: make([]byte, proto.OOBSize)}
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

func TestEscapes(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret"), []byte("s"), 0o644)
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "d"), 0o755)
	os.Symlink("/etc", filepath.Join(dir, "abs"))
	os.Symlink("../../../../..", filepath.Join(dir, "up"))
	os.Symlink(outside, filepath.Join(dir, "out"))
	os.Symlink("/proc/self/root", filepath.Join(dir, "magic"))
	c := rawServe(t, dir, false)
	root := c.root()

	var w proto.WalkResp
	for _, name := range []string{"..", ".", "", "d/..", "/etc", "a\x00b"} {
		if e, _ := c.call(proto.OpWalk, &proto.WalkReq{Dir: root, Names: []string{name}}, &w); e != unix.EINVAL {
			t.Errorf("walk %q: %v, want EINVAL", name, e)
		}
	}
	// A symlink is returned as itself; walking through it stops there.
	for _, link := range []string{"abs", "up", "out", "magic"} {
		w = proto.WalkResp{}
		e, _ := c.call(proto.OpWalk, &proto.WalkReq{Dir: root, Names: []string{link, "passwd"}}, &w)
		if e != 0 || len(w.Entries) != 1 || w.Entries[0].Stat.Mode&unix.S_IFMT != unix.S_IFLNK {
			t.Errorf("walk through %s: %v %+v", link, e, w)
			continue
		}
		h := w.Entries[0].Handle
		// Opening the symlink handle never follows it.
		if e, fd := c.call(proto.OpOpen, &proto.OpenReq{Handle: h, Flags: unix.O_RDONLY}, nil); e != unix.ELOOP {
			t.Errorf("open of symlink %s: %v (fd %d)", link, e, fd)
			if fd >= 0 {
				unix.Close(fd)
			}
		}
		// Nor does using it as a directory.
		for _, op := range []proto.Op{proto.OpGetdents} {
			if e, _ := c.call(op, &proto.GetdentsReq{Dir: h}, &proto.GetdentsResp{}); e != unix.ENOTDIR {
				t.Errorf("%v on symlink %s: %v", op, link, e)
			}
		}
		if e, _ := c.call(proto.OpCreate, &proto.CreateReq{Dir: h, Name: "x", Flags: unix.O_RDWR, Mode: 0o644, UID: ^uint32(0)}, &proto.EntryResp{}); e != unix.ENOTDIR {
			t.Errorf("create below symlink %s: %v", link, e)
		}
	}
	if _, err := os.Stat(filepath.Join(outside, "x")); err == nil {
		t.Fatal("a file was made outside the root")
	}
	// Creating over an existing symlink fails instead of following it.
	if e, _ := c.call(proto.OpCreate, &proto.CreateReq{Dir: root, Name: "out", Flags: unix.O_RDWR, Mode: 0o644, UID: ^uint32(0)}, &proto.EntryResp{}); e != unix.EEXIST {
		t.Errorf("create over a symlink: %v", e)
	}
	// Unknown handles, ops, versions.
	if e, _ := c.call(proto.OpStat, &proto.HandleReq{Handle: 12345}, &proto.StatResp{}); e != unix.EBADF {
		t.Errorf("stat of a bad handle: %v", e)
	}
	if e, _ := c.call(proto.Op(99), nil, nil); e != unix.ENOSYS {
		t.Errorf("unknown op: %v", e)
	}
	msg := proto.AppendRequest(nil, proto.OpStat, 77, &proto.HandleReq{Handle: root})
	msg[4] = 9
	proto.Send(c.sock, msg, -1)
	got, _, _ := proto.Recv(c.sock, c.buf, c.oob)
	if e, _ := proto.DecodeResponse(got, nil, false); e != unix.EPROTONOSUPPORT {
		t.Errorf("foreign version: %v", e)
	}
	// A malformed body is EINVAL, and the connection lives on.
	msg = proto.AppendRequest(nil, proto.OpWalk, 78, &proto.WalkReq{Dir: root, Names: []string{"d"}})
	msg = msg[:len(msg)-1]
	msg[0]--
	proto.Send(c.sock, msg, -1)
	got, _, _ = proto.Recv(c.sock, c.buf, c.oob)
	if e, _ := proto.DecodeResponse(got, nil, false); e != unix.EINVAL {
		t.Errorf("truncated body: %v", e)
	}
	if e, _ := c.call(proto.OpStat, &proto.HandleReq{Handle: root}, &proto.StatResp{}); e != 0 {
		t.Errorf("connection dead after bad input: %v", e)
	}
}

func TestConcurrent(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 50; i++ {
		os.WriteFile(filepath.Join(dir, string(rune('A'+i))), []byte{byte('A' + i)}, 0o644)
	}
	_, _, root := serve(t, dir, true)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				in, err := root.Lookup(string(rune('A' + i)))
				if err != nil {
					t.Error(err)
					return
				}
				f, err := in.Open(vd(in), unix.O_RDONLY)
				if err != nil {
					t.Error(err)
					return
				}
				b := make([]byte, 4)
				n, _ := f.ReadAt(b, 0)
				f.DecRef()
				if n != 1 || b[0] != byte('A'+i) {
					t.Errorf("read %q", b[:n])
				}
			}
		}()
	}
	wg.Wait()
}
