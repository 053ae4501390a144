package seccomp

import (
	"testing"

	"golang.org/x/sys/unix"
)

// call is one system call with its arguments.
type call struct {
	name string
	nr   uintptr
	args [6]uint64
}

// checkPolicy runs each call through s's BPF program and checks the action.
func checkPolicy(t *testing.T, policy string, s RuleSet, want Action, calls []call) {
	t.Helper()
	vm, _ := vmFor(t, s)
	for _, c := range calls {
		if got := run(t, vm, unix.AUDIT_ARCH_X86_64, int32(c.nr), c.args); got != want {
			t.Errorf("%s: %s(%#x...) gets %v, want %v", policy, c.name, c.args[0], got, want)
		}
		if got := s.Evaluate(unix.AUDIT_ARCH_X86_64, int32(c.nr), c.args); got != want {
			t.Errorf("%s: Evaluate %s gets %v, want %v", policy, c.name, got, want)
		}
	}
}

var (
	forkExec  = call{"clone(fork+exec)", unix.SYS_CLONE, [6]uint64{cloneForkExec}}
	stubFork  = call{"clone(CLONE_PARENT|SIGCHLD)", unix.SYS_CLONE, [6]uint64{cloneStubFork}}
	thread    = call{"clone(thread)", unix.SYS_CLONE, [6]uint64{cloneThread | unix.CLONE_SETTLS}}
	execve    = call{"execve", unix.SYS_EXECVE, [6]uint64{}}
	chroot    = call{"chroot", unix.SYS_CHROOT, [6]uint64{}}
	capset    = call{"capset", unix.SYS_CAPSET, [6]uint64{}}
	seize     = call{"ptrace(SEIZE)", unix.SYS_PTRACE, [6]uint64{unix.PTRACE_SEIZE}}
	traceme   = call{"ptrace(TRACEME)", unix.SYS_PTRACE, [6]uint64{unix.PTRACE_TRACEME}}
	pokeuser  = call{"ptrace(POKEUSER)", unix.SYS_PTRACE, [6]uint64{unix.PTRACE_POKEUSR}}
	accept4   = call{"accept4", unix.SYS_ACCEPT4, [6]uint64{}}
	mount     = call{"mount", unix.SYS_MOUNT, [6]uint64{}}
	syslog    = call{"syslog", unix.SYS_SYSLOG, [6]uint64{}}
	socketNet = call{"socket(AF_INET)", unix.SYS_SOCKET, [6]uint64{unix.AF_INET}}
	vmaName   = call{"prctl(PR_SET_VMA)", unix.SYS_PRCTL, [6]uint64{unix.PR_SET_VMA, unix.PR_SET_VMA_ANON_NAME}}
	nnp       = call{"prctl(PR_SET_NO_NEW_PRIVS)", unix.SYS_PRCTL, [6]uint64{unix.PR_SET_NO_NEW_PRIVS}}
)

// TestBootPolicies: the sandbox's two stacked filters. The sentry's own
// (BootRules) has no exec and no fork; the stubs' (StubRules) has what
// the master stub and the confinement steps need and is a superset of
// BootRules.
func TestBootPolicies(t *testing.T) {
	boot, stub := BootRules(), StubRules()
	checkPolicy(t, "boot", boot, Allow, []call{thread, seize, accept4, vmaName, {"ptrace(POKEDATA)", unix.SYS_PTRACE, [6]uint64{unix.PTRACE_POKEDATA}}})
	checkPolicy(t, "boot", boot, KillProcess, []call{forkExec, stubFork, execve, chroot, capset, traceme, pokeuser, mount, syslog, socketNet, nnp})
	checkPolicy(t, "stub", stub, Allow, []call{thread, seize, stubFork, forkExec, execve, chroot, capset, traceme, nnp})
	checkPolicy(t, "stub", stub, KillProcess, []call{mount, syslog, socketNet, pokeuser})
	// BootRules ⊆ StubRules: every call BootRules allows unconditionally,
	// StubRules allows unconditionally too.
	for nr, rs := range boot.Allow {
		srs, ok := stub.Allow[nr]
		if !ok || (len(rs) == 0 && len(srs) != 0) {
			t.Errorf("call %d: allowed by BootRules, not (as widely) by StubRules", nr)
		}
	}
}

// TestGoferPolicy: the gofer opens only beneath its fds, has unix
// socketpairs only, never forks, execs, mounts or makes device nodes.
func TestGoferPolicy(t *testing.T) {
	g := GoferRules()
	checkPolicy(t, "gofer", g, Allow, []call{
		thread,
		{"openat2", unix.SYS_OPENAT2, [6]uint64{}},
		{"socketpair(AF_UNIX)", unix.SYS_SOCKETPAIR, [6]uint64{unix.AF_UNIX}},
		{"mknodat(fifo)", unix.SYS_MKNODAT, [6]uint64{3, 0, unix.S_IFIFO | 0o644, 0}},
		{"fchownat", unix.SYS_FCHOWNAT, [6]uint64{}},
		{"recvmsg", unix.SYS_RECVMSG, [6]uint64{}},
	})
	checkPolicy(t, "gofer", g, KillProcess, []call{
		forkExec, execve, mount, syslog, socketNet, seize, chroot,
		{"socket(AF_UNIX)", unix.SYS_SOCKET, [6]uint64{unix.AF_UNIX}},
		{"connect", unix.SYS_CONNECT, [6]uint64{}},
		{"mknodat(device)", unix.SYS_MKNODAT, [6]uint64{3, 0, unix.S_IFCHR | 0o600, 0x0103}},
		{"socketpair(AF_INET)", unix.SYS_SOCKETPAIR, [6]uint64{unix.AF_INET}},
	})
	checkPolicy(t, "gofer", g, Errno(unix.EACCES), []call{{"openat", unix.SYS_OPENAT, [6]uint64{}}})
}
