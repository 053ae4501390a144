package synth

import (
	"testing"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
)

func TestSnapFileReadSeek(t *testing.T) {
	n := 0
	f := &File{Attr: Attr{Ino: NewIno(), Mode: unix.S_IFREG | 0o444}, Gen: func() ([]byte, error) {
		n++
		return []byte("hello world\n"), nil
	}}
	fd, err := f.Open(vfs.VirtualDentry{}, unix.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.DecRef()
	buf := make([]byte, 5)
	if got, _ := fd.Read([][]byte{buf}, -1); got != 5 || string(buf) != "hello" {
		t.Fatalf("read %d %q", got, buf)
	}
	if off, err := fd.Seek(-3, unix.SEEK_END); err != nil || off != 9 {
		t.Fatalf("seek end: %d %v", off, err)
	}
	if got, _ := fd.Read([][]byte{buf}, -1); got != 3 || string(buf[:3]) != "ld\n" {
		t.Fatalf("read after seek %d %q", got, buf[:got])
	}
	if got, _ := fd.Read([][]byte{buf}, -1); got != 0 {
		t.Fatalf("read at EOF returned %d", got)
	}
	if got, _ := fd.Read([][]byte{buf}, 6); got != 5 || string(buf) != "world" {
		t.Fatalf("pread %d %q", got, buf)
	}
	if _, err := fd.Write([][]byte{[]byte("x")}, -1); err != unix.EBADF {
		t.Fatalf("write to a read-only file: %v", err)
	}
	if _, err := f.Open(vfs.VirtualDentry{}, unix.O_WRONLY); err != unix.EACCES {
		t.Fatalf("open for write without Write: %v", err)
	}
	if n != 1 {
		t.Fatalf("contents generated %d times, want once per open", n)
	}
}

func TestSnapFileWrite(t *testing.T) {
	var got string
	f := &File{Attr: Attr{Mode: unix.S_IFREG | 0o644}, Gen: Bytes("v\n"), Write: func(b []byte) error {
		if string(b) == "bad" {
			return unix.EINVAL
		}
		got = string(b)
		return nil
	}}
	fd, err := f.Open(vfs.VirtualDentry{}, unix.O_WRONLY)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.DecRef()
	if n, err := fd.Write([][]byte{[]byte("ab"), []byte("c")}, -1); n != 3 || err != nil || got != "abc" {
		t.Fatalf("write: %d %v %q", n, err, got)
	}
	if _, err := fd.Write([][]byte{[]byte("bad")}, -1); err != unix.EINVAL {
		t.Fatalf("rejected write: %v", err)
	}
}

type dyn struct{ names []string }

func (d dyn) Names() []string { return d.names }
func (d dyn) Lookup(name string) (vfs.Inode, error) {
	for _, n := range d.names {
		if n == name {
			return &File{Attr: Attr{Ino: 1000, Mode: unix.S_IFREG}}, nil
		}
	}
	return nil, unix.ENOENT
}

func TestTreeAndDir(t *testing.T) {
	tr := &Tree{Root: NewDir(Attr{Ino: NewIno(), Mode: 0o555})}
	tr.Text("a/b/c", "x")
	tr.Link("a/l", "b/c")
	tr.Root.Dyn = dyn{[]string{"7", "9"}}
	var names []string
	var types []uint8
	tr.Root.IterDirents(0, func(d vfs.Dirent) bool {
		names = append(names, d.Name)
		types = append(types, d.Type)
		return true
	})
	if len(names) != 3 || names[0] != "a" || names[1] != "7" || names[2] != "9" || types[0] != unix.DT_DIR || types[1] != unix.DT_REG {
		t.Fatalf("root entries %v types %v", names, types)
	}
	// Resuming from an offset skips what was returned.
	names = nil
	tr.Root.IterDirents(2, func(d vfs.Dirent) bool { names = append(names, d.Name); return true })
	if len(names) != 1 || names[0] != "9" {
		t.Fatalf("from offset 2: %v", names)
	}
	a, err := tr.Root.Lookup("a")
	if err != nil {
		t.Fatal(err)
	}
	l, err := a.(*Dir).Lookup("l")
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := l.(vfs.SymlinkInode).Readlink(); s != "b/c" {
		t.Fatalf("link target %q", s)
	}
	if _, err := tr.Root.Lookup("8"); err != unix.ENOENT {
		t.Fatalf("missing dynamic entry: %v", err)
	}
	var st unix.Stat_t
	a.Stat(&st)
	if st.Mode != unix.S_IFDIR|0o555 || st.Nlink != 2 {
		t.Fatalf("dir mode %o nlink %d", st.Mode, st.Nlink)
	}
}
