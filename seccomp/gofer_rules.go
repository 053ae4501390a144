package seccomp

import (
	"golang.org/x/sys/unix"
)

// goferRules are the gofer's calls on top of the Go runtime's, from what
// `runsc gofer` (package gofer and runsc/cmd/gofer.go) calls once confined:
// it opens and changes files beneath the container's root, always
// relative to fds it holds (the *at calls; openat2 with RESOLVE_BENEATH),
// and answers the sentry on unix sockets it inherited or made with
// socketpair, passing host fds with SCM_RIGHTS. It never forks, execs,
// traces, mounts, creates a socket of any other kind or connects one: those
// calls, and every other, kill it.
//
// The path-based xattr calls serve xattrs through /proc/self/fd/N names
// when procfs is reachable (gofer.Server's procFD); the l* variants and
// the path-based opens are not used.
func goferRules() map[uintptr][]Rule {
	return map[uintptr][]Rule{
		// Opening beneath a held directory fd.
		unix.SYS_OPENAT2: any6,
		// Reading what it serves: attributes, directories, symlinks, and
		// the sniffing of a file's first bytes.
		unix.SYS_FSTAT:      any6,
		unix.SYS_NEWFSTATAT: any6,
		unix.SYS_FSTATFS:    any6,
		unix.SYS_GETDENTS64: any6,
		unix.SYS_LSEEK:      any6,
		unix.SYS_READLINKAT: any6,
		unix.SYS_PREAD64:    any6,
		// Changing it (the sentry checked the application's permissions).
		unix.SYS_MKDIRAT:      any6,
		unix.SYS_MKNODAT:      {{AnyArg, AnyArg, AnyArg, Eq(0)}}, // FIFOs and sockets: no device number
		unix.SYS_SYMLINKAT:    any6,
		unix.SYS_LINKAT:       any6,
		unix.SYS_UNLINKAT:     any6,
		unix.SYS_RENAMEAT2:    any6,
		unix.SYS_FCHMOD:       any6,
		unix.SYS_FCHMODAT:     any6,
		unix.SYS_FCHOWNAT:     any6,
		unix.SYS_UTIMENSAT:    any6,
		unix.SYS_FTRUNCATE:    any6,
		unix.SYS_FGETXATTR:    any6,
		unix.SYS_FSETXATTR:    any6,
		unix.SYS_FLISTXATTR:   any6,
		unix.SYS_FREMOVEXATTR: any6,
		unix.SYS_GETXATTR:     any6,
		unix.SYS_SETXATTR:     any6,
		unix.SYS_LISTXATTR:    any6,
		unix.SYS_REMOVEXATTR:  any6,
		// The connections to the sentry: messages with fds, and new
		// channels (socketpair of AF_UNIX only).
		unix.SYS_SENDMSG:    any6,
		unix.SYS_RECVMSG:    any6,
		unix.SYS_SOCKETPAIR: {{Eq(unix.AF_UNIX)}},
	}
}

// GoferRules is the gofer's filter: the runtime's calls and the file
// calls above; clone3 fails with ENOSYS (the runtime falls back to clone),
// a plain openat with EACCES (the gofer itself never calls it; the
// standard library may, e.g. the time package loading /etc/localtime for a
// log line, and then does without), everything else kills it.
func GoferRules() RuleSet {
	s := RuleSet{
		Allow:   goRuntimeRules(),
		Actions: map[uintptr]Action{unix.SYS_CLONE3: Errno(unix.ENOSYS), unix.SYS_OPENAT: Errno(unix.EACCES)},
		Default: KillProcess,
	}
	// The runtime's fork path is not the gofer's: threads only.
	s.Allow[unix.SYS_CLONE] = []Rule{{Eq(cloneThread)}, {Eq(cloneThread | unix.CLONE_SETTLS)}, {Eq(cloneGlibcThread)}}
	s.Merge(RuleSet{Allow: goferRules()})
	return s
}
