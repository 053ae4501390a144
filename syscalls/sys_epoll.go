package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/epoll"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/waiter"
)

func init() {
	register(map[string]impl{
		"epoll_create":  full(sysEpollCreate),
		"epoll_create1": full(sysEpollCreate1),
		"epoll_ctl":     partial(sysEpollCtl, "EPOLLEXCLUSIVE is accepted but wakes every waiter; EPOLLWAKEUP is ignored"),
		"epoll_wait":    full(sysEpollWait),
		"epoll_pwait":   full(sysEpollPwait),
		"epoll_pwait2":  full(sysEpollPwait2),
	})
}

// epollEventSize is sizeof(struct epoll_event) on amd64 (packed).
const epollEventSize = 12

// epMaxEvents is EP_MAX_EVENTS.
const epMaxEvents = (1<<31 - 1) / epollEventSize

// epollBatch bounds the events one epoll_wait call returns.
const epollBatch = 1024

func newEpoll(t *kernel.Task, cloexec bool) (uintptr, error) {
	ep := epoll.New()
	defer ep.DecRef()
	fd, err := t.FDTable.New(0, ep, cloexec)
	if err != nil {
		return 0, err
	}
	return uintptr(fd), nil
}

func sysEpollCreate(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if a.Int(0) <= 0 {
		return 0, unix.EINVAL
	}
	return newEpoll(t, false)
}

func sysEpollCreate1(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	flags := a.Int(0)
	if flags&^unix.EPOLL_CLOEXEC != 0 {
		return 0, unix.EINVAL
	}
	return newEpoll(t, flags&unix.EPOLL_CLOEXEC != 0)
}

func sysEpollCtl(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	epfd, op, fd, evAddr := a.Int(0), int(a.Int(1)), a.Int(2), a[3]
	var events uint32
	var data uint64
	if op != unix.EPOLL_CTL_DEL {
		var b [epollEventSize]byte
		if _, err := t.CopyIn(evAddr, b[:]); err != nil {
			return 0, unix.EFAULT
		}
		events = binary.LittleEndian.Uint32(b[0:])
		data = binary.LittleEndian.Uint64(b[4:])
	}
	epf, err := pollFile(t, epfd)
	if err != nil {
		return 0, err
	}
	defer epf.DecRef()
	tf, err := pollFile(t, fd)
	if err != nil {
		return 0, err
	}
	defer tf.DecRef()
	if !epoll.CanPoll(tf) {
		return 0, unix.EPERM
	}
	ep, ok := epf.(*epoll.EventPoll)
	if !ok || epf == tf {
		return 0, unix.EINVAL
	}
	switch op {
	case unix.EPOLL_CTL_ADD:
		return 0, ep.Add(fd, tf, events, data)
	case unix.EPOLL_CTL_MOD:
		return 0, ep.Modify(fd, tf, events, data)
	case unix.EPOLL_CTL_DEL:
		return 0, ep.Delete(fd, tf)
	}
	return 0, unix.EINVAL
}

// doEpollWait waits for events on epfd and stores up to maxEvents of them
// at addr. A signal interrupts it with EINTR: epoll_wait is never
// restarted.
func doEpollWait(t *kernel.Task, epfd int32, addr uintptr, maxEvents int32, deadline time.Time, nonBlocking bool) (uintptr, error) {
	if maxEvents <= 0 || maxEvents > epMaxEvents {
		return 0, unix.EINVAL
	}
	f, err := pollFile(t, epfd)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	ep, ok := f.(*epoll.EventPoll)
	if !ok {
		return 0, unix.EINVAL
	}
	evs := make([]epoll.Event, min(int(maxEvents), epollBatch))
	n := ep.ReadEvents(evs)
	if n == 0 && !nonBlocking {
		e := waiter.NewChannelEntry(waiter.EventIn)
		ep.EventRegister(e)
		defer ep.EventUnregister(e)
		for n == 0 {
			if n = ep.ReadEvents(evs); n > 0 {
				break
			}
			switch err := t.Block(e.C, deadline); err {
			case nil:
			case kernel.ErrTimedOut:
				n = ep.ReadEvents(evs)
				if n == 0 {
					return 0, nil
				}
			default:
				return 0, unix.EINTR
			}
		}
	}
	if n == 0 {
		return 0, nil
	}
	raw := make([]byte, epollEventSize*n)
	for i, ev := range evs[:n] {
		binary.LittleEndian.PutUint32(raw[epollEventSize*i:], ev.Events)
		binary.LittleEndian.PutUint64(raw[epollEventSize*i+4:], ev.Data)
	}
	if _, err := t.CopyOut(addr, raw); err != nil {
		return 0, unix.EFAULT
	}
	return uintptr(n), nil
}

// msDeadline converts an epoll_wait timeout in milliseconds.
func msDeadline(ms int32) (time.Time, bool) {
	if ms < 0 {
		return time.Time{}, false
	}
	if ms == 0 {
		return time.Time{}, true
	}
	return deadlineOf(time.Duration(ms) * time.Millisecond), false
}

func sysEpollWait(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	deadline, nb := msDeadline(a.Int(3))
	return doEpollWait(t, a.Int(0), a[1], a.Int(2), deadline, nb)
}

func sysEpollPwait(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	m, err := setTempSigMask(t, a[4], a[5])
	if err != nil {
		return 0, err
	}
	deadline, nb := msDeadline(a.Int(3))
	n, err := doEpollWait(t, a.Int(0), a[1], a.Int(2), deadline, nb)
	m.restore(t, err == unix.EINTR)
	return n, err
}

func sysEpollPwait2(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	var deadline time.Time
	nb := false
	if a[3] != 0 {
		ts, err := getTimespec(t, a[3])
		if err != nil {
			return 0, err
		}
		nb = ts.Sec == 0 && ts.Nsec == 0
		if !nb {
			deadline = deadlineOf(timespecDuration(ts))
		}
	}
	m, err := setTempSigMask(t, a[4], a[5])
	if err != nil {
		return 0, err
	}
	n, err := doEpollWait(t, a.Int(0), a[1], a.Int(2), deadline, nb)
	m.restore(t, err == unix.EINTR)
	return n, err
}
