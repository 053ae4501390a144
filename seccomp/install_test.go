package seccomp

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// The tests that install a filter do it in a child: the test binary run
// again with STOCKADE_SECCOMP_CHILD naming the scenario.
const childEnv = "STOCKADE_SECCOMP_CHILD"

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "":
		os.Exit(m.Run())
	case "kill":
		childKill()
	case "errno":
		childErrno()
	}
	os.Exit(100)
}

// childKill installs the sentry's filter and makes a call outside it.
func childKill() {
	if err := InstallRules(SentryRules()); err != nil {
		fmt.Fprintln(os.Stderr, "install:", err)
		os.Exit(101)
	}
	fmt.Println("installed")
	unix.Syscall(unix.SYS_SYSLOG, 10, 0, 0) // SYSLOG_ACTION_SIZE_BUFFER
	fmt.Println("survived")
	os.Exit(0)
}

// childErrno installs the sentry's rules with EPERM as the default action
// and checks, on a thread that existed before the filter (TSYNC) and on the
// installing one, what is allowed and what is refused.
func childErrno() {
	s := SentryRules()
	s.Default = Errno(unix.EPERM)
	ready, installed := make(chan struct{}), make(chan struct{})
	result := make(chan error)
	go func() {
		runtime.LockOSThread()
		close(ready)
		<-installed
		result <- checkErrnoPolicy()
	}()
	<-ready
	if err := InstallRules(s); err != nil {
		fmt.Fprintln(os.Stderr, "install:", err)
		os.Exit(101)
	}
	close(installed)
	if err := <-result; err != nil {
		fmt.Fprintln(os.Stderr, "other thread:", err)
		os.Exit(1)
	}
	if err := checkErrnoPolicy(); err != nil {
		fmt.Fprintln(os.Stderr, "installing thread:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func checkErrnoPolicy() error {
	if _, _, e := unix.Syscall(unix.SYS_SYSLOG, 10, 0, 0); e != unix.EPERM {
		return fmt.Errorf("syslog: %v, want EPERM from the filter", e)
	}
	f, err := os.Open("/dev/null")
	if err != nil {
		return fmt.Errorf("open /dev/null: %v (openat must be allowed)", err)
	}
	defer f.Close()
	// TCGETS is allowed: the kernel answers ENOTTY for /dev/null.
	if _, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err != unix.ENOTTY {
		return fmt.Errorf("ioctl(TCGETS) on /dev/null: %v, want ENOTTY from the kernel", err)
	}
	// TIOCSTI is not in the allowlist: the filter refuses it.
	var c byte = 'x'
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, f.Fd(), unix.TIOCSTI, uintptr(unsafePointer(&c))); e != unix.EPERM {
		return fmt.Errorf("ioctl(TIOCSTI): %v, want EPERM from the filter", e)
	}
	// clone with flags outside the allowed ones (a plain fork).
	if _, _, e := unix.RawSyscall6(unix.SYS_CLONE, uintptr(unix.SIGCHLD), 0, 0, 0, 0, 0); e != unix.EPERM {
		return fmt.Errorf("clone(SIGCHLD): %v, want EPERM from the filter", e)
	}
	// clone3 fails with ENOSYS so that callers fall back to clone.
	if _, _, e := unix.RawSyscall(unix.SYS_CLONE3, 0, 0, 0); e != unix.ENOSYS {
		return fmt.Errorf("clone3: %v, want ENOSYS", e)
	}
	return nil
}

func runChild(t *testing.T, scenario string) (*exec.Cmd, []byte, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+scenario)
	out, err := cmd.CombinedOutput()
	return cmd, out, err
}

// TestInstallKillsWithSIGSYS: a host call outside the sentry's allowlist
// kills the whole process with SIGSYS.
func TestInstallKillsWithSIGSYS(t *testing.T) {
	cmd, out, err := runChild(t, "kill")
	if err == nil {
		t.Fatalf("child survived a forbidden call: %s", out)
	}
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ws.Signaled() || ws.Signal() != syscall.SIGSYS {
		t.Fatalf("child ended with %v (output %q), want killed by SIGSYS", ws, out)
	}
	if string(out) != "installed\n" {
		t.Errorf("child output %q, want \"installed\\n\"", out)
	}
}

// TestInstallErrnoAndArguments checks allow, deny and argument matching in
// the kernel, on every thread.
func TestInstallErrnoAndArguments(t *testing.T) {
	_, out, err := runChild(t, "errno")
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
