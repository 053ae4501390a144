package seccomp

import (
	"golang.org/x/sys/unix"
)

// This file is data: the host system calls the sentry (runsc do, runsc
// boot) makes after it is confined, and with which arguments. It was
// derived from what the sentry really calls (runsc do under the e2e and
// compatibility suites, recorded with STOCKADE_CONFINE=learn, see
// runsc/sandbox/confine_learn.go), not from a wish list: add a call here
// only with the code path that needs it.
//
// The filter also covers the ptrace stub processes, which inherit it
// across fork and exec: their own start-up calls and the calls the sentry
// injects into them (mmap, munmap, mprotect, clone of a stub thread) pass
// through it. The application's own system calls never reach it: they stop
// at PTRACE_SYSEMU before seccomp runs.

// Clone flags the sentry uses.
const (
	// cloneThread is a new thread of the same process: the Go runtime's
	// threads and the ptrace stub's threads (stubThreadFlags).
	cloneThread = unix.CLONE_VM | unix.CLONE_FS | unix.CLONE_FILES | unix.CLONE_SIGHAND |
		unix.CLONE_SYSVSEM | unix.CLONE_THREAD
	// cloneGlibcThread is a thread made by glibc's pthread_create (the
	// runtime's threads in a binary linked with cgo), after clone3 failed.
	cloneGlibcThread = cloneThread | unix.CLONE_SETTLS | unix.CLONE_PARENT_SETTID |
		unix.CLONE_CHILD_CLEARTID
	// cloneForkExec is syscall.ForkExec's vfork-style child (the stub
	// processes).
	cloneForkExec = unix.CLONE_VM | unix.CLONE_VFORK | uint64(unix.SIGCHLD)
)

// any6 is an unconditional allow.
var any6 []Rule

// goRuntimeRules are the calls of the Go runtime and standard library in a
// running program (memory, threads, signals, scheduling, the netpoller,
// timers).
func goRuntimeRules() map[uintptr][]Rule {
	return map[uintptr][]Rule{
		unix.SYS_READ:            any6,
		unix.SYS_WRITE:           any6,
		unix.SYS_CLOSE:           any6,
		unix.SYS_MMAP:            any6,
		unix.SYS_MUNMAP:          any6,
		unix.SYS_MADVISE:         any6,
		unix.SYS_MPROTECT:        any6,
		unix.SYS_FUTEX:           any6,
		unix.SYS_EXIT:            any6,
		unix.SYS_EXIT_GROUP:      any6,
		unix.SYS_RT_SIGACTION:    any6,
		unix.SYS_RT_SIGPROCMASK:  any6,
		unix.SYS_RT_SIGRETURN:    any6,
		unix.SYS_SIGALTSTACK:     any6,
		unix.SYS_GETTID:          any6,
		unix.SYS_GETPID:          any6,
		unix.SYS_SCHED_YIELD:     any6,
		unix.SYS_NANOSLEEP:       any6,
		unix.SYS_CLOCK_GETTIME:   any6,
		unix.SYS_RESTART_SYSCALL: any6,
		unix.SYS_GETRANDOM:       any6,
		// The runtime names its anonymous mappings (Go 1.25+).
		unix.SYS_PRCTL: {{Eq(unix.PR_SET_VMA), Eq(unix.PR_SET_VMA_ANON_NAME)}},
		// glibc's thread start-up (binaries linked with cgo).
		unix.SYS_SET_ROBUST_LIST:   any6,
		unix.SYS_RSEQ:              any6,
		unix.SYS_EPOLL_CREATE1:     any6,
		unix.SYS_EPOLL_CTL:         any6,
		unix.SYS_EPOLL_PWAIT:       any6,
		unix.SYS_EVENTFD2:          any6,
		unix.SYS_PIPE2:             any6,
		unix.SYS_SCHED_GETAFFINITY: any6,
		// Runtime threads only; fork only the vfork-style way of
		// syscall.ForkExec (a child that execs at once).
		unix.SYS_CLONE: {
			{Eq(cloneThread)},
			// Go 1.26's runtime also passes CLONE_SETTLS.
			{Eq(cloneThread | unix.CLONE_SETTLS)},
			{Eq(cloneGlibcThread)},
			{Eq(cloneForkExec)},
		},
		// tgkill: the runtime's preemption (SIGURG) and crash signals, and
		// the sentry's interrupts of stub threads.
		unix.SYS_TGKILL: any6,
		// CPU profiling (--cpuprofile) and runtime timers.
		unix.SYS_SETITIMER:     any6,
		unix.SYS_TIMER_CREATE:  any6,
		unix.SYS_TIMER_SETTIME: any6,
		unix.SYS_TIMER_DELETE:  any6,
		// fcntl: the runtime and os package's F_GETFL/F_SETFL (nonblocking),
		// F_DUPFD_CLOEXEC, F_GETFD/F_SETFD; memfd seals.
		unix.SYS_FCNTL: {
			{AnyArg, Eq(unix.F_GETFL)},
			{AnyArg, Eq(unix.F_SETFL)},
			{AnyArg, Eq(unix.F_GETFD)},
			{AnyArg, Eq(unix.F_SETFD)},
			{AnyArg, Eq(unix.F_DUPFD_CLOEXEC)},
			{AnyArg, Eq(unix.F_ADD_SEALS)},
		},
	}
}

// sentryRules are the sentry's own calls on top of the runtime's.
func sentryRules() map[uintptr][]Rule {
	return map[uintptr][]Rule{
		// The ptrace platform: the stubs (fork+exec of a sealed memfd,
		// traced), and driving their threads.
		unix.SYS_PTRACE: {
			{Eq(unix.PTRACE_TRACEME)}, // in the forked child, before exec
			{Eq(unix.PTRACE_CONT)},
			{Eq(unix.PTRACE_SYSEMU)},
			{Eq(unix.PTRACE_GETREGS)},
			{Eq(unix.PTRACE_SETREGS)},
			{Eq(unix.PTRACE_GETREGSET)},
			{Eq(unix.PTRACE_SETREGSET)},
			{Eq(unix.PTRACE_GETSIGINFO)},
			{Eq(unix.PTRACE_SETOPTIONS)},
			{Eq(unix.PTRACE_SEIZE)},
			{Eq(unix.PTRACE_INTERRUPT)},
			{Eq(unix.PTRACE_DETACH)},
			// Writing a stub's name into its page (addressSpace.SetName);
			// x/sys's PtracePokeData reads the partial words first.
			{Eq(unix.PTRACE_POKEDATA)},
			{Eq(unix.PTRACE_PEEKDATA)},
		},
		unix.SYS_WAIT4: any6,
		// runsc boot's gofer child: os.Process's Wait (waitid, on a
		// pidfd) and Kill (pidfd_send_signal).
		unix.SYS_WAITID:            any6,
		unix.SYS_PIDFD_SEND_SIGNAL: any6,
		unix.SYS_KILL:              any6, // SIGKILL of a stub process; tests of liveness (signal 0)
		// A pidfd per stub, polled to notice a stub the host killed (its
		// OOM killer) while the application is blocked in the sentry.
		unix.SYS_PIDFD_OPEN: any6,
		// The stub is started from a sealed memfd: personality
		// (ADDR_NO_RANDOMIZE, set and restored around fork), setsid and
		// dup3/execve in the child, and the stub's own start-up (munmap,
		// pause).
		unix.SYS_PERSONALITY: any6,
		unix.SYS_SETSID:      any6,
		unix.SYS_DUP3:        any6,
		unix.SYS_DUP:         any6,
		unix.SYS_EXECVE:      any6,
		unix.SYS_PAUSE:       any6,
		unix.SYS_MEMFD_CREATE: {
			{AnyArg, FlagsIn(unix.MFD_CLOEXEC | unix.MFD_ALLOW_SEALING)},
		},
		// The forked stub child's parent-death signal (the pool's stubs);
		// PR_SET_NAME injected into stubs, which inherit this filter, to
		// name them after their program (ptrace addressSpace.SetName).
		unix.SYS_PRCTL: {
			{Eq(unix.PR_SET_PDEATHSIG)},
			{Eq(unix.PR_SET_NAME)},
		},
		unix.SYS_SCHED_SETAFFINITY: any6,
		unix.SYS_SYSINFO:           any6,
		unix.SYS_UNAME:             any6,
		unix.SYS_CLOCK_GETRES:      any6,
		unix.SYS_GETPPID:           any6,
		unix.SYS_GETCWD:            any6, // runsc do: the caller's directory
		unix.SYS_GETUID:            any6,
		unix.SYS_GETGID:            any6,
		unix.SYS_GETEUID:           any6,
		unix.SYS_GETEGID:           any6,
		unix.SYS_GETGROUPS:         any6,
		// Memory file (one memfd) and host files held open: the host tree
		// of runsc do, stdio, the files the gofer donates.
		unix.SYS_FTRUNCATE:  any6,
		unix.SYS_FALLOCATE:  any6,
		unix.SYS_PREAD64:    any6,
		unix.SYS_PWRITE64:   any6,
		unix.SYS_READV:      any6,
		unix.SYS_WRITEV:     any6,
		unix.SYS_PREADV:     any6,
		unix.SYS_PWRITEV:    any6,
		unix.SYS_LSEEK:      any6,
		unix.SYS_FSTAT:      any6,
		unix.SYS_NEWFSTATAT: any6,
		unix.SYS_FSTATFS:    any6,
		unix.SYS_STATFS:     any6, // the host root of runsc do (fs/host)
		unix.SYS_GETDENTS64: any6,
		unix.SYS_READLINKAT: any6,
		unix.SYS_GETXATTR:   any6,
		unix.SYS_LISTXATTR:  any6,
		// Opening: runsc do's host tree (openat2 beneath its root fd, and
		// the /proc/self/fd re-opens), the host /proc files the sentry reads
		// about its own threads. runsc boot has no host paths left to open
		// once chrooted into an empty directory.
		unix.SYS_OPENAT:  any6,
		unix.SYS_OPENAT2: any6,
		// The gofer connection (fs/gofer): requests and host fds passed
		// with SCM_RIGHTS over a unix socket the sentry already holds.
		unix.SYS_SENDMSG: any6,
		// runsc boot's control socket (sentry/control): connections
		// from the runsc commands.
		unix.SYS_ACCEPT4:     any6,
		unix.SYS_GETSOCKNAME: any6,
		unix.SYS_GETPEERNAME: any6,
		// net.FileListener on the control socket of a pod's later
		// container, passed in by runsc create (runsc/cmd/boot_containers.go).
		unix.SYS_GETSOCKOPT: {{AnyArg, Eq(unix.SOL_SOCKET), Eq(unix.SO_TYPE)}},
		unix.SYS_RECVMSG:    any6,
		unix.SYS_POLL:       any6,
		unix.SYS_PPOLL:      any6, // unix.Poll
		// Terminal ioctls passed through to the host terminal (fs/host),
		// FIONREAD (TIOCINQ) on host fds.
		unix.SYS_IOCTL: {
			{AnyArg, Eq(unix.TCGETS)},
			{AnyArg, Eq(unix.TCSETS)},
			{AnyArg, Eq(unix.TCSETSW)},
			{AnyArg, Eq(unix.TCSETSF)},
			{AnyArg, Eq(unix.TIOCGWINSZ)},
			{AnyArg, Eq(unix.TIOCSWINSZ)},
			{AnyArg, Eq(unix.TIOCINQ)},
		},
	}
}

// SentryRules is the sentry's filter: the calls above, clone3 failing
// with ENOSYS (so the runtime falls back to clone, whose flags the filter
// can check), and KILL_PROCESS for everything else.
func SentryRules() RuleSet {
	s := RuleSet{
		Allow:   goRuntimeRules(),
		Actions: map[uintptr]Action{unix.SYS_CLONE3: Errno(unix.ENOSYS)},
		Default: KillProcess,
	}
	s.Merge(RuleSet{Allow: sentryRules()})
	return s
}

// fionbio is FIONBIO on x86-64, which golang.org/x/sys/unix lacks.
const fionbio = 0x5421
