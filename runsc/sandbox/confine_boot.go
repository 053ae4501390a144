package sandbox

// Confinement of the sandbox process of `runsc create/run` (`runsc boot`),
// on by default (--confine=false turns it off, for debugging).
//
// The CLI starts `runsc boot` in new pid, ipc, uts, mount and network
// namespaces (SysProcAttr; a user namespace too where runsc is not root;
// an existing network namespace joined by path instead, confine_netns.go).
// Once the sentry has built its kernel, started the gofer and opened
// everything it needs from the host, ConfineBoot, in this order:
//
//  1. makes every mount private (nothing propagates to the host), mounts a
//     procfs of the sandbox's own pid namespace on the empty directory,
//     keeps an fd of it for the sentry's reads about its threads
//     (sentry/hostproc) and detaches the mount: the fd is the only way to
//     it. Then mounts an empty read-only tmpfs on the directory.
//  2. sets no_new_privs and installs the first seccomp filter
//     (seccomp.StubRules) on every thread;
//  3. starts the ptrace stub factory (platform/ptrace/factory.go): the
//     master stub, exec'd from a thread whose bounding set is empty (so
//     the stubs hold no capability: a sentry without CAP_SYS_PTRACE could
//     not trace them otherwise), under the first filter. No stub is exec'd
//     after this: the chroot leaves no path to exec.
//  4. chroots into the directory (the tmpfs) and drops every capability
//     of every thread. The ptrace platform needs none: the sentry only
//     traces its own children (the stubs), with the same credentials and
//     no more capabilities than itself.
//  5. stacks the sentry's own filter (seccomp.BootRules) on every thread.
//
// Dropping the capabilities of every thread needs a binary built without
// cgo (syscall.AllThreadsSyscall): `make build` builds so.

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/seccomp"
	"stockade.dev/sentry/hostproc"
)

// BootOptions say how ConfineBoot confines the sandbox process.
type BootOptions struct {
	// Root is the empty directory to chroot into (EmptyRootDir).
	Root string
	// StartStubFactory starts the platform's stub factory; prepare must
	// run on the thread that execs the master stub, before the exec.
	StartStubFactory func(prepare func() error) error
}

// EnvForbiddenSyscall is a test hook: STOCKADE_TEST_FORBIDDEN_SYSCALL=1
// (the sandbox) or =gofer (the gofer) in the environment of runsc
// create/run, which the sandbox and the gofer inherit (the container's
// environment is the spec's, so the application cannot set it), makes
// that process call syslog, outside its allowlist, right after installing
// its filter, and be killed by SIGSYS; =start makes the sandbox do it when
// told to start the container (ForbiddenSyscallAtStart). Tests prove with
// it that runsc reports the kill in one line.
const EnvForbiddenSyscall = envForbidden

// ConfineBoot confines the calling `runsc boot` process (see the file
// comment).
func ConfineBoot(o BootOptions) error {
	start := time.Now()
	defer func() { slog.Debug("sandbox confined", "took", time.Since(start)) }()
	if err := CheckConfinable(); err != nil {
		return err
	}
	if err := os.MkdirAll(o.Root, 0o700); err != nil {
		return fmt.Errorf("making the empty root %s: %w", o.Root, err)
	}
	if err := unix.Mount("", "/", "", unix.MS_PRIVATE|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("making mounts private: %w", err)
	}
	procFD, err := detachedProc(o.Root)
	if err != nil {
		return err
	}
	hostproc.Use(procFD)
	last := lastCap() // /proc/sys is out of reach after the chroot
	flags := uintptr(unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC | unix.MS_RDONLY)
	if err := unix.Mount("stockade-root", o.Root, "tmpfs", flags, "size=4k,nr_inodes=1,mode=0555"); err != nil {
		return fmt.Errorf("mounting the empty root on %s: %w", o.Root, err)
	}
	if err := seccomp.InstallRules(seccomp.StubRules()); err != nil {
		return fmt.Errorf("installing the stubs' seccomp filter: %w", err)
	}
	if o.StartStubFactory != nil {
		if err := o.StartStubFactory(func() error { return LimitExecCapabilities(nil) }); err != nil {
			return fmt.Errorf("starting the ptrace stub factory: %w", err)
		}
	}
	if err := Chroot(o.Root, false); err != nil {
		return err
	}
	capLastOverride = last
	if err := DropCapabilities(nil); err != nil {
		return err
	}
	if err := seccomp.InstallRules(seccomp.BootRules()); err != nil {
		return fmt.Errorf("installing the sentry's seccomp filter: %w", err)
	}
	switch os.Getenv(envForbidden) {
	case "1":
		forbiddenSyscall()
	case "start":
		forbidAtStart = true
	}
	return nil
}

// forbidAtStart: the test hook fires at start (EnvForbiddenSyscall).
var forbidAtStart bool

// ForbiddenSyscallAtStart is the test hook's call when the container is
// started (EnvForbiddenSyscall=start); it does nothing otherwise.
func ForbiddenSyscallAtStart() {
	if forbidAtStart {
		forbiddenSyscall()
	}
}

// forbiddenSyscall is syslog(SYSLOG_ACTION_SIZE_BUFFER): harmless, and
// never needed by the sentry or the gofer.
func forbiddenSyscall() { unix.Syscall(unix.SYS_SYSLOG, 10, 0, 0) }

// CheckConfinable fails, in one line, if this binary cannot confine a
// sandbox: one linked with cgo cannot make all-threads system calls, and
// so cannot drop the capabilities of every thread. The CLI checks it
// before it starts anything.
func CheckConfinable() error {
	// A harmless all-threads call.
	if _, _, e := syscall.AllThreadsSyscall(unix.SYS_PRCTL, unix.PR_GET_DUMPABLE, 0, 0); e == syscall.ENOTSUP {
		return errors.New("runsc is linked with cgo, so the sandbox cannot drop the capabilities of all its threads: build it with CGO_ENABLED=0 (make build), or run with --confine=false to debug")
	}
	return nil
}

// detachedProc mounts a procfs of the caller's pid namespace on dir, opens
// it and detaches the mount: the returned fd is the only way to it. If
// procfs cannot be mounted (a user namespace that may not), the mount
// namespace's /proc is used instead, with a warning: it may belong to
// another pid namespace, where the sentry's thread ids name other tasks
// (CPU-time statistics of application threads are then wrong).
func detachedProc(dir string) (int, error) {
	flags := uintptr(unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC)
	if err := unix.Mount("proc", dir, "proc", flags, ""); err != nil {
		slog.Warn("mounting a procfs of the sandbox's pid namespace failed; using /proc", "err", err)
		fd, err := unix.Open("/proc", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return -1, fmt.Errorf("opening /proc: %w", err)
		}
		return fd, nil
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		unix.Unmount(dir, unix.MNT_DETACH)
		return -1, fmt.Errorf("opening the sandbox's procfs: %w", err)
	}
	if err := unix.Unmount(dir, unix.MNT_DETACH); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("detaching the sandbox's procfs: %w", err)
	}
	return fd, nil
}
