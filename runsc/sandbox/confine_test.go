package sandbox

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// The confinement tests run their scenario in a child: the test binary
// again, with confineChildEnv naming the scenario and confineDirEnv a
// directory. They need root (chroot, capabilities to drop, namespaces).
const (
	confineChildEnv = "STOCKADE_CONFINE_TEST_CHILD"
	confineDirEnv   = "STOCKADE_CONFINE_TEST_DIR"
)

func TestMain(m *testing.M) {
	scenario := os.Getenv(confineChildEnv)
	if scenario == "" {
		os.Exit(m.Run())
	}
	var err error
	switch scenario {
	case "chroot":
		err = childChroot(false)
	case "chroot-tmpfs":
		err = childChroot(true)
	case "confine":
		err = childConfine()
	default:
		err = fmt.Errorf("unknown scenario %q", scenario)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// childChroot chroots into the (empty) directory and checks that nothing
// of the host is left.
func childChroot(tmpfs bool) error {
	if err := Chroot(os.Getenv(confineDirEnv), tmpfs); err != nil {
		return err
	}
	ents, err := os.ReadDir("/")
	if err != nil || len(ents) != 0 {
		return fmt.Errorf("the new root: %v entries, %v", len(ents), err)
	}
	if _, err := os.Stat("/proc/self"); err == nil {
		return fmt.Errorf("/proc is visible after the chroot")
	}
	if wd, _ := os.Getwd(); wd != "/" {
		return fmt.Errorf("working directory %q, want /", wd)
	}
	if tmpfs {
		if err := os.WriteFile("/x", nil, 0o644); err == nil || !strings.Contains(err.Error(), "read-only") {
			return fmt.Errorf("creating a file in the tmpfs root: %v, want a read-only file system", err)
		}
	}
	return nil
}

// childConfine confines itself as the `do` sentry is confined, checks its
// status, then makes a forbidden call (and must die of it).
func childConfine() error {
	if _, err := Confine(ConfineOptions{KeepCaps: []uintptr{unix.CAP_DAC_OVERRIDE}}); err != nil {
		return err
	}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return err
	}
	want := map[string]string{"Seccomp": "2", "NoNewPrivs": "1", "CapEff": "0000000000000002",
		"CapPrm": "0000000000000002", "CapInh": "0000000000000000", "CapAmb": "0000000000000000"}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, ":")
		if w, ok := want[k]; ok && strings.TrimSpace(v) != w {
			return fmt.Errorf("%s: %s, want %s", k, strings.TrimSpace(v), w)
		}
	}
	fmt.Println("confined")
	unix.Syscall(unix.SYS_SYSLOG, 10, 0, 0)
	return fmt.Errorf("survived a forbidden host call")
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
}

// startChild runs the scenario from a fresh locked thread (which may be
// changed before the child starts and is discarded afterwards).
func startChild(t *testing.T, scenario, dir string, attr *syscall.SysProcAttr, prep func() error) (*exec.Cmd, string, error) {
	t.Helper()
	type res struct {
		cmd *exec.Cmd
		out string
		err error
	}
	done := make(chan res)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		if prep != nil {
			if err := prep(); err != nil {
				done <- res{err: err}
				return
			}
		}
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), confineChildEnv+"="+scenario, confineDirEnv+"="+dir)
		cmd.SysProcAttr = attr
		out, err := cmd.CombinedOutput()
		done <- res{cmd, string(out), err}
	}()
	r := <-done
	return r.cmd, r.out, r.err
}

func TestChroot(t *testing.T) {
	requireRoot(t)
	dir := filepath.Join(t.TempDir(), "empty")
	if _, out, err := startChild(t, "chroot", dir, nil, nil); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func TestChrootRefusesNonEmpty(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), nil, 0o644)
	_, out, err := startChild(t, "chroot", dir, nil, nil)
	if err == nil || !strings.Contains(out, "not empty") {
		t.Fatalf("chroot into a non-empty directory: %v %q", err, out)
	}
}

// TestChrootNamespaces starts the child in the sentry's namespaces
// (SysProcAttr) and chroots it into an empty read-only tmpfs.
func TestChrootNamespaces(t *testing.T) {
	requireRoot(t)
	dir := filepath.Join(t.TempDir(), "root")
	_, out, err := startChild(t, "chroot-tmpfs", dir, SysProcAttr(SysProcAttrOptions{}), nil)
	if err != nil {
		if strings.Contains(fmt.Sprint(err), "operation not permitted") {
			t.Skipf("no namespaces here: %v", err)
		}
		t.Fatalf("child: %v\n%s", err, out)
	}
	// The tmpfs was mounted in the child's mount namespace only.
	if b, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(b), dir) {
		t.Errorf("the sandbox's tmpfs root leaked into the host's mounts")
	}
}

// TestConfineKillsWithSIGSYS: the confined process holds only the kept
// capability, has no_new_privs and the filter, and dies of SIGSYS on a
// call outside the allowlist. The child is started as `runsc do`'s is,
// from a thread limited by LimitExecCapabilities.
func TestConfineKillsWithSIGSYS(t *testing.T) {
	requireRoot(t)
	keep := []uintptr{unix.CAP_DAC_OVERRIDE}
	cmd, out, err := startChild(t, "confine", "", nil, func() error { return LimitExecCapabilities(keep) })
	if err == nil {
		t.Fatalf("child survived: %s", out)
	}
	if cmd == nil || cmd.ProcessState == nil {
		t.Fatalf("child: %v", err)
	}
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGSYS {
		t.Fatalf("child ended with %v, want SIGSYS; output:\n%s", ws, out)
	}
	if out != "confined\n" {
		t.Errorf("child output %q", out)
	}
}

func TestDoConfineMode(t *testing.T) {
	for _, c := range []struct {
		env   string
		flag  bool
		on    bool
		learn string
	}{
		{"", false, false, ""}, {"", true, true, ""}, {"1", false, true, ""}, {"0", false, false, ""},
		{"learn:/tmp/x", false, true, "/tmp/x"},
	} {
		t.Setenv(EnvConfine, c.env)
		on, learn := DoConfineMode(c.flag)
		if on != c.on || learn != c.learn {
			t.Errorf("%s=%q flag %v: got %v %q, want %v %q", EnvConfine, c.env, c.flag, on, learn, c.on, c.learn)
		}
	}
}

func TestSIGSYSMessage(t *testing.T) {
	if got, want := SIGSYSMessage(103), "runsc: the sandbox was killed by its seccomp filter (host system call 103, syslog); this is a bug in Stockade, please report it with --debug-log"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if got := SIGSYSMessage(-1); !strings.Contains(got, "host system call unknown") || strings.Contains(got, "\n") {
		t.Errorf("unknown call: %q", got)
	}
	if m := auditSyscall.FindStringSubmatch(`6,1234,5678,-;audit: type=1326 audit(1.2:3): auid=0 uid=0 gid=0 ses=1 pid=4242 comm="exe" exe="/x/runsc" sig=31 arch=c000003e syscall=103 compat=0 ip=0x1 code=0x80000000`); m == nil || m[1] != "4242" || m[2] != strconv.Itoa(103) {
		t.Errorf("audit record not parsed: %q", m)
	}
}
