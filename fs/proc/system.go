package proc

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/synth"
	"stockade.dev/sentry/kernel"
)

// Release and Version are the kernel release and version /proc shows; they
// must match what uname(2) reports (syscalls.Release and Version; a test
// checks).
var (
	Release = "6.1.0"
	Version = "#1 SMP Stockade"
)

// hostInfo is what procfs learns from the host once, at creation: the
// CPU descriptions. Nothing else of the host shows.
type hostInfo struct {
	cpuinfo map[int]string // processor number -> its cpuinfo block
}

func readHostInfo() hostInfo {
	h := hostInfo{cpuinfo: map[int]string{}}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, block := range strings.Split(string(b), "\n\n") {
			block = strings.Trim(block, "\n")
			if block == "" {
				continue
			}
			first, _, _ := strings.Cut(block, "\n")
			k, v, ok := strings.Cut(first, ":")
			if !ok || strings.TrimSpace(k) != "processor" {
				continue
			}
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				h.cpuinfo[n] = block + "\n\n"
			}
		}
	}
	return h
}

// buildSystem adds the fixed entries of /proc.
func (fs *FS) buildSystem() {
	host := readHostInfo()
	t := &synth.Tree{Root: fs.root.Dir, Template: fs.tmpl}
	k := fs.k
	gen := func(f func() string) func() ([]byte, error) {
		return func() ([]byte, error) { return []byte(f()), nil }
	}
	t.File("cmdline", 0o444, synth.Bytes("BOOT_IMAGE=/vmlinuz-"+Release+" ro quiet\n"), nil)
	t.File("cpuinfo", 0o444, gen(func() string {
		var b strings.Builder
		for _, c := range kernel.OnlineCPUs() {
			if s, ok := host.cpuinfo[c]; ok {
				b.WriteString(s)
			} else {
				fmt.Fprintf(&b, "processor\t: %d\nvendor_id\t: unknown\nmodel name\t: unknown\n\n", c)
			}
		}
		return b.String()
	}), nil)
	t.Text("devices", "Character devices:\n  1 mem\n  4 /dev/vc/0\n  4 tty\n  5 /dev/tty\n  5 /dev/console\n  5 /dev/ptmx\n136 pts\n\nBlock devices:\n")
	t.Text("diskstats", "")
	t.Text("filesystems", "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tcgroup2\nnodev\tdevpts\nnodev\tmqueue\nnodev\toverlay\nnodev\tpipefs\nnodev\tsockfs\n")
	t.File("loadavg", 0o444, gen(func() string {
		running, total := k.ProcCounts()
		return fmt.Sprintf("0.00 0.00 0.00 %d/%d %d\n", max(running, 1), total, k.LastPID())
	}), nil)
	t.Text("locks", "")
	t.File("meminfo", 0o444, gen(fs.meminfo), nil)
	t.Text("modules", "")
	t.Link("mounts", "self/mounts")
	t.Link("net", "self/net")
	t.Text("partitions", "major minor  #blocks  name\n\n")
	t.File("stat", 0o444, gen(fs.stat), nil)
	t.Text("swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n")
	t.Text("tty/drivers", "/dev/tty             /dev/tty        5       0 system:/dev/tty\n"+
		"/dev/console         /dev/console    5       1 system:console\n"+
		"/dev/ptmx            /dev/ptmx       5       2 system\n"+
		"pty_slave            /dev/pts      136 0-1048575 pty:slave\n"+
		"pty_master           /dev/ptm      128 0-1048575 pty:master\n")
	t.File("uptime", 0o444, gen(func() string {
		up := fs.uptime().Seconds()
		busy := float64(fs.busyNanos()) / 1e9
		idle := max(0, up*float64(len(kernel.OnlineCPUs()))-busy)
		return fmt.Sprintf("%.2f %.2f\n", up, idle)
	}), nil)
	t.File("version", 0o444, gen(func() string {
		return "Linux version " + Release + " (stockade@stockade) (gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) " + Version + "\n"
	}), nil)
	t.File("vmstat", 0o444, gen(func() string {
		total, used := k.MemoryUsage()
		return fmt.Sprintf("nr_free_pages %d\nnr_anon_pages %d\npgpgin 0\npgpgout 0\npswpin 0\npswpout 0\npgfault 0\npgmajfault 0\n", (total-used)/4096, used/4096)
	}), nil)
	// "self" and "thread-self" answer per caller (rootDir.LookupContext);
	// these entries list them and answer callers the VFS cannot name.
	fs.root.Add("self", fs.selfLink("self", nil))
	fs.root.Add("thread-self", fs.selfLink("thread-self", nil))
	fs.buildSysctl(t)
}

// meminfo is /proc/meminfo: the host's memory size, and the sandbox's own
// use of it.
func (fs *FS) meminfo() string {
	total, used := fs.k.MemoryUsage()
	free := total - used
	var b bytes.Buffer
	kb := func(name string, v uint64) { fmt.Fprintf(&b, "%-16s%8d kB\n", name+":", v>>10) }
	n := func(name string, v uint64) { fmt.Fprintf(&b, "%-16s%8d\n", name+":", v) }
	kb("MemTotal", total)
	kb("MemFree", free)
	kb("MemAvailable", free)
	kb("Buffers", 0)
	kb("Cached", 0)
	kb("SwapCached", 0)
	kb("Active", used)
	kb("Inactive", 0)
	kb("Active(anon)", used)
	kb("Inactive(anon)", 0)
	kb("Active(file)", 0)
	kb("Inactive(file)", 0)
	kb("Unevictable", 0)
	kb("Mlocked", 0)
	kb("SwapTotal", 0)
	kb("SwapFree", 0)
	kb("Zswap", 0)
	kb("Zswapped", 0)
	kb("Dirty", 0)
	kb("Writeback", 0)
	kb("AnonPages", used)
	kb("Mapped", 0)
	kb("Shmem", 0)
	kb("KReclaimable", 0)
	kb("Slab", 0)
	kb("SReclaimable", 0)
	kb("SUnreclaim", 0)
	kb("KernelStack", 0)
	kb("PageTables", 0)
	kb("SecPageTables", 0)
	kb("NFS_Unstable", 0)
	kb("Bounce", 0)
	kb("WritebackTmp", 0)
	kb("CommitLimit", total/2)
	kb("Committed_AS", used)
	kb("VmallocTotal", 34359738367<<10)
	kb("VmallocUsed", 0)
	kb("VmallocChunk", 0)
	kb("Percpu", 0)
	kb("HardwareCorrupted", 0)
	kb("AnonHugePages", 0)
	kb("ShmemHugePages", 0)
	kb("ShmemPmdMapped", 0)
	kb("FileHugePages", 0)
	kb("FilePmdMapped", 0)
	n("HugePages_Total", 0)
	n("HugePages_Free", 0)
	n("HugePages_Rsvd", 0)
	n("HugePages_Surp", 0)
	kb("Hugepagesize", 2048<<10)
	kb("Hugetlb", 0)
	kb("DirectMap4k", 0)
	kb("DirectMap2M", 0)
	return b.String()
}

// busyNanos is the CPU time the sandbox's processes used, in ns: the
// live processes' and what init's reaped descendants used.
func (fs *FS) busyNanos() int64 {
	user, sys := fs.cpuTimes()
	return user + sys
}

// cpuTimes returns the user and system CPU time of the sandbox in ns.
func (fs *FS) cpuTimes() (user, sys int64) {
	for _, tg := range fs.k.ThreadGroups() {
		u := tg.ProcessUsage()
		user += u.User
		sys += u.Sys
	}
	if init := fs.k.InitProcess(); init != nil {
		c, _ := init.ChildrenUsage()
		user += c.User
		sys += c.Sys
	}
	return user, sys
}

// stat is /proc/stat: CPU time split over the sandbox's CPUs, boot time
// and process counts.
func (fs *FS) stat() string {
	cpus := kernel.OnlineCPUs()
	n := int64(len(cpus))
	user, sys := fs.cpuTimes()
	up := fs.uptime().Nanoseconds()
	idle := max(0, up*n-user-sys)
	var b strings.Builder
	line := func(name string, u, s, i int64) {
		fmt.Fprintf(&b, "%s %d 0 %d %d 0 0 0 0 0 0\n", name, ticks(u), ticks(s), ticks(i))
	}
	line("cpu ", user, sys, idle)
	for _, c := range cpus {
		line("cpu"+strconv.Itoa(c), user/n, sys/n, idle/n)
	}
	running, _ := fs.k.ProcCounts()
	fmt.Fprintf(&b, "intr 0\nctxt 0\nbtime %d\nprocesses %d\nprocs_running %d\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
		fs.k.BootTime().Unix(), fs.k.LastPID(), max(running, 1))
	return b.String()
}

// buildSysctl adds /proc/sys.
func (fs *FS) buildSysctl(t *synth.Tree) {
	k := fs.k
	ro := func(path, v string) { t.File("sys/"+path, 0o644, synth.Bytes(v+"\n"), readOnlySysctl) }
	ro("kernel/cap_last_cap", strconv.Itoa(kernel.CapLastCap))
	ro("kernel/core_pattern", "core")
	ro("kernel/domainname", "(none)")
	t.File("sys/kernel/hostname", 0o644, func() ([]byte, error) { return []byte(k.Hostname + "\n"), nil }, readOnlySysctl)
	ro("kernel/ngroups_max", "65536")
	ro("kernel/osrelease", Release)
	ro("kernel/ostype", "Linux")
	ro("kernel/overflowgid", "65534")
	ro("kernel/overflowuid", "65534")
	ro("kernel/perf_event_paranoid", "2")
	ro("kernel/pid_max", "4194304")
	ro("kernel/printk", "4\t4\t1\t7")
	ro("kernel/randomize_va_space", "2")
	ro("kernel/sem", "32000\t1024000000\t500\t32000")
	ro("kernel/shmall", "18446744073692774399")
	ro("kernel/shmmax", "18446744073692774399")
	ro("kernel/shmmni", "4096")
	ro("kernel/msgmax", "8192")
	ro("kernel/msgmnb", "16384")
	ro("kernel/msgmni", "32000")
	ro("kernel/threads-max", "127408")
	ro("kernel/version", Version)
	ro("kernel/yama/ptrace_scope", "1")
	ro("kernel/random/boot_id", fs.bootID)
	ro("kernel/random/entropy_avail", "256")
	ro("kernel/random/poolsize", "256")
	t.File("sys/kernel/random/uuid", 0o444, func() ([]byte, error) { return []byte(newUUID(k) + "\n"), nil }, nil)
	ro("vm/max_map_count", "65530")
	ro("vm/mmap_min_addr", "65536")
	ro("vm/overcommit_memory", "0")
	ro("vm/overcommit_ratio", "50")
	ro("vm/nr_hugepages", "0")
	ro("vm/swappiness", "60")
	ro("fs/file-max", "9223372036854775807")
	t.File("sys/fs/file-nr", 0o444, func() ([]byte, error) {
		_, total := k.ProcCounts()
		return fmt.Appendf(nil, "%d\t0\t9223372036854775807\n", total*4), nil
	}, nil)
	ro("fs/inotify/max_queued_events", "16384")
	ro("fs/inotify/max_user_instances", "128")
	ro("fs/inotify/max_user_watches", "65536")
	ro("fs/nr_open", "1048576")
	ro("fs/pipe-max-size", "1048576")
	ro("fs/protected_hardlinks", "1")
	ro("fs/protected_symlinks", "1")
	ro("net/core/somaxconn", "4096")
	ro("net/ipv4/ip_local_port_range", "32768\t60999")
	ro("net/ipv4/tcp_syncookies", "1")
}

// readOnlySysctl refuses writes to the sysctls the sandbox does not let
// change.
func readOnlySysctl([]byte) error { return unix.EPERM }
