package dev

import (
	"testing"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
)

func open(t *testing.T, v *vfs.VFS, path string, flags int) vfs.FileDescription {
	t.Helper()
	ctx := &vfs.Context{Creds: &vfs.Creds{UID: 1000, GID: 1000}, Root: v.Root(), Cwd: v.Root()}
	f, err := v.OpenAt(ctx, vfs.VirtualDentry{}, path, flags, 0)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	return f
}

func TestMemoryDevices(t *testing.T) {
	v := vfs.New(NewTree(), "devtmpfs", "devtmpfs", 0)
	Register(v, nil)
	buf := make([]byte, 100)
	for i := range buf {
		buf[i] = 0xaa
	}
	cases := []struct {
		path           string
		readN          int
		zeroes         bool
		writeN         int
		writeErr       error
		anonymousMmaps bool
	}{
		{"/null", 0, false, 3, nil, false},
		{"/zero", 100, true, 3, nil, true},
		{"/full", 100, true, 0, unix.ENOSPC, false},
		{"/random", 100, false, 3, nil, false},
		{"/urandom", 100, false, 3, nil, false},
	}
	for _, c := range cases {
		f := open(t, v, c.path, unix.O_RDWR)
		n, err := f.Read([][]byte{buf}, -1)
		if err != nil || n != c.readN {
			t.Errorf("%s: read %d, %v; want %d", c.path, n, err, c.readN)
		}
		if c.zeroes {
			for _, b := range buf {
				if b != 0 {
					t.Errorf("%s: read non-zero bytes", c.path)
					break
				}
			}
		}
		n, err = f.Write([][]byte{[]byte("abc")}, -1)
		if n != c.writeN || err != c.writeErr {
			t.Errorf("%s: write %d, %v; want %d, %v", c.path, n, err, c.writeN, c.writeErr)
		}
		var st unix.Stat_t
		f.Stat(&st)
		if st.Mode&unix.S_IFMT != unix.S_IFCHR || unix.Major(st.Rdev) != MemMajor || st.Mode&0o777 != 0o666 {
			t.Errorf("%s: mode %o rdev %x", c.path, st.Mode, st.Rdev)
		}
		if am, ok := f.(interface{ MapsAsAnonymous() bool }); !ok || am.MapsAsAnonymous() != c.anonymousMmaps {
			t.Errorf("%s: MapsAsAnonymous wrong", c.path)
		}
		if f.Name() != "/"+c.path[1:] {
			t.Errorf("%s: name %q", c.path, f.Name())
		}
		f.DecRef()
	}
	ro := open(t, v, "/zero", unix.O_RDONLY)
	if _, err := ro.Write([][]byte{[]byte("x")}, -1); err != unix.EBADF {
		t.Errorf("write to a read-only /dev/zero: %v", err)
	}
	ro.DecRef()
	ctx := &vfs.Context{Creds: &vfs.Creds{}, Root: v.Root(), Cwd: v.Root()}
	if _, err := v.OpenAt(ctx, vfs.VirtualDentry{}, "/console", unix.O_RDWR, 0); err != unix.ENXIO {
		t.Errorf("console without one: %v, want ENXIO", err)
	}
	if err := v.MknodAt(ctx, vfs.VirtualDentry{}, "/newfile", unix.S_IFREG|0o644, 0); err == nil {
		t.Errorf("creating a file in /dev succeeded")
	}
}
