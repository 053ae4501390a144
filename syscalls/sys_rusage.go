package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"times":     partial(sysTimes, "user/system split of the host stub threads' CPU time is sampled in 10 ms ticks"),
		"getrusage": partial(sysGetrusage, "CPU time, faults and maxrss are the host stub threads' (maxrss counts the stub's resident pages); block I/O, context-switch and signal counts are 0"),
		"sysinfo":   partial(sysSysinfo, "load averages are 0; memory figures are the sandbox's use of the host's total, as /proc/meminfo"),
	})
}

// userHZ is the unit of clock_t (sysconf(_SC_CLK_TCK)).
const userHZ = 100

func nsToTicks(ns int64) uint64 { return uint64(ns / (1e9 / userHZ)) }

func sysTimes(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if a[0] != 0 {
		self := t.ThreadGroup().ProcessUsage()
		children, _ := t.ThreadGroup().ChildrenUsage()
		b := make([]byte, 32)
		le := binary.LittleEndian
		le.PutUint64(b[0:], nsToTicks(self.User))
		le.PutUint64(b[8:], nsToTicks(self.Sys))
		le.PutUint64(b[16:], nsToTicks(children.User))
		le.PutUint64(b[24:], nsToTicks(children.Sys))
		if _, err := t.CopyOut(a[0], b); err != nil {
			return 0, unix.EFAULT
		}
	}
	// Ticks since the sandbox booted, offset so it is never mistaken for
	// an error return right after boot.
	up := time.Since(t.Kernel().BootTime())
	return uintptr(nsToTicks(up.Nanoseconds()) + 100*userHZ), nil
}

// rusageSize is sizeof(struct rusage).
const rusageSize = 144

const (
	rusageSelf     = 0
	rusageChildren = -1
	rusageThread   = 1
)

func encodeRusage(u kernel.CPUUsage, maxRSS int64) []byte {
	b := make([]byte, rusageSize)
	le := binary.LittleEndian
	le.PutUint64(b[0:], uint64(u.User/1e9))
	le.PutUint64(b[8:], uint64(u.User%1e9/1e3))
	le.PutUint64(b[16:], uint64(u.Sys/1e9))
	le.PutUint64(b[24:], uint64(u.Sys%1e9/1e3))
	le.PutUint64(b[32:], uint64(maxRSS))       // ru_maxrss
	le.PutUint64(b[32+4*8:], uint64(u.MinFlt)) // ru_minflt
	le.PutUint64(b[32+5*8:], uint64(u.MajFlt)) // ru_majflt
	return b
}

func sysGetrusage(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	tg := t.ThreadGroup()
	var b []byte
	switch a.Int(0) {
	case rusageSelf:
		b = encodeRusage(tg.ProcessUsage(), tg.MaxRSS())
	case rusageThread:
		b = encodeRusage(t.ThreadUsage(), tg.MaxRSS())
	case rusageChildren:
		b = encodeRusage(tg.ChildrenUsage())
	default:
		return 0, unix.EINVAL
	}
	if _, err := t.CopyOut(a[1], b); err != nil {
		return 0, unix.EFAULT
	}
	return 0, nil
}

// sysinfoSize is sizeof(struct sysinfo) on amd64.
const sysinfoSize = 112

func sysSysinfo(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	// Memory figures are the sandbox's, as /proc/meminfo shows them.
	total, used := t.Kernel().MemoryUsage()
	b := make([]byte, sysinfoSize)
	le := binary.LittleEndian
	le.PutUint64(b[0:], uint64(time.Since(t.Kernel().BootTime())/time.Second))
	le.PutUint64(b[32:], total)
	le.PutUint64(b[40:], total-used)
	le.PutUint16(b[80:], uint16(min(t.Kernel().TaskCount(), 0xffff)))
	le.PutUint32(b[104:], 1) // mem_unit
	if _, err := t.CopyOut(a[0], b); err != nil {
		return 0, unix.EFAULT
	}
	return 0, nil
}
