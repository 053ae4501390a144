package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"sched_getaffinity":      full(sysSchedGetaffinity),
		"sched_setaffinity":      partial(sysSchedSetaffinity, "the mask is recorded and reported; the host does not restrict where the thread runs"),
		"getcpu":                 partial(sysGetcpu, "reports the host CPU the thread last ran on if it is in the thread's mask, else the mask's first CPU; node 0"),
		"sched_getscheduler":     full(sysSchedGetscheduler),
		"sched_setscheduler":     partial(sysSchedSetscheduler, "policies and priorities are recorded, not applied on the host"),
		"sched_getparam":         full(sysSchedGetparam),
		"sched_setparam":         partial(sysSchedSetparam, "priorities are recorded, not applied on the host"),
		"sched_get_priority_max": full(sysSchedGetPriorityMax),
		"sched_get_priority_min": full(sysSchedGetPriorityMin),
		"sched_rr_get_interval":  full(sysSchedRRGetInterval),
		"getpriority":            full(sysGetpriority),
		"setpriority":            partial(sysSetpriority, "nice values are recorded, not applied on the host"),
		"ioprio_get":             full(sysIoprioGet),
		"ioprio_set":             partial(sysIoprioSet, "I/O priorities are recorded, not applied on the host"),
	})
}

// schedTarget returns the task a sched_* call names: the caller for pid 0,
// else the thread with that id (ESRCH if none, EINVAL if negative).
func schedTarget(t *kernel.Task, pid int32) (*kernel.Task, error) {
	if pid < 0 {
		return nil, unix.EINVAL
	}
	if pid == 0 {
		return t, nil
	}
	o := t.FindTask(pid)
	if o == nil {
		return nil, unix.ESRCH
	}
	return o, nil
}

// sameOwner is Linux's check_same_owner: may t change o's scheduling
// without CAP_SYS_NICE?
func sameOwner(t, o *kernel.Task) bool {
	return t.HasCap(unix.CAP_SYS_NICE) || t.Creds.EffectiveUID == o.Creds.EffectiveUID || t.Creds.EffectiveUID == o.Creds.RealUID
}

func sysSchedGetaffinity(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	pid, size, addr := a.Int(0), a[1], a[2]
	cpus := kernel.OnlineCPUs()
	if size < uintptr(cpus[len(cpus)-1]/8+1) || size&7 != 0 {
		return 0, unix.EINVAL
	}
	o, err := schedTarget(t, pid)
	if err == unix.EINVAL {
		err = unix.ESRCH
	}
	if err != nil {
		return 0, err
	}
	mask := o.Affinity()
	n := int(min(size, uintptr(kernel.CPUMaskBytes())))
	b := make([]byte, len(mask)*8)
	for i, w := range mask {
		binary.LittleEndian.PutUint64(b[8*i:], w)
	}
	if _, err := t.CopyOut(addr, b[:n]); err != nil {
		return 0, unix.EFAULT
	}
	return uintptr(n), nil
}

func sysSchedSetaffinity(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	pid, size, addr := a.Int(0), a[1], a[2]
	n := int(min(size, uintptr(kernel.CPUMaskBytes())))
	b := make([]byte, kernel.CPUMaskBytes())
	if _, err := t.CopyIn(addr, b[:n]); err != nil {
		return 0, unix.EFAULT
	}
	o, err := schedTarget(t, pid)
	if err == unix.EINVAL {
		err = unix.ESRCH
	}
	if err != nil {
		return 0, err
	}
	if !sameOwner(t, o) {
		return 0, unix.EPERM
	}
	mask := make([]uint64, len(b)/8)
	for i := range mask {
		mask[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return 0, o.SetAffinity(mask)
}

func sysGetcpu(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if a[0] != 0 {
		if err := putInt32(t, a[0], int32(t.CurrentCPU())); err != nil {
			return 0, err
		}
	}
	if a[1] != 0 {
		if err := putInt32(t, a[1], 0); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

func validPolicy(p int32) bool {
	switch p {
	case kernel.SchedOther, kernel.SchedFIFO, kernel.SchedRR, kernel.SchedBatch, kernel.SchedIdle, kernel.SchedDeadline:
		return true
	}
	return false
}

func rtPolicy(p int32) bool { return p == kernel.SchedFIFO || p == kernel.SchedRR }

// setScheduler is __sched_setscheduler's validation and permission check;
// policy -1 keeps the current policy (sched_setparam).
func setScheduler(t, o *kernel.Task, policy int32, prio int32) error {
	cur, curPrio := o.SchedPolicy()
	curReset := cur&kernel.SchedResetOnFork != 0
	cur &^= kernel.SchedResetOnFork
	reset := curReset
	if policy < 0 {
		policy = cur
	} else {
		reset = policy&kernel.SchedResetOnFork != 0
		policy &^= kernel.SchedResetOnFork
		if !validPolicy(policy) {
			return unix.EINVAL
		}
	}
	if prio < 0 || prio > 99 || policy == kernel.SchedDeadline || rtPolicy(policy) != (prio != 0) {
		return unix.EINVAL
	}
	if !t.HasCap(unix.CAP_SYS_NICE) {
		if rtPolicy(policy) {
			rl := o.Rlimit(14).Cur // RLIMIT_RTPRIO
			if policy != cur && rl == 0 {
				return unix.EPERM
			}
			if prio > curPrio && uint64(prio) > rl {
				return unix.EPERM
			}
		}
		if cur == kernel.SchedIdle && policy != kernel.SchedIdle {
			if 20-uint64(o.Nice()) > o.Rlimit(13).Cur { // RLIMIT_NICE
				return unix.EPERM
			}
		}
		if !sameOwner(t, o) {
			return unix.EPERM
		}
		if curReset && !reset {
			return unix.EPERM
		}
	}
	o.SetSchedPolicy(policy, prio, reset)
	return nil
}

func readSchedParam(t *kernel.Task, addr uintptr) (int32, error) {
	if addr == 0 {
		return 0, unix.EINVAL
	}
	var b [4]byte
	if _, err := t.CopyIn(addr, b[:]); err != nil {
		return 0, unix.EFAULT
	}
	return int32(binary.LittleEndian.Uint32(b[:])), nil
}

func sysSchedSetscheduler(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	pid, policy := a.Int(0), a.Int(1)
	if a[2] == 0 || pid < 0 {
		return 0, unix.EINVAL
	}
	prio, err := readSchedParam(t, a[2])
	if err != nil {
		return 0, err
	}
	o, err := schedTarget(t, pid)
	if err != nil {
		return 0, err
	}
	if policy < 0 {
		return 0, unix.EINVAL
	}
	return 0, setScheduler(t, o, policy, prio)
}

func sysSchedSetparam(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	pid := a.Int(0)
	if a[1] == 0 || pid < 0 {
		return 0, unix.EINVAL
	}
	prio, err := readSchedParam(t, a[1])
	if err != nil {
		return 0, err
	}
	o, err := schedTarget(t, pid)
	if err != nil {
		return 0, err
	}
	return 0, setScheduler(t, o, -1, prio)
}

func sysSchedGetscheduler(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	o, err := schedTarget(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	p, _ := o.SchedPolicy()
	return uintptr(p), nil
}

func sysSchedGetparam(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if a[1] == 0 || a.Int(0) < 0 {
		return 0, unix.EINVAL
	}
	o, err := schedTarget(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	_, prio := o.SchedPolicy()
	return 0, putInt32(t, a[1], prio)
}

func sysSchedGetPriorityMax(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	switch p := a.Int(0); {
	case rtPolicy(p):
		return 99, nil
	case validPolicy(p):
		return 0, nil
	}
	return 0, unix.EINVAL
}

func sysSchedGetPriorityMin(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	switch p := a.Int(0); {
	case rtPolicy(p):
		return 1, nil
	case validPolicy(p):
		return 0, nil
	}
	return 0, unix.EINVAL
}

// rrTimeslice is SCHED_RR's time slice (Linux's RR_TIMESLICE).
const rrTimeslice = 100 * time.Millisecond

func sysSchedRRGetInterval(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	o, err := schedTarget(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	var d time.Duration
	if p, _ := o.SchedPolicy(); p&^kernel.SchedResetOnFork == kernel.SchedRR {
		d = rrTimeslice
	}
	return 0, putTimespec(t, a[1], unix.NsecToTimespec(d.Nanoseconds()))
}

// PRIO_* and IOPRIO_WHO_* select the tasks of get/setpriority and
// ioprio_get/set.
const (
	prioProcess = 0
	prioPgrp    = 1
	prioUser    = 2
)

// prioTargets returns the tasks which/who select (which is PRIO_*).
func prioTargets(t *kernel.Task, which, who int32) ([]*kernel.Task, error) {
	switch which {
	case prioProcess:
		if who == 0 {
			return []*kernel.Task{t}, nil
		}
		if o := t.FindTask(who); o != nil {
			return []*kernel.Task{o}, nil
		}
		return nil, nil
	case prioPgrp:
		if who == 0 {
			who = t.ThreadGroup().PGID()
		}
		var out []*kernel.Task
		for _, o := range t.Kernel().AllTasks() {
			if o.ThreadGroup().PGID() == who {
				out = append(out, o)
			}
		}
		return out, nil
	case prioUser:
		uid := uint32(who)
		if who == 0 {
			uid = t.Creds.RealUID
		}
		var out []*kernel.Task
		for _, o := range t.Kernel().AllTasks() {
			if o.Creds.RealUID == uid {
				out = append(out, o)
			}
		}
		return out, nil
	}
	return nil, unix.EINVAL
}

func sysGetpriority(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	tasks, err := prioTargets(t, a.Int(0), a.Int(1))
	if err != nil {
		return 0, err
	}
	if len(tasks) == 0 {
		return 0, unix.ESRCH
	}
	best := int32(0)
	for _, o := range tasks {
		best = max(best, 20-o.Nice())
	}
	return uintptr(best), nil
}

func sysSetpriority(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	tasks, err := prioTargets(t, a.Int(0), a.Int(1))
	if err != nil {
		return 0, err
	}
	if len(tasks) == 0 {
		return 0, unix.ESRCH
	}
	nice := max(-20, min(19, a.Int(2)))
	root := t.HasCap(unix.CAP_SYS_NICE)
	var rerr error
	for _, o := range tasks {
		if !root && o.Creds.RealUID != t.Creds.EffectiveUID && o.Creds.EffectiveUID != t.Creds.EffectiveUID {
			rerr = unix.EPERM
			continue
		}
		if nice < o.Nice() && !root && uint64(20-nice) > o.Rlimit(13).Cur { // RLIMIT_NICE
			rerr = unix.EACCES
			continue
		}
		o.SetNice(nice)
	}
	return 0, rerr
}

// I/O priority classes.
const (
	ioprioClassNone = 0
	ioprioClassRT   = 1
	ioprioClassBE   = 2
	ioprioClassIdle = 3
)

func sysIoprioGet(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	tasks, err := prioTargets(t, a.Int(0)-1, a.Int(1))
	if err != nil {
		return 0, err
	}
	if len(tasks) == 0 {
		return 0, unix.ESRCH
	}
	best := int32(-1)
	for _, o := range tasks {
		p := o.IOPrio()
		if best < 0 || p < best {
			best = p
		}
	}
	return uintptr(best), nil
}

func sysIoprioSet(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	prio := a.Int(2)
	class, level := prio>>13, prio&7
	root := t.HasCap(unix.CAP_SYS_NICE)
	switch class {
	case ioprioClassRT:
		if !root {
			return 0, unix.EPERM
		}
		fallthrough
	case ioprioClassBE:
		if prio&0x1fff >= 8 {
			return 0, unix.EINVAL
		}
	case ioprioClassIdle:
	case ioprioClassNone:
		if level != 0 {
			return 0, unix.EINVAL
		}
	default:
		return 0, unix.EINVAL
	}
	tasks, err := prioTargets(t, a.Int(0)-1, a.Int(1))
	if err != nil {
		return 0, err
	}
	if len(tasks) == 0 {
		return 0, unix.ESRCH
	}
	for _, o := range tasks {
		if !sameOwner(t, o) {
			return 0, unix.EPERM
		}
		o.SetIOPrio(prio)
	}
	return 0, nil
}
