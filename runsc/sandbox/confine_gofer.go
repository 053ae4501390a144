package sandbox

// Confinement of the gofer (`runsc gofer` started by `runsc boot`, and by
// `runsc do`, whose gofer serves the host's "/" read-only: it neither makes
// a mount namespace nor pivots, since its root is the host's, and is
// otherwise confined as below).
//
// The gofer starts in the sandbox's pid, ipc, uts and network namespaces
// (it is the sentry's child) and in a mount namespace of its own, where it
// pivots into the container's rootfs (gofer.PivotInto) after opening the
// bind mounts' sources: its mount namespace holds only the rootfs (and
// the mounts below it), and the bind mounts are reached only through fds.
// Then ConfineGofer drops the capabilities it does not need, sets
// no_new_privs and installs its seccomp allowlist (seccomp.GoferRules).

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"stockade.dev/seccomp"
)

// GoferKeepCaps are the capabilities a gofer run by root keeps: it serves
// files for the sentry, which checks the application's permissions itself
// (the gofer is the container's filesystem, as the host kernel would be),
// so it must be able to:
//   - CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH: open, read, write and search
//     files and directories whatever their mode (a root application may);
//   - CAP_CHOWN: give new files the application's owner and serve chown;
//   - CAP_FOWNER: chmod, utimes, xattrs and O_NOATIME on files it does not
//     own (the files of every uid in the container);
//   - CAP_FSETID: keep set-user/group-ID bits across chown and writes and
//     set the set-group-ID bit for groups it is not in, as the
//     application's root would.
//
// Not CAP_MKNOD (device nodes are never created on the host: mknod is for
// FIFOs and sockets), not CAP_SYS_ADMIN (the pivot is done) nor any other.
var GoferKeepCaps = []uintptr{unix.CAP_DAC_OVERRIDE, unix.CAP_DAC_READ_SEARCH, unix.CAP_CHOWN, unix.CAP_FOWNER, unix.CAP_FSETID}

// GoferReadOnlyKeepCaps are the capabilities `runsc do`'s gofer, which
// serves the host's root read-only, starts with as root
// (LimitThreadBoundingSet): it changes nothing, so it needs only to read
// and search every file (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) and to open
// files it does not own with O_NOATIME (CAP_FOWNER), as the application's
// root may. ConfineGofer then keeps those of GoferKeepCaps it has.
var GoferReadOnlyKeepCaps = []uintptr{unix.CAP_DAC_OVERRIDE, unix.CAP_DAC_READ_SEARCH, unix.CAP_FOWNER}

// ConfineGofer confines the calling gofer once it has opened what it
// serves and pivoted (see the file comment). It keeps those of
// GoferKeepCaps the gofer has.
func ConfineGofer() error {
	if err := DropCapabilities(GoferKeepCaps); err != nil {
		return fmt.Errorf("dropping capabilities: %w", err)
	}
	if err := seccomp.InstallRules(seccomp.GoferRules()); err != nil {
		return fmt.Errorf("installing the seccomp filter: %w", err)
	}
	if os.Getenv(envForbidden) == "gofer" {
		forbiddenSyscall() // the test hook (EnvForbiddenSyscall)
	}
	return nil
}

// LimitThreadBoundingSet drops every capability but keep from the calling
// thread's bounding set, so that a process it then forks and execs (as
// root) starts with no other capability: the gofer's confinement then has
// none left to drop, which saves it a stop-the-world per capability. The
// caller must have locked its goroutine to the thread and never unlock it
// (the thread ends with the goroutine); without CAP_SETPCAP (a non-root
// caller, who has no capabilities to give) it does nothing.
func LimitThreadBoundingSet(keep []uintptr) error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capget: %w", err)
	}
	if data[0].Effective&(1<<unix.CAP_SETPCAP) == 0 {
		return nil
	}
	keepMask := capSet(keep)
	for c := uintptr(0); c <= lastCap(); c++ {
		if keepMask&(1<<c) != 0 {
			continue
		}
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, c, 0, 0, 0); err != nil {
			if err == unix.EINVAL {
				break // past the kernel's last capability
			}
			return fmt.Errorf("prctl(PR_CAPBSET_DROP, %d): %w", c, err)
		}
	}
	return nil
}
