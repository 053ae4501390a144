package sandbox

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// HostPIDs returns the host pids of the processes that run a container's
// processes, for `runsc ps --format json` (which docker top and
// containerd's shim read as runc's list of the container's host
// processes): the ptrace stub of each of its processes, which runs that
// process's code and is named after its program, in order and without
// duplicates (threads, and a vfork child before its exec, share one).
// The sandbox process (the sentry) is not listed: it runs no application
// code and is shared by every container of a pod, so it would be listed
// by each; stubs are the container's own.
//
// stubPIDs are the stubs' pids as the sentry sees them
// (control.ProcInfo.HostPID): the same as the host's unless the sandbox
// has a pid namespace of its own, in which case they are translated
// through the NSpid lines of the sandbox process's children. A stub that
// cannot be found (it exited meanwhile) is left out.
func HostPIDs(sandboxPID int, stubPIDs []int) []int {
	out := []int{}
	seen := map[int]bool{}
	byNS := childrenByNSPid(sandboxPID)
	for _, p := range stubPIDs {
		h, ok := byNS[p]
		if !ok || seen[h] {
			continue
		}
		seen[h] = true
		out = append(out, h)
	}
	return out
}

// childrenByNSPid maps the pids of parent's children, as the innermost pid
// namespace they are in numbers them, to their host pids.
func childrenByNSPid(parent int) map[int]int {
	m := map[int]int{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, st := range stats {
		b, err := os.ReadFile(st)
		if err != nil {
			continue
		}
		// "pid (comm) state ppid ...": comm may hold spaces and ')'.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 || f[1] != strconv.Itoa(parent) {
			continue
		}
		pid, err := strconv.Atoi(filepath.Base(filepath.Dir(st)))
		if err != nil {
			continue
		}
		m[nsPid(pid)] = pid
	}
	return m
}

// nsPid is host pid's number in its innermost pid namespace (the last
// field of NSpid in /proc/PID/status), or pid if unknown.
func nsPid(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return pid
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "NSpid:" {
			if n, err := strconv.Atoi(f[len(f)-1]); err == nil {
				return n
			}
		}
	}
	return pid
}
