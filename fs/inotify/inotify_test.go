package inotify

import (
	"encoding/binary"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/tmpfs"
	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/memfile"
)

func newVFS(t *testing.T) (*vfs.VFS, *vfs.Context) {
	t.Helper()
	mf, err := memfile.New(1 << 28)
	if err != nil {
		t.Fatal(err)
	}
	fs := tmpfs.New(mf, tmpfs.Options{Mode: 0o755, SizeLimit: 16 << 20})
	v := vfs.New(fs.Root(), "tmpfs", "tmpfs", 0)
	return v, &vfs.Context{Creds: vfs.RootCreds(), Root: v.Root(), Cwd: v.Root(), Umask: 0o022}
}

// drain reads every queued event as "wd:MASK:name" strings.
func drain(t *testing.T, i *Instance) []string {
	t.Helper()
	buf := make([]byte, 4096)
	n, err := i.Read([][]byte{buf}, -1)
	if err == unix.EAGAIN {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for p := 0; p < n; {
		wd := int32(binary.LittleEndian.Uint32(buf[p:]))
		mask := binary.LittleEndian.Uint32(buf[p+4:])
		l := int(binary.LittleEndian.Uint32(buf[p+12:]))
		name := strings.TrimRight(string(buf[p+16:p+16+l]), "\x00")
		out = append(out, maskName(wd, mask, name))
		p += 16 + l
	}
	return out
}

func maskName(wd int32, mask uint32, name string) string {
	names := []struct {
		bit uint32
		s   string
	}{{unix.IN_ACCESS, "ACCESS"}, {unix.IN_MODIFY, "MODIFY"}, {unix.IN_ATTRIB, "ATTRIB"}, {unix.IN_CLOSE_WRITE, "CLOSE_WRITE"},
		{unix.IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"}, {unix.IN_OPEN, "OPEN"}, {unix.IN_MOVED_FROM, "MOVED_FROM"}, {unix.IN_MOVED_TO, "MOVED_TO"},
		{unix.IN_CREATE, "CREATE"}, {unix.IN_DELETE, "DELETE"}, {unix.IN_DELETE_SELF, "DELETE_SELF"}, {unix.IN_MOVE_SELF, "MOVE_SELF"},
		{unix.IN_IGNORED, "IGNORED"}, {unix.IN_ISDIR, "ISDIR"}}
	var parts []string
	for _, n := range names {
		if mask&n.bit != 0 {
			parts = append(parts, n.s)
		}
	}
	return string(rune('0'+wd)) + ":" + strings.Join(parts, "|") + ":" + name
}

func TestEvents(t *testing.T) {
	v, ctx := newVFS(t)
	if err := v.MkdirAt(ctx, vfs.VirtualDentry{}, "/d", 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := v.Resolve(ctx, vfs.VirtualDentry{}, "/d", vfs.ResolveOptions{Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	i := New(0)
	defer i.DecRef()
	if wd, err := i.AddWatch(dir.Inode(), unix.IN_ALL_EVENTS); err != nil || wd != 1 {
		t.Fatalf("AddWatch = %d, %v", wd, err)
	}
	f, err := v.OpenAt(ctx, vfs.VirtualDentry{}, "/d/a", unix.O_CREAT|unix.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	file, _ := v.Resolve(ctx, vfs.VirtualDentry{}, "/d/a", vfs.ResolveOptions{})
	if wd, err := i.AddWatch(file.Inode(), unix.IN_ALL_EVENTS); err != nil || wd != 2 {
		t.Fatalf("AddWatch file = %d, %v", wd, err)
	}
	f.Write([][]byte{[]byte("x")}, -1)
	vfs.NotifyIO(v, f, true)
	f.DecRef()
	if err := v.RenameAt(ctx, vfs.VirtualDentry{}, "/d/a", vfs.VirtualDentry{}, "/d/b", 0); err != nil {
		t.Fatal(err)
	}
	if err := v.UnlinkAt(ctx, vfs.VirtualDentry{}, "/d/b"); err != nil {
		t.Fatal(err)
	}
	if err := v.MkdirAt(ctx, vfs.VirtualDentry{}, "/d/sub", 0o755); err != nil {
		t.Fatal(err)
	}
	got := drain(t, i)
	want := []string{
		"1:CREATE:a", "1:OPEN:a",
		"1:MODIFY:a", "2:MODIFY:",
		"1:CLOSE_WRITE:a", "2:CLOSE_WRITE:",
		"1:MOVED_FROM:a", "1:MOVED_TO:b", "2:MOVE_SELF:",
		"2:ATTRIB:", "2:DELETE_SELF:", "2:IGNORED:", "1:DELETE:b",
		"1:CREATE|ISDIR:sub",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events:\n got %q\nwant %q", got, want)
	}
	if err := i.RemoveWatch(1); err != nil {
		t.Fatal(err)
	}
	if err := i.RemoveWatch(1); err != unix.EINVAL {
		t.Fatalf("second rm_watch: %v, want EINVAL", err)
	}
	if got := drain(t, i); !reflect.DeepEqual(got, []string{"1:IGNORED:"}) {
		t.Fatalf("after rm_watch: %q", got)
	}
}

func TestMaskAndOneshot(t *testing.T) {
	v, ctx := newVFS(t)
	root := v.Root()
	i := New(0)
	defer i.DecRef()
	if _, err := i.AddWatch(root.Inode(), unix.IN_DELETE); err != nil {
		t.Fatal(err)
	}
	// IN_MASK_ADD extends, IN_MASK_CREATE refuses an existing watch.
	if wd, err := i.AddWatch(root.Inode(), unix.IN_CREATE|unix.IN_MASK_ADD|unix.IN_ONESHOT); err != nil || wd != 1 {
		t.Fatalf("mask add = %d, %v", wd, err)
	}
	if _, err := i.AddWatch(root.Inode(), unix.IN_CREATE|0x10000000); err != unix.EEXIST {
		t.Fatalf("IN_MASK_CREATE: %v, want EEXIST", err)
	}
	if _, err := i.AddWatch(root.Inode(), unix.IN_ONLYDIR); err != unix.EINVAL {
		t.Fatalf("no events: %v, want EINVAL", err)
	}
	v.MkdirAt(ctx, vfs.VirtualDentry{}, "/x", 0o755)
	v.MkdirAt(ctx, vfs.VirtualDentry{}, "/y", 0o755)
	if got, want := drain(t, i), []string{"1:CREATE|ISDIR:x", "1:IGNORED:"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("oneshot: %q, want %q", got, want)
	}
	// A small buffer cannot take an event.
	if _, err := i.AddWatch(root.Inode(), unix.IN_CREATE); err != nil {
		t.Fatal(err)
	}
	v.MkdirAt(ctx, vfs.VirtualDentry{}, "/z", 0o755)
	if _, err := i.Read([][]byte{make([]byte, 16)}, -1); err != unix.EINVAL {
		t.Fatalf("short read: %v, want EINVAL", err)
	}
	if i.Queued() != 32 {
		t.Fatalf("FIONREAD = %d, want 32", i.Queued())
	}
}
