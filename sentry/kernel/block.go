package kernel

import (
	"time"
)

// Block waits until ch is signalled, deadline passes (zero: never), or the
// task is interrupted by a signal. It returns nil, ETIMEDOUT (as errTimeout)
// or ERESTARTSYS. System calls return ERESTARTSYS as it is: the run loop
// turns it into a restart or EINTR when the signal is delivered.
func (t *Task) Block(ch <-chan struct{}, deadline time.Time) error {
	if t.HasPendingSignal() {
		return ERESTARTSYS
	}
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		d := time.Until(deadline)
		if d <= 0 {
			return ErrTimedOut
		}
		tm := time.NewTimer(d)
		defer tm.Stop()
		timeout = tm.C
	}
	t.proc.sleeping.Store(true) // /proc state S
	defer t.proc.sleeping.Store(false)
	for {
		select {
		case <-ch:
			return nil
		case <-timeout:
			return ErrTimedOut
		case <-t.interruptCh:
			if t.HasPendingSignal() {
				return ERESTARTSYS
			}
		}
	}
}

// ErrTimedOut is returned by Block when the deadline passes; it is ETIMEDOUT.
var ErrTimedOut = errTimedOut()

// zeroTime is "no deadline".
var zeroTime time.Time
