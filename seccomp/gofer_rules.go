package seccomp

import (
	"golang.org/x/sys/unix"
)

// goferRules are the gofer's calls on top of the Go runtime's: it opens
// and changes files beneath the container's root (the *at calls relative
// to fds it holds), and answers the sentry on a unix socket, passing host
// fds with SCM_RIGHTS. It never forks, execs or traces, and has no network
// sockets.
//
// This is the gofer's policy as designed (issue 7); refine it, as the
// sentry's was, from what `runsc gofer` really calls once it exists.
func goferRules() map[uintptr][]Rule {
	return map[uintptr][]Rule{
		unix.SYS_OPENAT:       any6,
		unix.SYS_OPENAT2:      any6,
		unix.SYS_FSTAT:        any6,
		unix.SYS_NEWFSTATAT:   any6,
		unix.SYS_STATX:        any6,
		unix.SYS_FSTATFS:      any6,
		unix.SYS_GETDENTS64:   any6,
		unix.SYS_LSEEK:        any6,
		unix.SYS_READLINKAT:   any6,
		unix.SYS_MKDIRAT:      any6,
		unix.SYS_MKNODAT:      any6,
		unix.SYS_SYMLINKAT:    any6,
		unix.SYS_LINKAT:       any6,
		unix.SYS_UNLINKAT:     any6,
		unix.SYS_RENAMEAT2:    any6,
		unix.SYS_RENAMEAT:     any6,
		unix.SYS_FCHMOD:       any6,
		unix.SYS_FCHMODAT:     any6,
		unix.SYS_FCHOWN:       any6,
		unix.SYS_FCHOWNAT:     any6,
		unix.SYS_UTIMENSAT:    any6,
		unix.SYS_FTRUNCATE:    any6,
		unix.SYS_FALLOCATE:    any6,
		unix.SYS_FSYNC:        any6,
		unix.SYS_PREAD64:      any6,
		unix.SYS_PWRITE64:     any6,
		unix.SYS_FGETXATTR:    any6,
		unix.SYS_FSETXATTR:    any6,
		unix.SYS_FLISTXATTR:   any6,
		unix.SYS_FREMOVEXATTR: any6,
		unix.SYS_GETXATTR:     any6,
		unix.SYS_LGETXATTR:    any6,
		unix.SYS_LISTXATTR:    any6,
		unix.SYS_LLISTXATTR:   any6,
		unix.SYS_DUP:          any6,
		unix.SYS_DUP3:         any6,
		unix.SYS_SENDMSG:      any6,
		unix.SYS_RECVMSG:      any6,
		unix.SYS_SHUTDOWN:     any6,
		unix.SYS_GETUID:       any6,
		unix.SYS_GETGID:       any6,
		unix.SYS_UMASK:        any6,
		// Only unix sockets (the connection to the sentry).
		unix.SYS_SOCKET:     {{Eq(unix.AF_UNIX)}},
		unix.SYS_SOCKETPAIR: {{Eq(unix.AF_UNIX)}},
		unix.SYS_CONNECT:    any6,
		unix.SYS_IOCTL: {
			{AnyArg, Eq(unix.TIOCINQ)}, // FIONREAD,
			{AnyArg, Eq(fionbio)},
		},
	}
}

// GoferRules is the gofer's filter: the runtime's calls and the file
// calls above; clone3 fails with ENOSYS, everything else kills it.
func GoferRules() RuleSet {
	s := RuleSet{
		Allow:   goRuntimeRules(),
		Actions: map[uintptr]Action{unix.SYS_CLONE3: Errno(unix.ENOSYS)},
		Default: KillProcess,
	}
	// The runtime's fork path is not the gofer's: threads only.
	s.Allow[unix.SYS_CLONE] = []Rule{{Eq(cloneThread)}, {Eq(cloneThread | unix.CLONE_SETTLS)}, {Eq(cloneGlibcThread)}}
	s.Merge(RuleSet{Allow: goferRules()})
	return s
}
