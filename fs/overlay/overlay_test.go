package overlay

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/host"
	"stockade.dev/fs/tmpfs"
	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/memfile"
)

var root = vfs.VirtualDentry{}

// setup builds a host lower tree in a temporary directory and an overlay of
// a tmpfs over it.
func setup(t *testing.T) (*vfs.VFS, *vfs.Context, string) {
	t.Helper()
	dir := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "d/sub"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "d/a"), []byte("lower a"), 0o640))
	must(os.WriteFile(filepath.Join(dir, "d/b"), []byte("lower b"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "d/sub/c"), []byte("lower c"), 0o644))
	must(os.Symlink("a", filepath.Join(dir, "d/link")))
	must(os.Mkdir(filepath.Join(dir, "empty"), 0o755))
	big := bytes.Repeat([]byte{0}, 20000)
	big[15000] = 'x'
	must(os.WriteFile(filepath.Join(dir, "sparse"), big, 0o644))
	unix.Setxattr(filepath.Join(dir, "d/a"), "user.k", []byte("v"), 0)

	_, lower, err := host.NewTreeFS(dir)
	must(err)
	mf, err := memfile.New(1 << 30)
	must(err)
	up := tmpfs.New(mf, tmpfs.Options{SizeLimit: -1})
	ofs, err := New(up.Root(), lower)
	must(err)
	v := vfs.New(ofs.Root(), "overlay", "overlay", 0)
	ctx := &vfs.Context{Creds: vfs.RootCreds(), Root: v.Root(), Cwd: v.Root(), Umask: 0o022}
	return v, ctx, dir
}

func read(t *testing.T, v *vfs.VFS, ctx *vfs.Context, path string) string {
	t.Helper()
	f, err := v.OpenAt(ctx, root, path, unix.O_RDONLY, 0)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.DecRef()
	buf := make([]byte, 1<<16)
	n, err := f.Read([][]byte{buf}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func write(t *testing.T, v *vfs.VFS, ctx *vfs.Context, path, data string, flags int) {
	t.Helper()
	f, err := v.OpenAt(ctx, root, path, unix.O_WRONLY|flags, 0o644)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.DecRef()
	if _, err := f.Write([][]byte{[]byte(data)}, -1); err != nil {
		t.Fatal(err)
	}
}

func list(t *testing.T, v *vfs.VFS, ctx *vfs.Context, path string) []string {
	t.Helper()
	f, err := v.OpenAt(ctx, root, path, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.DecRef()
	var ns []string
	buf := make([]byte, 64)
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

func stat(t *testing.T, v *vfs.VFS, ctx *vfs.Context, path string) unix.Stat_t {
	t.Helper()
	var st unix.Stat_t
	if err := v.StatAt(ctx, root, path, false, false, &st); err != nil {
		t.Fatalf("stat %s: %v", path, err)
	}
	return st
}

func eq(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

func TestCopyUpKeepsHostUntouched(t *testing.T) {
	v, ctx, dir := setup(t)
	before := stat(t, v, ctx, "/d/a")
	write(t, v, ctx, "/d/a", "upper!", unix.O_APPEND)
	if got := read(t, v, ctx, "/d/a"); got != "lower aupper!" {
		t.Fatalf("after append: %q", got)
	}
	after := stat(t, v, ctx, "/d/a")
	if after.Ino != before.Ino || after.Dev != before.Dev {
		t.Fatalf("inode changed on copy-up: %d/%d -> %d/%d", before.Dev, before.Ino, after.Dev, after.Ino)
	}
	if after.Mode != before.Mode || after.Uid != before.Uid {
		t.Fatalf("mode/owner not copied: %o %d", after.Mode, after.Uid)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "d/a")); string(data) != "lower a" {
		t.Fatalf("host file changed: %q", data)
	}
	x, _, _ := v.XattrAt(ctx, root, "/d/a", true, false)
	buf := make([]byte, 10)
	if n, err := x.Getxattr("user.k", buf); err == nil && string(buf[:n]) != "v" {
		t.Fatalf("xattr %q", buf[:n])
	}
	// Sparse data survive copy-up.
	write(t, v, ctx, "/sparse", "", 0)
	if got := read(t, v, ctx, "/sparse"); len(got) != 20000 || got[15000] != 'x' {
		t.Fatalf("sparse copy-up: %d bytes", len(got))
	}
	// chmod copies up too.
	mode := uint32(0o600)
	if err := v.SetStatAt(ctx, root, "/d/b", true, false, &vfs.SetStatOptions{Mode: &mode}); err != nil {
		t.Fatal(err)
	}
	if st := stat(t, v, ctx, "/d/b"); st.Mode&0o777 != 0o600 || read(t, v, ctx, "/d/b") != "lower b" {
		t.Fatalf("chmod copy-up: %o", st.Mode)
	}
	if fi, _ := os.Stat(filepath.Join(dir, "d/b")); fi.Mode().Perm() != 0o644 {
		t.Fatal("host mode changed")
	}
}

func TestWhiteoutsAndReaddir(t *testing.T) {
	v, ctx, dir := setup(t)
	eq(t, list(t, v, ctx, "/d"), "a", "b", "link", "sub")
	write(t, v, ctx, "/d/new", "n", unix.O_CREAT)
	write(t, v, ctx, "/d/a", "changed", unix.O_TRUNC)
	eq(t, list(t, v, ctx, "/d"), "a", "b", "link", "new", "sub")
	if err := v.UnlinkAt(ctx, root, "/d/b"); err != nil {
		t.Fatal(err)
	}
	if err := v.UnlinkAt(ctx, root, "/d/a"); err != nil {
		t.Fatal(err)
	}
	eq(t, list(t, v, ctx, "/d"), "link", "new", "sub")
	if _, err := v.OpenAt(ctx, root, "/d/b", unix.O_RDONLY, 0); err != unix.ENOENT {
		t.Fatalf("whited-out file: %v", err)
	}
	// A new file over a whiteout is the new file alone.
	write(t, v, ctx, "/d/b", "again", unix.O_CREAT)
	if got := read(t, v, ctx, "/d/b"); got != "again" {
		t.Fatalf("recreated: %q", got)
	}
	// rmdir of a non-empty lower dir fails; emptied, it works, and a new
	// directory there is opaque.
	if err := v.RmdirAt(ctx, root, "/d/sub"); err != unix.ENOTEMPTY {
		t.Fatalf("rmdir non-empty: %v", err)
	}
	if err := v.UnlinkAt(ctx, root, "/d/sub/c"); err != nil {
		t.Fatal(err)
	}
	if err := v.RmdirAt(ctx, root, "/d/sub"); err != nil {
		t.Fatal(err)
	}
	if err := v.MkdirAt(ctx, root, "/d/sub", 0o700); err != nil {
		t.Fatal(err)
	}
	eq(t, list(t, v, ctx, "/d/sub"))
	if _, err := os.Stat(filepath.Join(dir, "d/sub/c")); err != nil {
		t.Fatal("host file removed")
	}
	eq(t, list(t, v, ctx, "/"), "d", "empty", "sparse")
}

func TestRenameLinkSymlink(t *testing.T) {
	v, ctx, _ := setup(t)
	ino := stat(t, v, ctx, "/d/a").Ino
	if err := v.RenameAt(ctx, root, "/d/a", root, "/empty/moved", 0); err != nil {
		t.Fatal(err)
	}
	if got := read(t, v, ctx, "/empty/moved"); got != "lower a" {
		t.Fatalf("moved: %q", got)
	}
	if st := stat(t, v, ctx, "/empty/moved"); st.Ino != ino {
		t.Fatal("ino changed by rename")
	}
	eq(t, list(t, v, ctx, "/d"), "b", "link", "sub")
	if err := v.RenameAt(ctx, root, "/d/sub", root, "/d/sub2", 0); err != unix.EXDEV {
		t.Fatalf("rename of a lower dir: %v, want EXDEV", err)
	}
	// Directories made in the overlay can move.
	v.MkdirAt(ctx, root, "/newdir", 0o755)
	write(t, v, ctx, "/newdir/f", "f", unix.O_CREAT)
	if err := v.RenameAt(ctx, root, "/newdir", root, "/d/nd", 0); err != nil {
		t.Fatal(err)
	}
	if got := read(t, v, ctx, "/d/nd/f"); got != "f" {
		t.Fatal(got)
	}
	if err := v.LinkAt(ctx, root, "/d/b", root, "/d/b2", false, false); err != nil {
		t.Fatal(err)
	}
	if st := stat(t, v, ctx, "/d/b2"); st.Nlink != 2 {
		t.Fatalf("nlink %d", st.Nlink)
	}
	if err := v.SymlinkAt(ctx, "b2", root, "/d/s"); err != nil {
		t.Fatal(err)
	}
	if got := read(t, v, ctx, "/d/s"); got != "lower b" {
		t.Fatal(got)
	}
	if got, _ := v.ReadlinkAt(ctx, root, "/d/link"); got != "a" {
		t.Fatal(got)
	}
	// Exchange an upper file with a lower one.
	write(t, v, ctx, "/d/x", "x", unix.O_CREAT)
	if err := v.RenameAt(ctx, root, "/d/x", root, "/d/b", unix.RENAME_EXCHANGE); err != nil {
		t.Fatal(err)
	}
	if read(t, v, ctx, "/d/b") != "x" || read(t, v, ctx, "/d/x") != "lower b" {
		t.Fatal("exchange")
	}
	var sfs unix.Statfs_t
	if err := v.StatfsAt(ctx, root, "/", false, &sfs); err != nil || sfs.Type != Magic {
		t.Fatalf("statfs %x %v", sfs.Type, err)
	}
}
