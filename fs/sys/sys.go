// Package sys is the sandbox's sysfs: the parts programs read to size
// themselves (the CPUs in /sys/devices/system/cpu, transparent huge pages)
// and, as a separate cgroup2 filesystem for /sys/fs/cgroup, a read-only
// view of the sandbox's limits. Everything is read-only and describes the
// sandbox, not the host.
package sys

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/synth"
	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
)

// Magic numbers and device numbers of sysfs and the cgroup view.
const (
	Magic       = unix.SYSFS_MAGIC
	CgroupMagic = unix.CGROUP2_SUPER_MAGIC
)

// Devices of the two filesystems.
var (
	Dev       = unix.Mkdev(0, 23)
	CgroupDev = unix.Mkdev(0, 24)
)

// kernelMax is /sys/devices/system/cpu/kernel_max (NR_CPUS - 1).
const kernelMax = 8191

// New returns the root inode of a sysfs for kernel k. It has an empty
// fs/cgroup directory to mount NewCgroup's filesystem on.
func New(k *kernel.Kernel) vfs.Inode {
	tmpl := synth.Attr{Dev: Dev, Magic: Magic, Time: unix.NsecToTimespec(k.BootTime().UnixNano())}
	a := tmpl
	a.Ino, a.Mode = synth.NewIno(), unix.S_IFDIR|0o555
	t := &synth.Tree{Root: synth.NewDir(a), Template: tmpl}
	cpus := kernel.OnlineCPUs()
	list := cpuList(cpus) + "\n"
	t.Text("devices/system/cpu/online", list)
	t.Text("devices/system/cpu/possible", list)
	t.Text("devices/system/cpu/present", list)
	t.Text("devices/system/cpu/offline", "\n")
	t.Text("devices/system/cpu/kernel_max", strconv.Itoa(kernelMax)+"\n")
	t.Text("devices/system/cpu/isolated", "\n")
	for _, c := range cpus {
		d := fmt.Sprintf("devices/system/cpu/cpu%d/", c)
		t.Text(d+"online", "1\n")
		t.Text(d+"topology/core_id", strconv.Itoa(c)+"\n")
		t.Text(d+"topology/physical_package_id", "0\n")
		t.Text(d+"topology/die_id", "0\n")
		t.Text(d+"topology/thread_siblings_list", strconv.Itoa(c)+"\n")
		t.Text(d+"topology/core_siblings_list", list)
		t.Text(d+"topology/core_cpus_list", strconv.Itoa(c)+"\n")
		t.Text(d+"topology/package_cpus_list", list)
	}
	t.Text("devices/system/node/online", "0\n")
	t.Text("devices/system/node/possible", "0\n")
	t.Text("devices/system/node/node0/cpulist", list)
	t.Text("devices/system/node/node0/cpumap", cpuMap(cpus)+"\n")
	t.File("devices/system/node/node0/meminfo", 0o444, func() ([]byte, error) {
		total, used := k.MemoryUsage()
		return fmt.Appendf(nil, "Node 0 MemTotal:       %8d kB\nNode 0 MemFree:        %8d kB\nNode 0 MemUsed:        %8d kB\n",
			total>>10, (total-used)>>10, used>>10), nil
	}, nil)
	t.Text("devices/system/node/has_cpu", "0\n")
	t.Text("devices/system/node/has_memory", "0\n")
	t.Text("devices/system/node/has_normal_memory", "0\n")
	t.Text("kernel/mm/transparent_hugepage/enabled", "always madvise [never]\n")
	t.Text("kernel/mm/transparent_hugepage/defrag", "always defer defer+madvise madvise [never]\n")
	t.Text("kernel/mm/transparent_hugepage/hpage_pmd_size", "2097152\n")
	t.Dir("fs/cgroup")
	t.Dir("class/net")
	t.Dir("bus")
	t.Dir("block")
	t.Dir("dev/char")
	t.Dir("dev/block")
	t.Dir("firmware")
	t.Dir("module")
	t.Dir("power")
	return t.Root
}

// NewCgroup returns the root of the read-only cgroup2 view mounted at
// /sys/fs/cgroup: the sandbox is one cgroup without limits of its own, its
// processes all in it.
func NewCgroup(k *kernel.Kernel) vfs.Inode {
	tmpl := synth.Attr{Dev: CgroupDev, Magic: CgroupMagic, Time: unix.NsecToTimespec(k.BootTime().UnixNano())}
	a := tmpl
	a.Ino, a.Mode = synth.NewIno(), unix.S_IFDIR|0o555
	t := &synth.Tree{Root: synth.NewDir(a), Template: tmpl}
	t.Text("cgroup.controllers", "cpuset cpu io memory pids\n")
	t.Text("cgroup.subtree_control", "\n")
	t.Text("cgroup.type", "domain\n")
	t.Text("cgroup.max.depth", "max\n")
	t.Text("cgroup.max.descendants", "max\n")
	t.File("cgroup.procs", 0o444, func() ([]byte, error) {
		var b strings.Builder
		for _, tg := range k.ThreadGroups() {
			if !tg.IsZombie() {
				fmt.Fprintf(&b, "%d\n", tg.ID)
			}
		}
		return []byte(b.String()), nil
	}, nil)
	t.File("cgroup.threads", 0o444, func() ([]byte, error) {
		var b strings.Builder
		for _, task := range k.AllTasks() {
			fmt.Fprintf(&b, "%d\n", task.ID)
		}
		return []byte(b.String()), nil
	}, nil)
	t.Text("cpu.max", "max 100000\n")
	t.Text("cpu.weight", "100\n")
	t.File("cpu.stat", 0o444, func() ([]byte, error) {
		var user, sys int64
		for _, tg := range k.ThreadGroups() {
			u := tg.ProcessUsage()
			user += u.User
			sys += u.Sys
		}
		return fmt.Appendf(nil, "usage_usec %d\nuser_usec %d\nsystem_usec %d\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n",
			(user+sys)/1000, user/1000, sys/1000), nil
	}, nil)
	t.Text("cpuset.cpus.effective", cpuList(kernel.OnlineCPUs())+"\n")
	t.Text("cpuset.mems.effective", "0\n")
	t.Text("memory.max", "max\n")
	t.Text("memory.high", "max\n")
	t.Text("memory.low", "0\n")
	t.Text("memory.min", "0\n")
	t.Text("memory.swap.max", "max\n")
	t.File("memory.current", 0o444, func() ([]byte, error) {
		return fmt.Appendf(nil, "%d\n", k.MemFile.Used()), nil
	}, nil)
	t.Text("pids.max", "max\n")
	t.File("pids.current", 0o444, func() ([]byte, error) {
		return fmt.Appendf(nil, "%d\n", k.TaskCount()), nil
	}, nil)
	return t.Root
}

// cpuList renders CPU numbers as ranges ("0-3,6").
func cpuList(cpus []int) string {
	var parts []string
	for i := 0; i < len(cpus); {
		j := i
		for j+1 < len(cpus) && cpus[j+1] == cpus[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, strconv.Itoa(cpus[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", cpus[i], cpus[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// cpuMap renders CPU numbers as a hex mask in 32-bit groups, highest
// first, as sysfs's cpumap files do for nr_cpu_ids bits.
func cpuMap(cpus []int) string {
	if len(cpus) == 0 {
		return "0"
	}
	nbits := cpus[len(cpus)-1] + 1
	words := make([]uint32, (nbits+31)/32)
	for _, c := range cpus {
		words[c/32] |= 1 << (c % 32)
	}
	var parts []string
	for i := len(words) - 1; i >= 0; i-- {
		width := 8
		if i == len(words)-1 && nbits%32 != 0 {
			width = (nbits%32 + 3) / 4
		}
		parts = append(parts, fmt.Sprintf("%0*x", width, words[i]))
	}
	return strings.Join(parts, ",")
}
