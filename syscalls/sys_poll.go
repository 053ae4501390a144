package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/waiter"
)

func init() {
	register(map[string]impl{
		"poll":     partial(sysPoll, "a restart after a signal without handler waits the full timeout again"),
		"ppoll":    full(sysPpoll),
		"select":   full(sysSelect),
		"pselect6": full(sysPselect6),
	})
}

// Event sets of select, as Linux's POLLIN_SET, POLLOUT_SET and POLLEX_SET.
const (
	pollInSet  = waiter.EventIn | waiter.EventRdNorm | 0x80 /* POLLRDBAND */ | waiter.EventHUp | waiter.EventErr
	pollOutSet = waiter.EventOut | waiter.EventWrNorm | 0x200 /* POLLWRBAND */ | waiter.EventErr
	pollExSet  = waiter.EventPri
	// defaultPollMask is what files without a poll operation report.
	defaultPollMask = waiter.EventIn | waiter.EventOut | waiter.EventRdNorm | waiter.EventWrNorm
	pollNVal        = unix.POLLNVAL
)

// maxTimeout caps timeouts so that deadlines do not overflow.
const maxTimeout = 100 * 365 * 24 * time.Hour

// pollFile gets fd for poll, select and epoll: O_PATH descriptions are
// not files to them (EBADF), as with Linux's fdget.
func pollFile(t *kernel.Task, fd int32) (vfs.FileDescription, error) {
	f, err := getFile(t, fd)
	if err != nil {
		return nil, err
	}
	if f.StatusFlags()&unix.O_PATH != 0 {
		f.DecRef()
		return nil, unix.EBADF
	}
	return f, nil
}

// readiness asks f which of mask are ready; files that cannot be waited
// on are always readable and writable.
func readiness(f vfs.FileDescription, mask waiter.EventMask) waiter.EventMask {
	if w, ok := f.(waiter.Waitable); ok {
		return w.Readiness(mask)
	}
	return defaultPollMask & mask
}

// pollTarget is one file a poll or select waits on.
type pollTarget struct {
	f    vfs.FileDescription
	mask waiter.EventMask
}

// waitReady runs scan until it reports a ready file, the deadline passes
// (zero deadline: no limit; nonBlocking: scan once) or a signal arrives.
// It returns scan's count, 0 on timeout, or ERESTARTNOHAND.
func waitReady(t *kernel.Task, targets []pollTarget, deadline time.Time, nonBlocking bool, scan func() int) (int, error) {
	if n := scan(); n > 0 || nonBlocking {
		return n, nil
	}
	var mask waiter.EventMask
	for _, tg := range targets {
		mask |= tg.mask
	}
	e := waiter.NewChannelEntry(mask | waiter.EventErr | waiter.EventHUp)
	for _, tg := range targets {
		if w, ok := tg.f.(waiter.Waitable); ok {
			w.EventRegister(e)
			defer w.EventUnregister(e)
		}
	}
	for {
		if n := scan(); n > 0 {
			return n, nil
		}
		switch err := t.Block(e.C, deadline); err {
		case nil:
		case kernel.ErrTimedOut:
			return scan(), nil
		default:
			return 0, kernel.ERESTARTNOHAND
		}
	}
}

// deadlineOf converts a relative timeout to a deadline.
func deadlineOf(d time.Duration) time.Time {
	return time.Now().Add(min(d, maxTimeout))
}

// timespecDuration converts a validated timespec.
func timespecDuration(ts unix.Timespec) time.Duration {
	if ts.Sec >= int64(maxTimeout/time.Second) {
		return maxTimeout
	}
	return time.Duration(ts.Sec)*time.Second + time.Duration(ts.Nsec)
}

// tempSigMask is the signal mask swap of ppoll, pselect6 and epoll_pwait.
type tempSigMask struct {
	old kernel.SignalSet
	set bool
}

// setTempSigMask installs the sigset_t at addr (if any) as the signal
// mask for the duration of the call.
func setTempSigMask(t *kernel.Task, addr, size uintptr) (tempSigMask, error) {
	if addr == 0 {
		return tempSigMask{}, nil
	}
	if size != sigsetSize {
		return tempSigMask{}, unix.EINVAL
	}
	var b [8]byte
	if _, err := t.CopyIn(addr, b[:]); err != nil {
		return tempSigMask{}, unix.EFAULT
	}
	m := tempSigMask{old: t.SigMask(), set: true}
	t.SetSigMask(kernel.SignalSet(binary.LittleEndian.Uint64(b[:])))
	return m, nil
}

// restore puts the original mask back. When the call was interrupted by a
// signal that the temporary mask lets through, Linux delivers it under the
// temporary mask and restores the original one when the handler returns
// (or at once if no handler runs). Task.SuspendWithMask arranges exactly
// that (it records the original mask for the signal frame) and returns at
// once since a signal is pending. The one imperfection: if another thread
// takes a process-directed signal between the check and the suspension,
// the task waits for the next signal.
func (m tempSigMask) restore(t *kernel.Task, interrupted bool) {
	if !m.set {
		return
	}
	tmp := t.SigMask()
	if interrupted && t.HasPendingSignal() {
		t.SetSigMask(m.old)
		t.SuspendWithMask(tmp)
		return
	}
	t.SetSigMask(m.old)
}

// interrupted reports whether err is a signal interruption.
func interrupted(err error) bool {
	switch err {
	case kernel.ERESTARTSYS, kernel.ERESTARTNOHAND, kernel.ERESTARTNOINTR, kernel.ERESTARTRESTARTBLOCK, unix.EINTR:
		return true
	}
	return false
}

// ---- poll, ppoll ----

// doPoll implements poll on the struct pollfd array at addr.
func doPoll(t *kernel.Task, addr uintptr, nfds uint32, deadline time.Time, nonBlocking bool) (int, error) {
	if uint64(nfds) > t.Rlimit(unix.RLIMIT_NOFILE).Cur {
		return 0, unix.EINVAL
	}
	raw := make([]byte, 8*int(nfds))
	if _, err := t.CopyIn(addr, raw); err != nil && nfds > 0 {
		return 0, unix.EFAULT
	}
	type pfd struct {
		fd      int32
		events  waiter.EventMask
		revents waiter.EventMask
		f       vfs.FileDescription
	}
	pfds := make([]pfd, nfds)
	var targets []pollTarget
	for i := range pfds {
		p := &pfds[i]
		p.fd = int32(binary.LittleEndian.Uint32(raw[8*i:]))
		p.events = waiter.EventMask(binary.LittleEndian.Uint16(raw[8*i+4:]))
		if p.fd < 0 {
			continue
		}
		if f, err := pollFile(t, p.fd); err == nil {
			p.f = f
			defer f.DecRef()
			targets = append(targets, pollTarget{f, p.events})
		}
	}
	scan := func() int {
		n := 0
		for i := range pfds {
			p := &pfds[i]
			switch {
			case p.fd < 0:
				p.revents = 0
			case p.f == nil:
				p.revents = pollNVal
			default:
				mask := p.events | waiter.EventErr | waiter.EventHUp
				p.revents = readiness(p.f, mask) & mask
			}
			if p.revents != 0 {
				n++
			}
		}
		return n
	}
	n, err := waitReady(t, targets, deadline, nonBlocking, scan)
	for i := range pfds {
		binary.LittleEndian.PutUint16(raw[8*i+6:], uint16(pfds[i].revents))
	}
	if nfds > 0 {
		if _, cerr := t.CopyOut(addr, raw); cerr != nil {
			return 0, unix.EFAULT
		}
	}
	return n, err
}

func sysPoll(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	timeout := a.Int(2)
	var deadline time.Time
	if timeout > 0 {
		deadline = deadlineOf(time.Duration(timeout) * time.Millisecond)
	}
	n, err := doPoll(t, a[0], a.Uint(1), deadline, timeout == 0)
	return uintptr(n), err
}

// putRemaining writes the time left until deadline back to a timeval
// (select) or timespec (ppoll, pselect6), as Linux does unless the timeout
// was zero. A fault turns a restart into EINTR.
func putRemaining(t *kernel.Task, addr uintptr, deadline time.Time, timeval bool, err error) error {
	rem := max(time.Until(deadline), 0)
	var b [16]byte
	binary.LittleEndian.PutUint64(b[0:], uint64(rem/time.Second))
	sub := rem % time.Second
	if timeval {
		sub /= time.Microsecond
	}
	binary.LittleEndian.PutUint64(b[8:], uint64(sub))
	if _, cerr := t.CopyOut(addr, b[:]); cerr != nil && err == kernel.ERESTARTNOHAND {
		return unix.EINTR
	}
	return err
}

func sysPpoll(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	var deadline time.Time
	zero := false
	if a[2] != 0 {
		ts, err := getTimespec(t, a[2])
		if err != nil {
			return 0, err
		}
		zero = ts.Sec == 0 && ts.Nsec == 0
		deadline = deadlineOf(timespecDuration(ts))
	}
	m, err := setTempSigMask(t, a[3], a[4])
	if err != nil {
		return 0, err
	}
	n, err := doPoll(t, a[0], a.Uint(1), deadline, zero)
	m.restore(t, interrupted(err))
	if a[2] != 0 && !zero {
		err = putRemaining(t, a[2], deadline, false, err)
	}
	return uintptr(n), err
}

// ---- select, pselect6 ----

// selectMaxFDs imitates the size of Linux's fd table, which select clamps
// nfds to: 64 slots, doubled until the highest open fd fits.
func selectMaxFDs(t *kernel.Task) int32 {
	var highest int32 = -1
	t.FDTable.Range(func(fd int32, _ vfs.FileDescription, _ bool) { highest = fd })
	n := int32(64)
	for n <= highest {
		n *= 2
	}
	return n
}

// doSelect implements select on the fd_sets at in, out and ex.
func doSelect(t *kernel.Task, nfds int32, in, out, ex uintptr, deadline time.Time, nonBlocking bool) (int, error) {
	if nfds < 0 {
		return 0, unix.EINVAL
	}
	nfds = min(nfds, selectMaxFDs(t))
	words := (int(nfds) + 63) / 64
	addrs := [3]uintptr{in, out, ex}
	var sets [3][]uint64
	for i, addr := range addrs {
		sets[i] = make([]uint64, words)
		if addr == 0 || words == 0 {
			continue
		}
		raw := make([]byte, 8*words)
		if _, err := t.CopyIn(addr, raw); err != nil {
			return 0, unix.EFAULT
		}
		for w := range sets[i] {
			sets[i][w] = binary.LittleEndian.Uint64(raw[8*w:])
		}
	}
	type sfd struct {
		fd   int32
		want [3]bool
		f    vfs.FileDescription
	}
	var fds []sfd
	var targets []pollTarget
	for fd := int32(0); fd < nfds; fd++ {
		w, bit := fd/64, uint64(1)<<(fd%64)
		s := sfd{fd: fd}
		any := false
		for i := range sets {
			if sets[i][w]&bit != 0 {
				s.want[i] = true
				any = true
			}
		}
		if !any {
			continue
		}
		f, err := pollFile(t, fd)
		if err != nil {
			return 0, unix.EBADF
		}
		defer f.DecRef()
		s.f = f
		var mask waiter.EventMask
		if s.want[0] {
			mask |= pollInSet
		}
		if s.want[1] {
			mask |= pollOutSet
		}
		if s.want[2] {
			mask |= pollExSet
		}
		fds = append(fds, s)
		targets = append(targets, pollTarget{f, mask})
	}
	var res [3][]uint64
	for i := range res {
		res[i] = make([]uint64, words)
	}
	sel := [3]waiter.EventMask{pollInSet, pollOutSet, pollExSet}
	scan := func() int {
		n := 0
		for i := range res {
			clear(res[i])
		}
		for _, s := range fds {
			r := readiness(s.f, pollInSet|pollOutSet|pollExSet)
			for i := range sel {
				if s.want[i] && r&sel[i] != 0 {
					res[i][s.fd/64] |= 1 << (s.fd % 64)
					n++
				}
			}
		}
		return n
	}
	n, err := waitReady(t, targets, deadline, nonBlocking, scan)
	if err != nil {
		return 0, err
	}
	for i, addr := range addrs {
		if addr == 0 || words == 0 {
			continue
		}
		raw := make([]byte, 8*words)
		for w, v := range res[i] {
			binary.LittleEndian.PutUint64(raw[8*w:], v)
		}
		if _, err := t.CopyOut(addr, raw); err != nil {
			return 0, unix.EFAULT
		}
	}
	return n, nil
}

func sysSelect(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	var deadline time.Time
	zero := false
	if a[4] != 0 {
		var b [16]byte
		if _, err := t.CopyIn(a[4], b[:]); err != nil {
			return 0, unix.EFAULT
		}
		sec := int64(binary.LittleEndian.Uint64(b[0:]))
		usec := int64(binary.LittleEndian.Uint64(b[8:]))
		ts := unix.Timespec{Sec: sec + usec/1000000, Nsec: (usec % 1000000) * 1000}
		if ts.Sec < 0 || ts.Nsec < 0 {
			return 0, unix.EINVAL
		}
		zero = ts.Sec == 0 && ts.Nsec == 0
		deadline = deadlineOf(timespecDuration(ts))
	}
	n, err := doSelect(t, a.Int(0), a[1], a[2], a[3], deadline, zero)
	if a[4] != 0 && !zero {
		err = putRemaining(t, a[4], deadline, true, err)
	}
	return uintptr(n), err
}

func sysPselect6(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	var deadline time.Time
	zero := false
	if a[4] != 0 {
		ts, err := getTimespec(t, a[4])
		if err != nil {
			return 0, err
		}
		zero = ts.Sec == 0 && ts.Nsec == 0
		deadline = deadlineOf(timespecDuration(ts))
	}
	var maskAddr, maskSize uintptr
	if a[5] != 0 {
		var b [16]byte
		if _, err := t.CopyIn(a[5], b[:]); err != nil {
			return 0, unix.EFAULT
		}
		maskAddr = uintptr(binary.LittleEndian.Uint64(b[0:]))
		maskSize = uintptr(binary.LittleEndian.Uint64(b[8:]))
	}
	m, err := setTempSigMask(t, maskAddr, maskSize)
	if err != nil {
		return 0, err
	}
	n, err := doSelect(t, a.Int(0), a[1], a[2], a[3], deadline, zero)
	m.restore(t, interrupted(err))
	if a[4] != 0 && !zero {
		err = putRemaining(t, a[4], deadline, false, err)
	}
	return uintptr(n), err
}
