package sandbox

// Confinement of the gofer (`runsc gofer` started by `runsc boot`).
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

// ConfineGofer confines the calling gofer once it has opened what it
// serves and pivoted (see the file comment).
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
