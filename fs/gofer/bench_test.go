package gofer_test

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
)

// BenchmarkLookup is one walk round trip (the VFS would cache the dentry).
func BenchmarkLookup(b *testing.B) {
	dir := b.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644)
	_, _, root := serve(b, dir, true)
	for b.Loop() {
		if _, err := root.Lookup("f"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenRead is open (a round trip and an fd) + pread + close.
func BenchmarkOpenRead(b *testing.B) {
	dir := b.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644)
	_, _, root := serve(b, dir, true)
	f, _ := root.Lookup("f")
	v := vfs.New(f, "gofer", "bench", 0)
	buf := make([]byte, 16)
	for b.Loop() {
		fd, err := f.Open(v.Root(), unix.O_RDONLY)
		if err != nil {
			b.Fatal(err)
		}
		fd.ReadAt(buf, 0)
		fd.DecRef()
	}
}

// BenchmarkHostOpenRead is the same done directly, for comparison.
func BenchmarkHostOpenRead(b *testing.B) {
	dir := b.TempDir()
	p := filepath.Join(dir, "f")
	os.WriteFile(p, []byte("x"), 0o644)
	buf := make([]byte, 16)
	for b.Loop() {
		fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			b.Fatal(err)
		}
		unix.Pread(fd, buf, 0)
		unix.Close(fd)
	}
}
