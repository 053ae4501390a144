package e2e

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// The sandbox's /proc and /sys describe the sandbox: its own processes,
// memory and CPUs. Outputs that name processes cannot match a native run,
// so most cases here run only in the sandbox and check explicit
// expectations; the rest are differential.

// sandboxOK runs argv in the sandbox and requires exit status 0.
func sandboxOK(t *testing.T, argv ...string) string {
	t.Helper()
	if strings.Contains(argv[0], "busybox") {
		requireBusybox(t)
	}
	if _, err := os.Stat(argv[0]); err != nil {
		t.Skipf("%s is absent: %v", argv[0], err)
	}
	r := runSandboxed(t, "/", argv...)
	if r.status != 0 {
		t.Fatalf("%q in the sandbox: %v\nstdout:\n%s", argv, r, r.stdout)
	}
	return string(r.stdout)
}

// wantLines requires got to be exactly the lines want, after trimming
// trailing spaces of each line.
func wantLines(t *testing.T, got string, want ...string) {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(got, "\n"), "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// The background sleep and the foreground "sleep 0.2" make the process
// list known: sh is 1, the background sleep 2, the short sleep 3 (reaped
// by the time ps runs), the ps 4.
const psPrelude = "sleep 3 & sleep 0.2; "

func TestProcBusyboxPs(t *testing.T) {
	out := sandboxOK(t, "/bin/sh", "-c", psPrelude+"/bin/busybox ps -o pid,ppid,comm")
	wantLines(t, out,
		"PID   PPID  COMMAND",
		"    1     0 sh",
		"    2     1 sleep",
		"    4     1 busybox")
}

func TestProcProcpsPs(t *testing.T) {
	out := sandboxOK(t, "/bin/sh", "-c", psPrelude+"/bin/ps -eo pid,ppid,stat,comm")
	wantLines(t, out,
		"    PID    PPID STAT COMMAND",
		"      1       0 Ss   sh",
		"      2       1 S    sleep",
		"      4       1 R    ps")
}

func TestProcProcpsPsAux(t *testing.T) {
	out := sandboxOK(t, "/bin/sh", "-c", psPrelude+"/bin/ps aux")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "USER") {
		t.Fatalf("ps aux: want a header and 3 processes, got:\n%s", out)
	}
	wantCmd := []string{"/bin/sh -c " + psPrelude + "/bin/ps aux", "sleep 3", "/bin/ps aux"}
	for i, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) < 11 {
			t.Fatalf("ps aux line %q: too few fields", l)
		}
		if pid := f[1]; pid != []string{"1", "2", "4"}[i] {
			t.Errorf("ps aux line %d: pid %s, want %s", i+1, pid, []string{"1", "2", "4"}[i])
		}
		if cmd := strings.Join(f[10:], " "); cmd != wantCmd[i] {
			t.Errorf("ps aux line %d: command %q, want %q", i+1, cmd, wantCmd[i])
		}
		if vsz, _ := strconv.Atoi(f[4]); vsz <= 0 {
			t.Errorf("ps aux line %d: VSZ %q, want > 0", i+1, f[4])
		}
	}
}

func TestProcBusyboxTop(t *testing.T) {
	out := sandboxOK(t, "/bin/sh", "-c", psPrelude+"/bin/busybox top -b -n1")
	if !strings.HasPrefix(out, "Mem: ") || !strings.Contains(out, "\nLoad average: ") {
		t.Errorf("busybox top: no Mem/Load average lines:\n%s", out)
	}
	var pids []string
	re := regexp.MustCompile(`^\s*(\d+)\s+(\d+)\s+\S+\s+[RSTZ]`)
	for _, l := range strings.Split(out, "\n") {
		if m := re.FindStringSubmatch(l); m != nil {
			pids = append(pids, m[1])
		}
	}
	if got := strings.Join(pids, " "); got != "4 1 2" && got != "1 2 4" && got != "2 1 4" && got != "4 2 1" && got != "1 4 2" && got != "2 4 1" {
		t.Errorf("busybox top shows pids %q, want exactly 1, 2 and 4:\n%s", got, out)
	}
}

// hostMemTotal returns the host's MemTotal in kB.
func hostMemTotal(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		t.Skipf("no host /proc/meminfo: %v", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "MemTotal:"); ok {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n
		}
	}
	t.Skip("no MemTotal in the host's /proc/meminfo")
	return 0
}

func TestProcBusyboxFree(t *testing.T) {
	out := sandboxOK(t, "/bin/busybox", "free")
	total := hostMemTotal(t)
	var got []int64
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, "Mem:"); ok {
			for _, f := range strings.Fields(rest) {
				n, err := strconv.ParseInt(f, 10, 64)
				if err != nil {
					t.Fatalf("busybox free: bad number %q in %q", f, l)
				}
				got = append(got, n)
			}
		}
	}
	// total used free shared buff/cache available
	if len(got) != 6 {
		t.Fatalf("busybox free: want 6 Mem: figures, got:\n%s", out)
	}
	if got[0] != total {
		t.Errorf("busybox free: total %d kB, want the host's %d kB", got[0], total)
	}
	if got[1] <= 0 || got[1] > 1<<20 || got[1]+got[2] != got[0] {
		t.Errorf("busybox free: used %d + free %d must be total %d, used the sandbox's few MB", got[1], got[2], got[0])
	}
}

func TestProcMeminfo(t *testing.T) {
	out := sandboxOK(t, "/bin/cat", "/proc/meminfo")
	vals := map[string]int64{}
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("meminfo line %q has no colon", l)
		}
		n, err := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
		if err != nil {
			t.Fatalf("meminfo line %q: %v", l, err)
		}
		vals[k] = n
	}
	if vals["MemTotal"] != hostMemTotal(t) {
		t.Errorf("MemTotal %d kB, want the host's %d", vals["MemTotal"], hostMemTotal(t))
	}
	if vals["MemFree"] <= 0 || vals["MemFree"] > vals["MemTotal"] || vals["MemAvailable"] < vals["MemFree"] {
		t.Errorf("inconsistent MemTotal %d, MemFree %d, MemAvailable %d", vals["MemTotal"], vals["MemFree"], vals["MemAvailable"])
	}
	for _, k := range []string{"Buffers", "Cached", "SwapTotal", "Shmem", "HugePages_Total"} {
		if _, ok := vals[k]; !ok {
			t.Errorf("meminfo lacks %s", k)
		}
	}
}

func TestProcMount(t *testing.T) {
	out := sandboxOK(t, "/bin/busybox", "mount")
	for _, want := range []string{
		"proc on /proc type proc (rw,nosuid,nodev,noexec)",
		"sysfs on /sys type sysfs (ro,nosuid,nodev,noexec)",
		"cgroup2 on /sys/fs/cgroup type cgroup2 (ro,nosuid,nodev,noexec,nsdelegate)",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("busybox mount lacks %q:\n%s", want, out)
		}
	}
}

func TestProcBusyboxDf(t *testing.T) {
	out := sandboxOK(t, "/bin/busybox", "df")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if !strings.HasPrefix(lines[0], "Filesystem") {
		t.Fatalf("busybox df: no header:\n%s", out)
	}
	found := false
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) == 6 && f[5] == "/" {
			found = true
			if n, _ := strconv.ParseInt(f[1], 10, 64); n <= 0 {
				t.Errorf("busybox df: / has %s blocks", f[1])
			}
		}
	}
	if !found {
		t.Errorf("busybox df: no line for /:\n%s", out)
	}
}

// statusFields parses /proc/[pid]/status.
func statusFields(out string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

func TestProcSelfStatus(t *testing.T) {
	uid, gid := os.Getuid(), os.Getgid()
	ids := func(n int) string { return fmt.Sprintf("%d\t%d\t%d\t%d", n, n, n, n) }
	st := statusFields(sandboxOK(t, "/bin/cat", "/proc/self/status"))
	for k, want := range map[string]string{
		"Name": "cat", "State": "R (running)", "Tgid": "1", "Pid": "1", "PPid": "0",
		"Uid": ids(uid), "Gid": ids(gid), "Threads": "1",
	} {
		if st[k] != want {
			t.Errorf("/proc/self/status %s: %q, want %q", k, st[k], want)
		}
	}
	// A child of the shell: pid 2, parent 1.
	st = statusFields(sandboxOK(t, "/bin/sh", "-c", "/bin/cat /proc/self/status; true"))
	if st["Pid"] != "2" || st["PPid"] != "1" || st["Name"] != "cat" {
		t.Errorf("cat under sh: Pid %q PPid %q Name %q, want 2, 1, cat", st["Pid"], st["PPid"], st["Name"])
	}
	// Threads counts the process's threads.
	out := sandboxOK(t, "/usr/bin/python3", "-c", `
import threading
ev = threading.Event()
ts = [threading.Thread(target=ev.wait) for _ in range(3)]
for t in ts: t.start()
st = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines())
import os
print(st["Threads"].strip(), sorted(os.listdir("/proc/self/task")) == sorted(os.listdir("/proc/%d/task" % os.getpid())), len(os.listdir("/proc/self/task")))
ev.set()
`)
	if out != "4 True 4\n" {
		t.Errorf("python with 3 threads: %q, want %q", out, "4 True 4\n")
	}
}

func TestProcSelfLinks(t *testing.T) {
	out := sandboxOK(t, "/bin/sh", "-c", "cd /usr/share && readlink /proc/self/exe /proc/self/cwd /proc/self/root /proc/self /proc/thread-self")
	wantLines(t, out, "/usr/bin/readlink", "/usr/share", "/", "2", "2/task/2")
}

func TestProcSelfFD(t *testing.T) {
	out := sandboxOK(t, "/bin/sh", "-c", "exec 5</etc/hostname 7>/dev/null; ls /proc/self/fd; readlink /proc/self/fd/5; cat /proc/self/fdinfo/5")
	wantLines(t, out, "0", "1", "2", "3", "5", "7", "/etc/hostname", "pos:\t0", "flags:\t0100000", "mnt_id:\t1", fmt.Sprintf("ino:\t%d", hostIno(t, "/etc/hostname")))

	out = sandboxOK(t, "/bin/ls", "-l", "/proc/self/fd/")
	re := regexp.MustCompile(`^l[-rwx]{9} 1 \S+ \S+ 0 .* (\d+) -> (.*)$`)
	var fds []string
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n")[1:] {
		m := re.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("ls -l /proc/self/fd/: unexpected line %q", l)
			continue
		}
		fds = append(fds, m[1])
		if m[1] == "3" && m[2] != "/proc/1/fd" {
			t.Errorf("fd 3 (the listed directory) -> %q, want /proc/1/fd", m[2])
		}
	}
	if strings.Join(fds, " ") != "0 1 2 3" {
		t.Errorf("ls -l /proc/self/fd/ lists fds %v, want 0 1 2 3", fds)
	}
	// Pipes show as pipe:[ino].
	out = sandboxOK(t, "/bin/sh", "-c", "readlink /proc/self/fd/1 | cat")
	if !regexp.MustCompile(`^pipe:\[\d+\]\n$`).MatchString(out) {
		t.Errorf("readlink of a pipe fd: %q, want pipe:[N]", out)
	}
}

func hostIno(t *testing.T, path string) uint64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Skipf("%s: %v", path, err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

func TestProcSelfMaps(t *testing.T) {
	out := sandboxOK(t, "/bin/cat", "/proc/self/maps")
	line := regexp.MustCompile(`^[0-9a-f]{8,}-[0-9a-f]{8,} [r-][w-][x-][ps] [0-9a-f]{8} [0-9a-f]{2}:[0-9a-f]{2} \d+ *(.*)$`)
	var exec, heap, stack, libc bool
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("maps line %q has the wrong format", l)
			continue
		}
		switch name := m[1]; {
		case name == "/usr/bin/cat" && strings.Contains(l, " r-xp "):
			exec = true
		case name == "[heap]":
			heap = true
		case name == "[stack]":
			stack = true
		case strings.HasSuffix(name, "/libc.so.6"):
			libc = true
		}
	}
	if !exec || !heap || !stack || !libc {
		t.Errorf("maps: executable text %v, heap %v, stack %v, libc %v; want all:\n%s", exec, heap, stack, libc, out)
	}
	out = sandboxOK(t, "/bin/cat", "/proc/self/smaps_rollup")
	if !strings.Contains(out, "[rollup]\n") || !regexp.MustCompile(`\nRss: +[1-9]\d* kB\n`).MatchString(out) {
		t.Errorf("smaps_rollup:\n%s", out)
	}
}

func TestProcOnlySandboxPids(t *testing.T) {
	out := sandboxOK(t, "/usr/bin/python3", "-c", `import os; print(sorted(int(x) for x in os.listdir("/proc") if x.isdigit()))`)
	if out != "[1]\n" {
		t.Errorf("pids in /proc: %q, want [1]", out)
	}
}

func TestProcWritable(t *testing.T) {
	out := sandboxOK(t, "/bin/sh", "-c", `printf renamed > /proc/$$/comm; cat /proc/$$/comm; echo 500 > /proc/self/oom_score_adj; cat /proc/self/oom_score_adj; (echo 5000 > /proc/self/oom_score_adj) 2>/dev/null || echo refused`)
	wantLines(t, out, "renamed", "500", "refused")
}

func TestProcSysValues(t *testing.T) {
	out := sandboxOK(t, "/bin/sh", "-c", "cat /proc/sys/kernel/osrelease /proc/sys/kernel/ostype /proc/sys/kernel/pid_max /proc/sys/kernel/cap_last_cap /proc/sys/vm/overcommit_memory /proc/sys/fs/nr_open /sys/fs/cgroup/cpu.max /sys/fs/cgroup/memory.max /sys/kernel/mm/transparent_hugepage/enabled /proc/self/cgroup; uname -r")
	wantLines(t, out, "6.1.0", "Linux", "4194304", "40", "0", "1048576", "max 100000", "max", "always madvise [never]", "0::/", "6.1.0")
	// A fresh uuid on every read; the boot id stays.
	out = sandboxOK(t, "/bin/sh", "-c", "cat /proc/sys/kernel/random/uuid /proc/sys/kernel/random/uuid /proc/sys/kernel/random/boot_id /proc/sys/kernel/random/boot_id")
	l := strings.Split(out, "\n")
	if len(l) < 4 || l[0] == l[1] || l[2] != l[3] || len(l[0]) != 36 {
		t.Errorf("uuid/boot_id: %q", out)
	}
}

// Values a program sizes itself by must be the same as natively.
func TestProcDifferential(t *testing.T) {
	cases := []struct {
		name string
		argv []string
	}{
		{"nproc", []string{"/usr/bin/nproc"}},
		{"python_cpu_count", []string{"/usr/bin/python3", "-c", "import os, multiprocessing; print(os.cpu_count(), multiprocessing.cpu_count())"}},
		{"getconf_nprocessors", []string{"/usr/bin/getconf", "_NPROCESSORS_ONLN"}},
		{"sys_cpu_online", []string{"/bin/cat", "/sys/devices/system/cpu/online"}},
		{"readlink_self_exe", []string{"/usr/bin/readlink", "/proc/self/exe"}},
		{"stat_format", []string{"/usr/bin/stat", "-f", "-c", "%T", "/proc", "/sys"}},
		{"mem_total", []string{"/bin/sh", "-c", "grep MemTotal /proc/meminfo"}},
		{"cpuinfo_processors", []string{"/bin/sh", "-c", "grep -c ^processor /proc/cpuinfo"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			differential(t, "/", 0, tc.argv...)
		})
	}
}
