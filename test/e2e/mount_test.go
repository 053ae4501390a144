package e2e

import (
	"os"
	"strings"
	"testing"
)

// TestMountInSandbox mounts tmpfs, proc and bind mounts inside the sandbox
// (as root there) and unmounts them; nothing reaches the host.
func TestMountInSandbox(t *testing.T) {
	requireBusybox(t)
	if os.Geteuid() != 0 {
		t.Skip("mount(2) in the sandbox needs root")
	}
	script := `set -e
mkdir -p /mnt/stockade-a /mnt/stockade-b /mnt/stockade-p
mount -t tmpfs -o mode=700,size=1m none /mnt/stockade-a
stat -c '%a' /mnt/stockade-a
echo data > /mnt/stockade-a/f
mount --bind /mnt/stockade-a /mnt/stockade-b
cat /mnt/stockade-b/f
umount /mnt/stockade-b
umount /mnt/stockade-a
test ! -e /mnt/stockade-a/f && echo unmounted
mount -t proc proc /mnt/stockade-p
grep -c '^Pid:' /mnt/stockade-p/self/status
umount /mnt/stockade-p
if mount -t nosuchfs x /mnt/stockade-a 2>/dev/null; then echo bad; else echo refused; fi
if umount /mnt/stockade-a 2>/dev/null; then echo bad; else echo notmounted; fi
`
	r := runSandboxed(t, "/", "/bin/busybox", "sh", "-c", script)
	want := "700\ndata\nunmounted\n1\nrefused\nnotmounted\n"
	if r.status != 0 || string(r.stdout) != want {
		t.Fatalf("got %v stdout %q, want %q", r, r.stdout, want)
	}
	if _, err := os.Stat("/mnt/stockade-a"); err == nil {
		t.Fatal("the sandbox's mkdir reached the host")
	}
	if strings.Contains(string(r.stderr), "internal error") {
		t.Fatal(string(r.stderr))
	}
}

// TestMountNamespace: a mount made after unshare(CLONE_NEWNS) is seen only
// in the new namespace.
func TestMountNamespace(t *testing.T) {
	requireBusybox(t)
	if os.Geteuid() != 0 {
		t.Skip("unshare(CLONE_NEWNS) in the sandbox needs root")
	}
	script := `mkdir -p /mnt/stockade-ns
unshare -m sh -c "mount -t tmpfs none /mnt/stockade-ns && touch /mnt/stockade-ns/inner && ls /mnt/stockade-ns && grep -c ' /mnt/stockade-ns ' /proc/self/mounts"
echo outside
ls /mnt/stockade-ns | wc -l
grep -c ' /mnt/stockade-ns ' /proc/self/mounts`
	r := runSandboxed(t, "/", "/bin/busybox", "sh", "-c", script)
	want := "inner\n1\noutside\n0\n0\n"
	if string(r.stdout) != want {
		t.Fatalf("got %v %q, want %q", r, r.stdout, want)
	}
}
