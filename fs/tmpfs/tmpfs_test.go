package tmpfs

import (
	"bytes"
	"sort"
	"testing"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/memfile"
)

func newTestVFS(t *testing.T) (*vfs.VFS, *vfs.Context, *FS) {
	t.Helper()
	mf, err := memfile.New(1 << 30)
	if err != nil {
		t.Fatal(err)
	}
	fs := New(mf, Options{Mode: 0o755, SizeLimit: 64 << 20})
	v := vfs.New(fs.Root(), "tmpfs", "tmpfs", 0)
	ctx := &vfs.Context{Creds: vfs.RootCreds(), Root: v.Root(), Cwd: v.Root(), Umask: 0o022}
	return v, ctx, fs
}

func writeFile(t *testing.T, v *vfs.VFS, ctx *vfs.Context, path, data string) {
	t.Helper()
	f, err := v.OpenAt(ctx, vfs.VirtualDentry{}, path, unix.O_CREAT|unix.O_WRONLY|unix.O_TRUNC, 0o644)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.DecRef()
	if n, err := f.Write([][]byte{[]byte(data)}, -1); err != nil || n != len(data) {
		t.Fatalf("write %s: %d, %v", path, n, err)
	}
}

func readFile(t *testing.T, v *vfs.VFS, ctx *vfs.Context, path string) string {
	t.Helper()
	f, err := v.OpenAt(ctx, vfs.VirtualDentry{}, path, unix.O_RDONLY, 0)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.DecRef()
	var out []byte
	buf := make([]byte, 3000)
	for {
		n, err := f.Read([][]byte{buf}, -1)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return string(out)
		}
		out = append(out, buf[:n]...)
	}
}

func stat(t *testing.T, v *vfs.VFS, ctx *vfs.Context, path string) unix.Stat_t {
	t.Helper()
	var st unix.Stat_t
	if err := v.StatAt(ctx, vfs.VirtualDentry{}, path, false, false, &st); err != nil {
		t.Fatalf("stat %s: %v", path, err)
	}
	return st
}

func names(t *testing.T, v *vfs.VFS, ctx *vfs.Context, path string) []string {
	t.Helper()
	f, err := v.OpenAt(ctx, vfs.VirtualDentry{}, path, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.DecRef()
	var ns []string
	buf := make([]byte, 100) // small: several getdents calls
	for {
		n, err := f.Getdents(buf)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		for b := buf[:n]; len(b) > 0; {
			reclen := int(b[16]) | int(b[17])<<8
			name := string(bytes.TrimRight(b[19:reclen], "\x00"))
			if name != "." && name != ".." {
				ns = append(ns, name)
			}
			b = b[reclen:]
		}
	}
	sort.Strings(ns)
	return ns
}

func TestFileIO(t *testing.T) {
	v, ctx, fs := newTestVFS(t)
	big := bytes.Repeat([]byte("0123456789"), 1000)
	writeFile(t, v, ctx, "/a", string(big))
	if got := readFile(t, v, ctx, "/a"); got != string(big) {
		t.Fatalf("read back %d bytes, want %d", len(got), len(big))
	}
	st := stat(t, v, ctx, "/a")
	if st.Size != 10000 || st.Blocks != 3*8 || st.Mode != unix.S_IFREG|0o644 || st.Nlink != 1 || st.Blksize != 4096 {
		t.Fatalf("stat: size %d blocks %d mode %o nlink %d", st.Size, st.Blocks, st.Mode, st.Nlink)
	}
	// Sparse write far away, then holes read as zeros.
	f, _ := v.OpenAt(ctx, vfs.VirtualDentry{}, "/a", unix.O_RDWR, 0)
	if _, err := f.Write([][]byte{[]byte("x")}, 1<<20); err != nil {
		t.Fatal(err)
	}
	p := make([]byte, 10)
	if n, _ := f.Read([][]byte{p}, 500000); n != 10 || !bytes.Equal(p, make([]byte, 10)) {
		t.Fatalf("hole read %d %q", n, p)
	}
	if off, err := f.Seek(20000, unix.SEEK_DATA); err != nil || off != 1<<20 {
		t.Fatalf("SEEK_DATA = %d, %v", off, err)
	}
	if off, err := f.Seek(0, unix.SEEK_HOLE); err != nil || off != 12288 {
		t.Fatalf("SEEK_HOLE = %d, %v", off, err)
	}
	// Truncate down and up: the tail reads as zeros.
	sz := int64(5)
	if err := v.SetStat(ctx, f.(vfs.Locatable).Location(), &vfs.SetStatOptions{Size: &sz}); err != nil {
		t.Fatal(err)
	}
	sz = 8
	v.SetStat(ctx, f.(vfs.Locatable).Location(), &vfs.SetStatOptions{Size: &sz})
	if got := readFile(t, v, ctx, "/a"); got != "01234\x00\x00\x00" {
		t.Fatalf("after truncate: %q", got)
	}
	f.DecRef()
	// O_APPEND
	a, _ := v.OpenAt(ctx, vfs.VirtualDentry{}, "/a", unix.O_WRONLY|unix.O_APPEND, 0)
	a.Write([][]byte{[]byte("END")}, -1)
	a.DecRef()
	if got := readFile(t, v, ctx, "/a"); got != "01234\x00\x00\x00END" {
		t.Fatalf("after append: %q", got)
	}
	if err := v.UnlinkAt(ctx, vfs.VirtualDentry{}, "/a"); err != nil {
		t.Fatal(err)
	}
	if fs.UsedBytes() != 0 {
		t.Fatalf("%d bytes still used after unlink", fs.UsedBytes())
	}
}

func TestUnlinkedOpenFileKeepsData(t *testing.T) {
	v, ctx, fs := newTestVFS(t)
	writeFile(t, v, ctx, "/a", "data")
	f, _ := v.OpenAt(ctx, vfs.VirtualDentry{}, "/a", unix.O_RDONLY, 0)
	v.UnlinkAt(ctx, vfs.VirtualDentry{}, "/a")
	p := make([]byte, 10)
	if n, _ := f.Read([][]byte{p}, 0); string(p[:n]) != "data" {
		t.Fatalf("read %q", p[:n])
	}
	var st unix.Stat_t
	f.Stat(&st)
	if st.Nlink != 0 {
		t.Fatalf("nlink %d", st.Nlink)
	}
	f.DecRef()
	if fs.UsedBytes() != 0 {
		t.Fatal("pages not freed")
	}
}

func TestDirsLinksRename(t *testing.T) {
	v, ctx, _ := newTestVFS(t)
	for _, d := range []string{"/d", "/d/e", "/x"} {
		if err := v.MkdirAt(ctx, vfs.VirtualDentry{}, d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if st := stat(t, v, ctx, "/d"); st.Nlink != 3 {
		t.Fatalf("nlink of /d = %d, want 3", st.Nlink)
	}
	writeFile(t, v, ctx, "/d/f", "hello")
	if err := v.LinkAt(ctx, vfs.VirtualDentry{}, "/d/f", vfs.VirtualDentry{}, "/x/g", false, false); err != nil {
		t.Fatal(err)
	}
	if st := stat(t, v, ctx, "/x/g"); st.Nlink != 2 {
		t.Fatalf("nlink %d", st.Nlink)
	}
	if err := v.SymlinkAt(ctx, "../d/f", vfs.VirtualDentry{}, "/x/s"); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, v, ctx, "/x/s"); got != "hello" {
		t.Fatalf("via symlink: %q", got)
	}
	if err := v.RmdirAt(ctx, vfs.VirtualDentry{}, "/d"); err != unix.ENOTEMPTY {
		t.Fatalf("rmdir non-empty: %v", err)
	}
	// rename a directory to another parent.
	if err := v.RenameAt(ctx, vfs.VirtualDentry{}, "/d/e", vfs.VirtualDentry{}, "/x/e", 0); err != nil {
		t.Fatal(err)
	}
	if a, b := stat(t, v, ctx, "/d").Nlink, stat(t, v, ctx, "/x").Nlink; a != 2 || b != 3 {
		t.Fatalf("nlinks after dir rename %d %d", a, b)
	}
	if err := v.RenameAt(ctx, vfs.VirtualDentry{}, "/d/f", vfs.VirtualDentry{}, "/x/g", unix.RENAME_NOREPLACE); err != unix.EEXIST {
		t.Fatalf("NOREPLACE: %v", err)
	}
	writeFile(t, v, ctx, "/d/h", "other")
	if err := v.RenameAt(ctx, vfs.VirtualDentry{}, "/d/h", vfs.VirtualDentry{}, "/x/e", unix.RENAME_EXCHANGE); err != nil {
		t.Fatal(err)
	}
	if st := stat(t, v, ctx, "/d/h"); st.Mode&unix.S_IFMT != unix.S_IFDIR {
		t.Fatal("exchange did not swap")
	}
	if got := readFile(t, v, ctx, "/x/e"); got != "other" {
		t.Fatalf("exchanged file %q", got)
	}
	if a, b := stat(t, v, ctx, "/d").Nlink, stat(t, v, ctx, "/x").Nlink; a != 3 || b != 2 {
		t.Fatalf("nlinks after exchange %d %d", a, b)
	}
	if got := names(t, v, ctx, "/x"); len(got) != 3 || got[0] != "e" || got[1] != "g" || got[2] != "s" {
		t.Fatalf("names %v", got)
	}
	if err := v.RenameAt(ctx, vfs.VirtualDentry{}, "/d/f", vfs.VirtualDentry{}, "/x/g", 0); err != nil {
		t.Fatal(err)
	}
	if st := stat(t, v, ctx, "/x/g"); st.Nlink != 2 { // POSIX: a no-op
		t.Fatalf("rename over own link: nlink %d", st.Nlink)
	}
}

func TestGetdentsStableOffsets(t *testing.T) {
	v, ctx, _ := newTestVFS(t)
	var want []string
	for i := 0; i < 200; i++ {
		n := "file" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		writeFile(t, v, ctx, "/"+n, "")
		want = append(want, n)
	}
	sort.Strings(want)
	got := names(t, v, ctx, "/")
	if len(got) != len(want) {
		t.Fatalf("%d names, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("name %d: %q want %q", i, got[i], want[i])
		}
	}
}

func TestXattrChmodChownTimes(t *testing.T) {
	v, ctx, _ := newTestVFS(t)
	writeFile(t, v, ctx, "/f", "x")
	x, _, err := v.XattrAt(ctx, vfs.VirtualDentry{}, "/f", true, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Getxattr("user.a", nil); err != unix.ENODATA {
		t.Fatalf("missing: %v", err)
	}
	if err := x.Setxattr("user.a", []byte("vv"), unix.XATTR_REPLACE); err != unix.ENODATA {
		t.Fatalf("REPLACE missing: %v", err)
	}
	if err := x.Setxattr("user.a", []byte("vv"), unix.XATTR_CREATE); err != nil {
		t.Fatal(err)
	}
	if err := x.Setxattr("user.a", []byte("vv"), unix.XATTR_CREATE); err != unix.EEXIST {
		t.Fatalf("CREATE existing: %v", err)
	}
	if n, _ := x.Getxattr("user.a", nil); n != 2 {
		t.Fatalf("size %d", n)
	}
	if _, err := x.Getxattr("user.a", make([]byte, 1)); err != unix.ERANGE {
		t.Fatalf("small buffer: %v", err)
	}
	x.Setxattr("trusted.b", []byte("w"), 0)
	buf := make([]byte, 100)
	n, _ := x.Listxattr(buf)
	if string(buf[:n]) != "trusted.b\x00user.a\x00" {
		t.Fatalf("list %q", buf[:n])
	}
	if err := x.Removexattr("user.a"); err != nil {
		t.Fatal(err)
	}
	mode := uint32(0o4755)
	v.SetStatAt(ctx, vfs.VirtualDentry{}, "/f", true, false, &vfs.SetStatOptions{Mode: &mode})
	uid := uint32(7)
	v.SetStatAt(ctx, vfs.VirtualDentry{}, "/f", true, false, &vfs.SetStatOptions{UID: &uid})
	st := stat(t, v, ctx, "/f")
	if st.Mode != unix.S_IFREG|0o755 || st.Uid != 7 {
		t.Fatalf("chown: mode %o uid %d (want setuid cleared)", st.Mode, st.Uid)
	}
	at := unix.Timespec{Sec: 1000, Nsec: 5}
	omit := unix.Timespec{Nsec: unix.UTIME_OMIT}
	_ = omit
	v.SetStatAt(ctx, vfs.VirtualDentry{}, "/f", true, false, &vfs.SetStatOptions{Atime: &at})
	st2 := stat(t, v, ctx, "/f")
	if st2.Atim != at || st2.Mtim != st.Mtim {
		t.Fatalf("utimens: atime %v mtime %v (was %v)", st2.Atim, st2.Mtim, st.Mtim)
	}
	var sfs unix.Statfs_t
	if err := v.StatfsAt(ctx, vfs.VirtualDentry{}, "/", false, &sfs); err != nil || sfs.Type != Magic {
		t.Fatalf("statfs %x %v", sfs.Type, err)
	}
}

func TestSizeLimit(t *testing.T) {
	v, ctx, _ := newTestVFS(t) // 64 MiB
	f, _ := v.OpenAt(ctx, vfs.VirtualDentry{}, "/big", unix.O_CREAT|unix.O_WRONLY, 0o644)
	defer f.DecRef()
	chunk := make([]byte, 1<<20)
	var err error
	total := 0
	for i := 0; i < 100 && err == nil; i++ {
		var n int
		n, err = f.Write([][]byte{chunk}, -1)
		total += n
	}
	if err != unix.ENOSPC || total != 64<<20 {
		t.Fatalf("wrote %d then %v, want 64 MiB then ENOSPC", total, err)
	}
}

func TestFIFOAndMemfd(t *testing.T) {
	v, ctx, fs := newTestVFS(t)
	if err := v.MknodAt(ctx, vfs.VirtualDentry{}, "/p", unix.S_IFIFO|0o644, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := v.OpenAt(ctx, vfs.VirtualDentry{}, "/p", unix.O_WRONLY|unix.O_NONBLOCK, 0); err != unix.ENXIO {
		t.Fatalf("writer without readers: %v", err)
	}
	r, err := v.OpenAt(ctx, vfs.VirtualDentry{}, "/p", unix.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	w, err := v.OpenAt(ctx, vfs.VirtualDentry{}, "/p", unix.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if ch := w.(vfs.BlockingOpen).OpenWait(); ch != nil {
		t.Fatal("writer should not wait with a reader present")
	}
	w.Write([][]byte{[]byte("ping")}, -1)
	p := make([]byte, 10)
	if n, _ := r.Read([][]byte{p}, -1); string(p[:n]) != "ping" {
		t.Fatalf("fifo read %q", p[:n])
	}
	var st unix.Stat_t
	r.Stat(&st)
	if st.Mode&unix.S_IFMT != unix.S_IFIFO {
		t.Fatalf("fifo mode %o", st.Mode)
	}
	r.DecRef()
	w.DecRef()
	// A blocking reader waits for a writer.
	r2, _ := v.OpenAt(ctx, vfs.VirtualDentry{}, "/p", unix.O_RDONLY, 0)
	ch := r2.(vfs.BlockingOpen).OpenWait()
	if ch == nil {
		t.Fatal("reader should wait")
	}
	w2, _ := v.OpenAt(ctx, vfs.VirtualDentry{}, "/p", unix.O_WRONLY, 0)
	<-ch
	if r2.(vfs.BlockingOpen).OpenWait() != nil {
		t.Fatal("reader still waiting after writer opened")
	}
	r2.DecRef()
	w2.DecRef()

	m := fs.NewMemfd("x", 0, 0, true)
	m.Write([][]byte{[]byte("abc")}, -1)
	if err := m.AddSeals(SealWrite); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Write([][]byte{[]byte("d")}, -1); err != unix.EPERM {
		t.Fatalf("write after SEAL_WRITE: %v", err)
	}
	page, err := m.FilePage(0)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(fs.mf.Slice(page, 3)); got != "abc" {
		t.Fatalf("FilePage data %q", got)
	}
	fs.mf.DecRef(page, PageSize)
	m.DecRef()
}
