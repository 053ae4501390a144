// Confinement of the sandbox processes (DESIGN.md, "Defense in depth"):
// new namespaces, a chroot into an empty directory, no capabilities,
// no_new_privs and a seccomp allowlist of host calls.
//
// Namespaces are per thread in Linux, and a Go process is always
// multi-threaded, so the namespaces of the sentry are chosen when its
// process is created (SysProcAttr), not unshared later. Everything else is
// done in the process, after its setup and before it runs the application,
// by Confine.

package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"stockade.dev/seccomp"
)

// NamespaceFlags are the clone flags of the sentry's new namespaces: pid,
// ipc, uts, mount and network. (A user namespace is added by SysProcAttr
// when runsc is not root.)
const NamespaceFlags = unix.CLONE_NEWPID | unix.CLONE_NEWIPC | unix.CLONE_NEWUTS |
	unix.CLONE_NEWNS | unix.CLONE_NEWNET

// SysProcAttrOptions select the namespaces of SysProcAttr.
type SysProcAttrOptions struct {
	// JoinNetwork keeps the caller's network namespace (the sandbox joins
	// an existing one by path itself, or uses --network=host).
	JoinNetwork bool
	// NoPID keeps the caller's pid namespace.
	NoPID bool
}

// SysProcAttr returns the attributes with which the CLI starts the sentry
// process (`runsc boot`): new pid, ipc, uts, mount and network namespaces,
// and a user namespace mapping the caller's own ids when runsc is not root.
// No parent-death signal: the sandbox outlives `runsc create`. The sentry
// then calls Confine.
func SysProcAttr(o SysProcAttrOptions) *syscall.SysProcAttr {
	flags := uintptr(NamespaceFlags)
	if o.JoinNetwork {
		flags &^= unix.CLONE_NEWNET
	}
	if o.NoPID {
		flags &^= unix.CLONE_NEWPID
	}
	a := &syscall.SysProcAttr{Cloneflags: flags}
	if uid := os.Getuid(); uid != 0 {
		gid := os.Getgid()
		a.Cloneflags |= unix.CLONE_NEWUSER
		a.UidMappings = []syscall.SysProcIDMap{{ContainerID: uid, HostID: uid, Size: 1}}
		a.GidMappings = []syscall.SysProcIDMap{{ContainerID: gid, HostID: gid, Size: 1}}
		a.GidMappingsEnableSetgroups = false
	}
	return a
}

// ConfineOptions say how Confine confines the calling process.
type ConfineOptions struct {
	// Root is the directory to chroot into; "" skips the chroot (runsc do,
	// whose sentry still reads host files by path). It is created if
	// absent and must be empty.
	Root string
	// MountRoot mounts a fresh, empty, read-only tmpfs on Root first (only
	// in a mount namespace of the sandbox's own: see SysProcAttr). Mounts
	// are made private first so nothing propagates to the host.
	MountRoot bool
	// KeepCaps are the capabilities kept (permitted and effective, and in
	// the bounding set); all others are dropped from every set of every
	// thread. Empty drops them all.
	KeepCaps []uintptr
	// Rules is the seccomp policy; nil means seccomp.SentryRules().
	Rules *seccomp.RuleSet
	// NoSeccomp skips the filter (tests of the other steps).
	NoSeccomp bool
	// Learn installs the filter in learning mode: calls outside the
	// allowlist are reported to the returned listener fd
	// (SECCOMP_RET_USER_NOTIF) instead of killing the process.
	Learn bool
}

// Confine applies, in order: the chroot (and chdir /), the capability
// drop, no_new_privs and the seccomp filter. It returns the seccomp
// listener fd in learning mode, else -1.
func Confine(o ConfineOptions) (int, error) {
	if o.Root != "" {
		if err := Chroot(o.Root, o.MountRoot); err != nil {
			return -1, err
		}
	}
	if err := DropCapabilities(o.KeepCaps); err != nil {
		return -1, err
	}
	if err := seccomp.SetNoNewPrivs(); err != nil {
		return -1, err
	}
	if o.NoSeccomp {
		return -1, nil
	}
	rules := seccomp.SentryRules()
	if o.Rules != nil {
		rules = *o.Rules
	}
	if o.Learn {
		rules.Default = seccomp.UserNotif
		// The listener is handed to the supervisor over a unix socket.
		rules.Merge(seccomp.RuleSet{Allow: map[uintptr][]seccomp.Rule{unix.SYS_SENDMSG: nil}})
		prog, err := seccomp.Assemble(rules)
		if err != nil {
			return -1, err
		}
		return seccomp.Install(prog, seccomp.FlagTSync|seccomp.FlagTSyncESRCH|seccomp.FlagNewListener)
	}
	if err := seccomp.InstallRules(rules); err != nil {
		return -1, err
	}
	return -1, nil
}

// Chroot makes dir (created if needed; it must be empty) the root and the
// working directory of the process. With mountTmpfs, the process must be
// in a mount namespace of its own: it makes every mount private and mounts
// an empty read-only tmpfs on dir first.
func Chroot(dir string, mountTmpfs bool) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("making the empty root %s: %w", dir, err)
	}
	if mountTmpfs {
		if err := unix.Mount("", "/", "", unix.MS_PRIVATE|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("making mounts private: %w", err)
		}
		flags := uintptr(unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC | unix.MS_RDONLY)
		if err := unix.Mount("stockade-root", dir, "tmpfs", flags, "size=4k,nr_inodes=1,mode=0555"); err != nil {
			return fmt.Errorf("mounting the empty root on %s: %w", dir, err)
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("reading the empty root %s: %w", dir, err)
	}
	if len(ents) != 0 {
		return fmt.Errorf("the root %s to chroot into is not empty", dir)
	}
	if err := unix.Chroot(dir); err != nil {
		return fmt.Errorf("chroot %s: %w", dir, err)
	}
	if err := unix.Chdir("/"); err != nil {
		return fmt.Errorf("chdir / after chroot: %w", err)
	}
	return nil
}

// capSet is a set of capabilities as a 64-bit mask.
func capSet(caps []uintptr) uint64 {
	var m uint64
	for _, c := range caps {
		m |= 1 << c
	}
	return m
}

// capLastOverride, if not 0, is lastCap's answer (read before a chroot).
var capLastOverride uintptr

// lastCap is the highest capability the running kernel knows.
func lastCap() uintptr {
	if capLastOverride != 0 {
		return capLastOverride
	}
	if b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n > 0 && n < 64 {
			return uintptr(n)
		}
	}
	return unix.CAP_LAST_CAP
}

// DropCapabilities removes every capability but keep from every thread of
// the process: the bounding set (when the process may change it), the
// ambient set, and the permitted, effective and inheritable sets. The
// dumpable flag, which the kernel resets when capabilities shrink, is put
// back.
//
// Changing every thread's credentials needs syscall.AllThreadsSyscall,
// which Go refuses in binaries linked with cgo. There, the capabilities
// must have been limited when the process was started (see
// LimitExecCapabilities); DropCapabilities then only checks that no thread
// holds more than keep, and fails if one does.
func DropCapabilities(keep []uintptr) error {
	err := dropAllThreads(keep)
	if err != errCgo {
		return err
	}
	extra, cerr := capsBeyond(capSet(keep))
	if cerr != nil {
		return fmt.Errorf("%v; and checking the threads' capabilities failed: %v", errCgo, cerr)
	}
	if extra != "" {
		return fmt.Errorf("%v; and %s", errCgo, extra)
	}
	return nil
}

func dropAllThreads(keep []uintptr) error {
	keepMask := capSet(keep)
	dumpable, _ := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
	// On the heap, which does not move, since AllThreadsSyscall's
	// arguments are plain integers.
	hdr := new(unix.CapUserHeader)
	data := new([2]unix.CapUserData)
	defer runtime.KeepAlive(hdr)
	defer runtime.KeepAlive(data)
	hdr.Version = unix.LINUX_CAPABILITY_VERSION_3
	if err := unix.Capget(hdr, &data[0]); err != nil {
		return fmt.Errorf("capget: %w", err)
	}
	permitted := uint64(data[0].Permitted) | uint64(data[1].Permitted)<<32
	// Only caps the process has can be kept.
	keepMask &= permitted
	all := func(trap, a1, a2, a3 uintptr) error {
		_, _, e := syscall.AllThreadsSyscall(trap, a1, a2, a3)
		if e == syscall.ENOTSUP {
			return errCgo
		}
		if e != 0 {
			return e
		}
		return nil
	}
	if permitted&(1<<unix.CAP_SETPCAP) != 0 {
		for c := uintptr(0); c <= lastCap(); c++ {
			if keepMask&(1<<c) != 0 {
				continue
			}
			if err := all(unix.SYS_PRCTL, unix.PR_CAPBSET_DROP, c, 0); err != nil {
				if err == errCgo {
					return err
				}
				if errors.Is(err, syscall.EINVAL) {
					break // past the kernel's last capability
				}
				return fmt.Errorf("prctl(PR_CAPBSET_DROP, %d): %w", c, err)
			}
		}
	}
	if err := all(unix.SYS_PRCTL, unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0); err != nil {
		if err == errCgo {
			return err
		}
		if !errors.Is(err, syscall.EINVAL) { // kernels without ambient caps
			return fmt.Errorf("prctl(PR_CAP_AMBIENT_CLEAR_ALL): %w", err)
		}
	}
	if permitted != keepMask || data[0].Inheritable != 0 || data[1].Inheritable != 0 ||
		uint64(data[0].Effective)|uint64(data[1].Effective)<<32 != keepMask {
		data[0] = unix.CapUserData{Effective: uint32(keepMask), Permitted: uint32(keepMask)}
		data[1] = unix.CapUserData{Effective: uint32(keepMask >> 32), Permitted: uint32(keepMask >> 32)}
		hdr.Pid = 0
		if err := all(unix.SYS_CAPSET, uintptr(unsafe.Pointer(hdr)), uintptr(unsafe.Pointer(&data[0])), 0); err != nil {
			if err == errCgo {
				return err
			}
			return fmt.Errorf("capset: %w", err)
		}
	}
	if dumpable == 1 {
		unix.Prctl(unix.PR_SET_DUMPABLE, 1, 0, 0, 0)
	}
	return nil
}

// capsBeyond describes the first thread holding a capability outside keep
// (in its permitted, effective, bounding or ambient set), or "".
func capsBeyond(keep uint64) (string, error) {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return "", err
	}
	for _, t := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + t.Name() + "/status")
		if err != nil {
			continue // the thread exited
		}
		for _, line := range strings.Split(string(b), "\n") {
			name, val, ok := strings.Cut(line, ":")
			if !ok || (name != "CapPrm" && name != "CapEff" && name != "CapBnd" && name != "CapAmb") {
				continue
			}
			v, err := strconv.ParseUint(strings.TrimSpace(val), 16, 64)
			if err != nil {
				continue
			}
			if v&^keep != 0 {
				return fmt.Sprintf("thread %s holds capabilities %#x outside the kept %#x (%s)", t.Name(), v&^keep, keep, name), nil
			}
		}
	}
	return "", nil
}

// LimitExecCapabilities limits the calling thread, which must be locked
// (runtime.LockOSThread) and stay so, so that a program it starts holds no
// capability outside keep: it drops the others from the thread's bounding
// set (when it may), clears its ambient and inheritable sets. Use it on the
// thread that starts a sandbox process, in binaries where the process
// cannot drop capabilities from all its threads later (cgo).
func LimitExecCapabilities(keep []uintptr) error {
	keepMask := capSet(keep)
	var hdr unix.CapUserHeader
	var data [2]unix.CapUserData
	hdr.Version = unix.LINUX_CAPABILITY_VERSION_3
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capget: %w", err)
	}
	permitted := uint64(data[0].Permitted) | uint64(data[1].Permitted)<<32
	if permitted&(1<<unix.CAP_SETPCAP) != 0 {
		for c := uintptr(0); c <= lastCap(); c++ {
			if keepMask&(1<<c) != 0 {
				continue
			}
			if err := unix.Prctl(unix.PR_CAPBSET_DROP, c, 0, 0, 0); err != nil {
				if errors.Is(err, syscall.EINVAL) {
					break
				}
				return fmt.Errorf("prctl(PR_CAPBSET_DROP, %d): %w", c, err)
			}
		}
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("prctl(PR_CAP_AMBIENT_CLEAR_ALL): %w", err)
	}
	if data[0].Inheritable != 0 || data[1].Inheritable != 0 {
		data[0].Inheritable, data[1].Inheritable = 0, 0
		if err := unix.Capset(&hdr, &data[0]); err != nil {
			return fmt.Errorf("capset: %w", err)
		}
	}
	return nil
}

// errCgo is DropCapabilities' failure in a binary linked with cgo, where
// Go cannot change the credentials of every thread.
var errCgo = errors.New("dropping capabilities on every thread needs a binary built without cgo (CGO_ENABLED=0 or no cgo packages)")

// EmptyRootDir is the empty directory the sentry chroots into, under the
// container's state directory.
func EmptyRootDir(stateDir string) string { return filepath.Join(stateDir, "sentry-root") }
