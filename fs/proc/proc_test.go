package proc_test

import (
	"io"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/proc"
	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/memfile"
	"stockade.dev/syscalls"
)

// newProc returns a VFS whose root is a procfs of a kernel with no
// processes.
func newProc(t *testing.T) (*vfs.VFS, *vfs.Context) {
	t.Helper()
	mf, err := memfile.New(1 << 24)
	if err != nil {
		t.Skipf("no memory file: %v", err)
	}
	k := kernel.New(nil, mf, nil, nil)
	v := vfs.New(proc.New(k), "proc", "proc", 0)
	k.VFS = v
	return v, &vfs.Context{Creds: &vfs.Creds{UID: 1000, GID: 1000}, Root: v.Root(), Cwd: v.Root()}
}

func readFile(t *testing.T, v *vfs.VFS, ctx *vfs.Context, path string) string {
	t.Helper()
	f, err := v.OpenAt(ctx, vfs.VirtualDentry{}, path, unix.O_RDONLY, 0)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.DecRef()
	var out []byte
	buf := make([]byte, 100)
	for {
		n, err := f.Read([][]byte{buf}, -1)
		out = append(out, buf[:n]...)
		if n == 0 || err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
	}
	return string(out)
}

func TestReleaseMatchesUname(t *testing.T) {
	if proc.Release != syscalls.Release || proc.Version != syscalls.Version {
		t.Fatalf("procfs shows %q %q, uname %q %q", proc.Release, proc.Version, syscalls.Release, syscalls.Version)
	}
}

func TestSystemFiles(t *testing.T) {
	v, ctx := newProc(t)
	if got := readFile(t, v, ctx, "/sys/kernel/osrelease"); got != syscalls.Release+"\n" {
		t.Errorf("osrelease %q", got)
	}
	if got := readFile(t, v, ctx, "/version"); !strings.HasPrefix(got, "Linux version "+syscalls.Release+" ") {
		t.Errorf("version %q", got)
	}
	mi := readFile(t, v, ctx, "/meminfo")
	if !strings.HasPrefix(mi, "MemTotal:") || !strings.Contains(mi, "\nMemAvailable:") {
		t.Errorf("meminfo:\n%s", mi)
	}
	st := readFile(t, v, ctx, "/stat")
	if !strings.HasPrefix(st, "cpu  ") || !strings.Contains(st, "\nbtime ") || !strings.Contains(st, "\nprocesses 0\n") {
		t.Errorf("stat:\n%s", st)
	}
	n := strings.Count(readFile(t, v, ctx, "/cpuinfo"), "processor\t:")
	if n != len(kernel.OnlineCPUs()) {
		t.Errorf("cpuinfo has %d processors, the sandbox %d", n, len(kernel.OnlineCPUs()))
	}
	a, b := readFile(t, v, ctx, "/sys/kernel/random/uuid"), readFile(t, v, ctx, "/sys/kernel/random/uuid")
	if a == b || len(a) != 37 {
		t.Errorf("uuid %q then %q", a, b)
	}
	if _, err := v.OpenAt(ctx, vfs.VirtualDentry{}, "/meminfo", unix.O_WRONLY, 0); err != unix.EACCES {
		t.Errorf("opening meminfo for writing: %v, want EACCES", err)
	}
}

func TestNoProcessesNoSelf(t *testing.T) {
	v, ctx := newProc(t)
	// The sentry itself (no task in the context) has no /proc/self.
	if _, err := v.OpenAt(ctx, vfs.VirtualDentry{}, "/self/status", unix.O_RDONLY, 0); err != unix.ENOENT {
		t.Errorf("/self/status without a task: %v, want ENOENT", err)
	}
	if _, err := v.OpenAt(ctx, vfs.VirtualDentry{}, "/1/status", unix.O_RDONLY, 0); err != unix.ENOENT {
		t.Errorf("/1/status without processes: %v, want ENOENT", err)
	}
	f, err := v.OpenAt(ctx, vfs.VirtualDentry{}, "/", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.DecRef()
	buf := make([]byte, 8192)
	n, err := f.Getdents(buf)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for b := buf[:n]; len(b) > 0; {
		reclen := int(b[16]) | int(b[17])<<8
		names = append(names, strings.TrimRight(string(b[19:reclen]), "\x00"))
		b = b[reclen:]
	}
	all := " " + strings.Join(names, " ") + " "
	for _, want := range []string{" . ", " .. ", " self ", " thread-self ", " meminfo ", " sys "} {
		if !strings.Contains(all, want) {
			t.Errorf("/proc lacks%q: %s", want, all)
		}
	}
	var sfs unix.Statfs_t
	if err := v.StatfsAt(ctx, vfs.VirtualDentry{}, "/meminfo", false, &sfs); err != nil || sfs.Type != unix.PROC_SUPER_MAGIC {
		t.Errorf("statfs: type %#x, %v", sfs.Type, err)
	}
}
