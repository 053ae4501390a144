package seccomp

import (
	"golang.org/x/sys/unix"
)

// The two stacked filters of the sandbox process (`runsc boot`), in the
// order runsc/sandbox/confine_boot.go installs them:
//
//  1. StubRules, on every thread, before the master ptrace stub is exec'd:
//     the stubs inherit it (every stub is cloned from the master), and the
//     sentry runs under it while it finishes confining itself (chroot,
//     capability drop).
//  2. BootRules, stacked on it: the sentry's own calls once confined. The
//     kernel runs both filters and the strictest action wins, so the
//     sentry is held to BootRules; BootRules is a subset of StubRules.

// cloneStubFork is the master stub's fork of a new stub (platform/ptrace
// factory.go): a new process whose parent is the sentry.
const cloneStubFork = unix.CLONE_PARENT | uint64(unix.SIGCHLD)

// BootRules is the confined sentry's filter in `runsc boot`: the sentry's
// calls (SentryRules) without those that only starting a stub by exec
// needs (execve, the vfork-style clone, memfd_create, personality,
// setsid, PTRACE_TRACEME): the boot sentry clones its stubs from a
// master stub instead.
func BootRules() RuleSet {
	s := SentryRules()
	for _, nr := range []uintptr{unix.SYS_EXECVE, unix.SYS_MEMFD_CREATE, unix.SYS_PERSONALITY, unix.SYS_SETSID} {
		delete(s.Allow, nr)
	}
	s.Allow[unix.SYS_CLONE] = []Rule{{Eq(cloneThread)}, {Eq(cloneThread | unix.CLONE_SETTLS)}, {Eq(cloneGlibcThread)}}
	var ptrace []Rule
	for _, r := range s.Allow[unix.SYS_PTRACE] {
		if r[0] != Eq(unix.PTRACE_TRACEME) {
			ptrace = append(ptrace, r)
		}
	}
	s.Allow[unix.SYS_PTRACE] = ptrace
	return s
}

// StubRules is the first filter of `runsc boot` (see above), the whole
// policy of the ptrace stubs: the sentry's calls (SentryRules, which covers
// the calls the sentry injects into stubs and a stub's exec), the master
// stub's fork of new stubs, and the calls the sentry makes between
// installing it and installing BootRules (chroot, the capability drop,
// installing BootRules).
// The stubs hold no capabilities and have no_new_privs, so chroot and the
// capability calls can only fail or lower their privileges there. The
// application's own system calls never reach it (PTRACE_SYSEMU stops them
// first).
func StubRules() RuleSet {
	s := SentryRules()
	s.Merge(RuleSet{Allow: map[uintptr][]Rule{
		unix.SYS_CLONE:  {{Eq(cloneStubFork)}},
		unix.SYS_CHROOT: any6,
		unix.SYS_CHDIR:  any6,
		unix.SYS_CAPGET: any6,
		unix.SYS_CAPSET: any6,
		// Installing the second filter (only ever adds restrictions).
		unix.SYS_SECCOMP: {{Eq(unix.SECCOMP_SET_MODE_FILTER)}},
		unix.SYS_PRCTL: {
			{Eq(unix.PR_SET_NO_NEW_PRIVS)},
			{Eq(unix.PR_CAPBSET_DROP)},
			{Eq(unix.PR_CAP_AMBIENT)},
			{Eq(unix.PR_GET_DUMPABLE)},
			{Eq(unix.PR_SET_DUMPABLE)},
		},
	}})
	return s
}
