package tmpfs

import (
	"testing"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/memfile"
)

// TestNewNamespace: a namespace made with VFS.NewNamespace (a pod
// container's root) resolves paths in its own tree only, mounts in it stay
// in it, and ReleaseNamespace forgets its mounts.
func TestNewNamespace(t *testing.T) {
	v, ctx, _ := newTestVFS(t)
	writeFile(t, v, ctx, "/first", "1")
	mf := newTestMemFile(t)
	other := New(mf, Options{Mode: 0o755})
	root := v.NewNamespace(other.Root(), "tmpfs", "other", 0)
	if !root.Mount.NamespaceRoot() || root.Mount.Parent() != nil {
		t.Fatal("the new namespace's root mount is not a namespace root")
	}
	octx := &vfs.Context{Creds: ctx.Creds, Root: root, Cwd: root, Umask: 0o022}
	writeFile(t, v, octx, "/second", "2")
	var st unix.Stat_t
	if err := v.StatAt(octx, vfs.VirtualDentry{}, "/first", true, false, &st); err != unix.ENOENT {
		t.Errorf("stat /first in the new namespace: %v, want ENOENT", err)
	}
	if err := v.StatAt(ctx, vfs.VirtualDentry{}, "/second", true, false, &st); err != unix.ENOENT {
		t.Errorf("stat /second in the first namespace: %v, want ENOENT", err)
	}
	if got := readFile(t, v, octx, "/../../second"); got != "2" {
		t.Errorf("/../../second in the new namespace: %q", got)
	}
	if err := v.MkdirAt(octx, vfs.VirtualDentry{}, "/mnt", 0o755); err != nil {
		t.Fatal(err)
	}
	at, err := v.Resolve(octx, vfs.VirtualDentry{}, "/mnt", vfs.ResolveOptions{Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Mount(at, New(mf, Options{Mode: 0o755}).Root(), "tmpfs", "inner", 0, ""); err != nil {
		t.Fatal(err)
	}
	if n := len(v.MountsOf(root)); n != 2 {
		t.Errorf("the new namespace has %d mounts, want 2", n)
	}
	if n := len(v.MountsOf(v.Root())); n != 1 {
		t.Errorf("the first namespace has %d mounts, want 1", n)
	}
	v.ReleaseNamespace(root)
	if n := len(v.MountsOf(root)); n != 1 {
		t.Errorf("after release the namespace still has %d mounts below its root", n-1)
	}
	v.ReleaseNamespace(v.Root()) // the first namespace is never released
	if n := len(v.MountsOf(v.Root())); n != 1 || readFile(t, v, ctx, "/first") != "1" {
		t.Error("releasing the first namespace changed it")
	}
}

func newTestMemFile(t *testing.T) *memfile.File {
	t.Helper()
	mf, err := memfile.New(1 << 30)
	if err != nil {
		t.Fatal(err)
	}
	return mf
}
