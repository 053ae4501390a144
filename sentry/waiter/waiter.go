// Package waiter lets tasks wait for events on objects (readiness of files,
// exits of children): an object owns a Queue; a waiter registers an Entry
// with the events it cares about and is notified through the Entry's
// channel.
package waiter

import (
	"sync"

	"golang.org/x/sys/unix"
)

// EventMask is a set of poll events (unix.POLLIN, POLLOUT, ... which equal
// the EPOLL* bits).
type EventMask uint32

// Common event sets.
const (
	EventIn     EventMask = unix.POLLIN
	EventPri    EventMask = unix.POLLPRI
	EventOut    EventMask = unix.POLLOUT
	EventErr    EventMask = unix.POLLERR
	EventHUp    EventMask = unix.POLLHUP
	EventRdNorm EventMask = 0x40   // POLLRDNORM
	EventWrNorm EventMask = 0x100  // POLLWRNORM
	EventRdHUp  EventMask = 0x2000 // POLLRDHUP
	// EventFree (Linux's POLLFREE) is notified by an object that is going
	// away (a file description released): registrations that outlive
	// waits, such as epoll's, drop themselves when they see it. It is
	// never a readiness event.
	EventFree EventMask = 0x4000
	// AllEvents is every event.
	AllEvents EventMask = 0xffff
)

// Entry is one registration. C receives a value (without blocking the
// notifier: it is buffered, size one) when an event in Mask happens; the
// callback form is used by epoll.
type Entry struct {
	// Mask are the events the entry wants.
	Mask EventMask
	// C is signalled on events when Callback is nil.
	C chan struct{}
	// Callback, if set, is called (with the queue's lock held: it must not
	// block or call back into the queue) instead of signalling C.
	Callback func(e *Entry, ready EventMask)
}

// NewChannelEntry returns an entry signalling a fresh channel.
func NewChannelEntry(mask EventMask) *Entry {
	return &Entry{Mask: mask, C: make(chan struct{}, 1)}
}

// Queue is a set of entries waiting on one object. mu guards entries.
type Queue struct {
	mu      sync.Mutex
	entries map[*Entry]struct{}
}

// EventRegister adds e.
func (q *Queue) EventRegister(e *Entry) {
	q.mu.Lock()
	if q.entries == nil {
		q.entries = map[*Entry]struct{}{}
	}
	q.entries[e] = struct{}{}
	q.mu.Unlock()
}

// EventUnregister removes e.
func (q *Queue) EventUnregister(e *Entry) {
	q.mu.Lock()
	delete(q.entries, e)
	q.mu.Unlock()
}

// Notify tells every entry interested in any of mask.
func (q *Queue) Notify(mask EventMask) {
	q.mu.Lock()
	for e := range q.entries {
		if e.Mask&mask == 0 {
			continue
		}
		if e.Callback != nil {
			e.Callback(e, mask)
			continue
		}
		select {
		case e.C <- struct{}{}:
		default:
		}
	}
	q.mu.Unlock()
}

// Waitable is an object that can be waited on (files, for poll and epoll).
type Waitable interface {
	// Readiness returns the events in mask that are ready now.
	Readiness(mask EventMask) EventMask
	// EventRegister and EventUnregister add and remove a waiter.
	EventRegister(e *Entry)
	EventUnregister(e *Entry)
}
