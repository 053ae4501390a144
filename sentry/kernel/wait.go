package kernel

import (
	"golang.org/x/sys/unix"

	"stockade.dev/sentry/waiter"
)

// WaitOptions select the children wait4/waitid report.
type WaitOptions struct {
	// Which: pid > 0 a child; 0 the caller's process group; < -1 group -pid;
	// -1 any child. Set SelectAll for -1.
	PID int32
	// Options are WNOHANG, WUNTRACED/WSTOPPED, WCONTINUED, WEXITED, WNOWAIT,
	// __WALL, __WCLONE.
	Options int
}

// WaitResult is a reaped (or observed) child.
type WaitResult struct {
	PID    int32
	UID    uint32
	Status ExitStatus
	// Code is the CLD_* code (waitid).
	Code int
	// Usage and MaxRSS are the reaped child's resource usage (its own and
	// its reaped descendants'), for wait4's rusage.
	Usage  CPUUsage
	MaxRSS int64
	// Stopped is the stop signal of a stopped child; Continued reports a
	// continued one (WUNTRACED/WCONTINUED).
	Stopped   int
	Continued bool
}

// StatusWord encodes the result as wait4's int status.
func (r *WaitResult) StatusWord() uint32 {
	switch {
	case r.Stopped != 0:
		return uint32(r.Stopped)<<8 | 0x7f
	case r.Continued:
		return 0xffff
	}
	return r.Status.WaitStatusWord()
}

const (
	wNotThread = 0x20000000
	wAll       = 0x40000000
	wClone     = 0x80000000
)

// WaitStatusWord encodes an exit status as wait4's int status.
func (s ExitStatus) WaitStatusWord() uint32 {
	if s.Signal != 0 {
		w := uint32(s.Signal & 0x7f)
		if s.CoreDumped {
			w |= 0x80
		}
		return w
	}
	return uint32(s.Code&0xff) << 8
}

// Wait implements wait4/waitid: it waits for a child matching o to exit.
// It returns (nil, nil) for WNOHANG with nothing to report.
func (t *Task) Wait(o WaitOptions) (*WaitResult, error) {
	k := t.k
	e := waiter.NewChannelEntry(1)
	t.tg.childEvents.EventRegister(e)
	defer t.tg.childEvents.EventUnregister(e)
	for {
		k.mu.Lock()
		any := false
		for c := range t.tg.children {
			if !t.matchChild(c, o) {
				continue
			}
			any = true
			if c.zombie && !c.reaped && o.Options&unix.WEXITED != 0 {
				c.mu.Lock()
				st := c.status
				c.mu.Unlock()
				r := &WaitResult{PID: c.ID, Status: st, Code: cldExited}
				if st.Signal != 0 {
					r.Code = cldKilled
					if st.CoreDumped {
						r.Code = cldDumped
					}
				}
				if c.leader != nil && c.leader.Creds != nil {
					r.UID = c.leader.Creds.RealUID
				}
				c.acct.mu.Lock()
				r.Usage = c.acct.dead
				r.Usage.add(c.acct.children)
				r.MaxRSS = max(c.acct.maxRSS, c.acct.childMaxRSS)
				c.acct.mu.Unlock()
				if o.Options&unix.WNOWAIT == 0 {
					t.tg.addChildUsage(c) // RUSAGE_CHILDREN (rusage.go)
					k.reapLocked(c)
				}
				k.mu.Unlock()
				return r, nil
			}
			if r := t.jobControlReport(c, o); r != nil {
				k.mu.Unlock()
				return r, nil
			}
		}
		k.mu.Unlock()
		if !any {
			return nil, unix.ECHILD
		}
		if o.Options&unix.WNOHANG != 0 {
			return nil, nil
		}
		if err := t.Block(e.C, zeroTime); err != nil {
			return nil, err
		}
	}
}

// matchChild reports whether child c is selected by o. k.mu must be held.
func (t *Task) matchChild(c *ThreadGroup, o WaitOptions) bool {
	switch {
	case o.PID > 0:
		if c.ID != o.PID {
			return false
		}
	case o.PID == 0:
		if c.pgid != t.tg.pgid {
			return false
		}
	case o.PID < -1:
		if c.pgid != -o.PID {
			return false
		}
	}
	// __WCLONE selects children that do not signal SIGCHLD; __WALL both.
	if o.Options&wAll == 0 {
		isClone := c.exitSignal != int(unix.SIGCHLD)
		if (o.Options&wClone != 0) != isClone {
			return false
		}
	}
	return true
}

// jobControlReport returns a stop or continue of child c that o asks for
// (WUNTRACED, WCONTINUED), consuming it unless WNOWAIT. k.mu is held.
func (t *Task) jobControlReport(c *ThreadGroup, o WaitOptions) *WaitResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.reportStop && o.Options&unix.WUNTRACED != 0:
		if o.Options&unix.WNOWAIT == 0 {
			c.reportStop = false
		}
		return &WaitResult{PID: c.ID, Code: cldStopped, Stopped: c.stopSignal}
	case c.reportCont && o.Options&unix.WCONTINUED != 0:
		if o.Options&unix.WNOWAIT == 0 {
			c.reportCont = false
		}
		return &WaitResult{PID: c.ID, Code: cldCont, Continued: true}
	}
	return nil
}
