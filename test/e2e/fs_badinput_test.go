package e2e

import (
	"os"
	"testing"
)

// TestFSBadInput: long paths, symlink loops, ".." above the root, renaming a
// directory into itself, RLIMIT_FSIZE... get Linux's errno, on the overlay
// root (the program's scratch directory is under /var/tmp).
func TestFSBadInput(t *testing.T) {
	bin := buildTestdata(t, "fs_badinput")
	differential(t, "/", 0, bin, "/var/tmp")
}

// TestFSUpperLayerFull: filling a size-limited tmpfs fails with ENOSPC and
// the sandbox lives on.
func TestFSUpperLayerFull(t *testing.T) {
	requireBusybox(t)
	if os.Geteuid() != 0 {
		t.Skip("mount(2) in the sandbox needs root")
	}
	script := `mkdir -p /mnt/small && mount -t tmpfs -o size=1m none /mnt/small
dd if=/dev/zero of=/mnt/small/f bs=64k count=64 2>&1 | grep -o 'No space left on device' | head -1
echo still here`
	r := runSandboxed(t, "/", "/bin/busybox", "sh", "-c", script)
	if want := "No space left on device\nstill here\n"; string(r.stdout) != want {
		t.Fatalf("got %v %q, want %q", r, r.stdout, want)
	}
}
