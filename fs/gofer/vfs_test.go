package gofer_test

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/overlay"
	"stockade.dev/fs/tmpfs"
	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/memfile"
)

func vread(t *testing.T, v *vfs.VFS, ctx *vfs.Context, path string) (string, error) {
	t.Helper()
	f, err := v.OpenAt(ctx, vfs.VirtualDentry{}, path, unix.O_RDONLY, 0)
	if err != nil {
		return "", err
	}
	defer f.DecRef()
	buf := make([]byte, 1<<16)
	n, err := f.Read([][]byte{buf}, 0)
	return string(buf[:n]), err
}

func vwrite(t *testing.T, v *vfs.VFS, ctx *vfs.Context, path, data string) {
	t.Helper()
	f, err := v.OpenAt(ctx, vfs.VirtualDentry{}, path, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC, 0o644)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.DecRef()
	if _, err := f.Write([][]byte{[]byte(data)}, -1); err != nil {
		t.Fatal(err)
	}
}

// The gofer filesystem as the read-only lower layer of an overlay: writes
// stay in the upper layer.
func TestOverlayLower(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "etc"), 0o755)
	os.WriteFile(filepath.Join(dir, "etc/conf"), []byte("lower"), 0o644)
	_, _, lower := serve(t, dir, true)
	mf, err := memfile.New(1 << 28)
	if err != nil {
		t.Fatal(err)
	}
	up := tmpfs.New(mf, tmpfs.Options{SizeLimit: -1})
	ofs, err := overlay.New(up.Root(), lower)
	if err != nil {
		t.Fatal(err)
	}
	v := vfs.New(ofs.Root(), "overlay", "overlay", 0)
	ctx := &vfs.Context{Creds: vfs.RootCreds(), Root: v.Root(), Cwd: v.Root(), Umask: 0o022}
	if s, err := vread(t, v, ctx, "/etc/conf"); err != nil || s != "lower" {
		t.Fatalf("read %q %v", s, err)
	}
	vwrite(t, v, ctx, "/etc/conf", "upper")
	vwrite(t, v, ctx, "/etc/new", "new")
	if s, _ := vread(t, v, ctx, "/etc/conf"); s != "upper" {
		t.Fatalf("after copy-up %q", s)
	}
	if err := v.UnlinkAt(ctx, vfs.VirtualDentry{}, "/etc/conf"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "etc/conf")); string(b) != "lower" {
		t.Fatalf("host file changed: %q", b)
	}
	if _, err := os.Stat(filepath.Join(dir, "etc/new")); err == nil {
		t.Fatal("a sandbox file reached the host")
	}
}

// A writable mount (a bind mount rw): the sentry resolves paths, symlinks
// included, inside its own tree; nothing escapes the served directory.
func TestWritableMount(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o644)
	dir := t.TempDir()
	os.Symlink(outside+"/secret", filepath.Join(dir, "abs"))
	os.Symlink("../../../../../../"+outside+"/secret", filepath.Join(dir, "rel"))
	_, _, root := serve(t, dir, false)
	v := vfs.New(root, "gofer", dir, 0)
	ctx := &vfs.Context{Creds: vfs.RootCreds(), Root: v.Root(), Cwd: v.Root(), Umask: 0o022}
	vwrite(t, v, ctx, "/f", "data")
	if b, _ := os.ReadFile(filepath.Join(dir, "f")); string(b) != "data" {
		t.Fatalf("host sees %q", b)
	}
	var st unix.Stat_t
	if err := v.StatAt(ctx, vfs.VirtualDentry{}, "/f", true, false, &st); err != nil || st.Size != 4 {
		t.Fatalf("stat %v %d", err, st.Size)
	}
	if err := v.MkdirAt(ctx, vfs.VirtualDentry{}, "/d", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := v.RenameAt(ctx, vfs.VirtualDentry{}, "/f", vfs.VirtualDentry{}, "/d/g", 0); err != nil {
		t.Fatal(err)
	}
	if s, err := vread(t, v, ctx, "/d/g"); err != nil || s != "data" {
		t.Fatalf("after rename %q %v", s, err)
	}
	// Symlinks resolve in the sandbox's tree: the absolute one and the
	// one climbing above the root both miss the host's file.
	for _, p := range []string{"/abs", "/rel", "/../../" + outside + "/secret"} {
		if s, err := vread(t, v, ctx, p); err == nil {
			t.Errorf("%s read %q", p, s)
		}
	}
	// A symlink made by the sandbox is stored as it is.
	if err := v.SymlinkAt(ctx, "/etc/passwd", vfs.VirtualDentry{}, "/sl"); err != nil {
		t.Fatal(err)
	}
	if l, err := os.Readlink(filepath.Join(dir, "sl")); err != nil || l != "/etc/passwd" {
		t.Fatalf("host link %q %v", l, err)
	}
	if _, err := vread(t, v, ctx, "/sl"); err != unix.ENOENT {
		t.Errorf("/sl leads out of the root: %v", err)
	}
	if err := v.UnlinkAt(ctx, vfs.VirtualDentry{}, "/d/g"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "d/g")); err == nil {
		t.Fatal("unlink did not reach the host")
	}
}
