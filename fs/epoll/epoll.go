// Package epoll implements epoll instances (epoll(7)).
//
// An EventPoll keeps an interest set keyed, as in Linux, by (fd number,
// file description), and a ready list in the order items became ready.
// Each item registers a callback entry on its file's waiter queue; the
// callback (run by the file's notifier) puts the item on the ready list and
// wakes the epoll's own queue, so epoll files can themselves be polled or
// nested. ReadEvents re-asks each ready item's file for its readiness:
// level-triggered items that are still ready go back on the list,
// edge-triggered ones wait for the next notification, EPOLLONESHOT items
// are disarmed until EPOLL_CTL_MOD.
//
// Items do not hold a reference on their file: when a file description is
// released (every fd referring to it closed) it notifies waiter.EventFree
// and the item removes itself, which is how a closed file leaves the set.
//
// Lock order: ctlMu, then a file's locks and waiter queue, then mu. The
// callback runs with the file's queue locked and takes only mu; nothing
// calls into a file while holding mu.
package epoll

import (
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/waiter"
)

// Event flags unix lacks as EventMask values.
const (
	EPOLLEXCLUSIVE = 1 << 28
	EPOLLWAKEUP    = 1 << 29
	EPOLLONESHOT   = 1 << 30
	EPOLLET        = 1 << 31
	// privateBits are the flags that are not events.
	privateBits = EPOLLEXCLUSIVE | EPOLLWAKEUP | EPOLLONESHOT | EPOLLET
	// exclusiveOK are the flags allowed with EPOLLEXCLUSIVE.
	exclusiveOK = unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLERR | unix.EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE
	// maxNesting is EP_MAX_NESTS: how deep epoll instances may nest.
	maxNesting = 4
)

// Event is one struct epoll_event.
type Event struct {
	Events uint32
	Data   uint64
}

// Pollable is implemented by Waitable files that only sometimes support
// epoll (host files: regular files and directories do not); epoll_ctl
// refuses them with EPERM when Pollable returns false.
type Pollable interface {
	Pollable() bool
}

type key struct {
	fd   int32
	file vfs.FileDescription
}

// item is one registration. Fields after entry are guarded by ep.mu.
type item struct {
	ep    *EventPoll
	key   key
	w     waiter.Waitable
	entry waiter.Entry

	events uint32
	data   uint64
	dead   bool
	// ready is set while the item is on the ready list.
	ready      bool
	prev, next *item
}

// EventPoll is an epoll instance and its file description.
type EventPoll struct {
	vfs.RefCount
	vfs.NoIO
	q waiter.Queue

	// ctlMu serializes changes to the interest set.
	ctlMu sync.Mutex

	mu       sync.Mutex
	interest map[key]*item
	// head and tail are the ready list.
	head, tail *item
}

var _ vfs.FileDescription = (*EventPoll)(nil)
var _ waiter.Waitable = (*EventPoll)(nil)

// New returns an empty epoll instance with one reference.
func New() *EventPoll {
	ep := &EventPoll{interest: map[key]*item{}}
	ep.InitRefs()
	ep.Release = ep.release
	return ep
}

func (ep *EventPoll) release() {
	ep.ctlMu.Lock()
	ep.mu.Lock()
	items := make([]*item, 0, len(ep.interest))
	for _, it := range ep.interest {
		it.dead = true
		items = append(items, it)
	}
	ep.interest = map[key]*item{}
	ep.head, ep.tail = nil, nil
	ep.mu.Unlock()
	for _, it := range items {
		it.w.EventUnregister(&it.entry)
	}
	ep.ctlMu.Unlock()
	ep.q.Notify(waiter.EventFree)
}

// pushReady appends it to the ready list (ep.mu held).
func (ep *EventPoll) pushReady(it *item) {
	if it.ready {
		return
	}
	it.ready = true
	it.prev, it.next = ep.tail, nil
	if ep.tail != nil {
		ep.tail.next = it
	} else {
		ep.head = it
	}
	ep.tail = it
}

// removeReady takes it off the ready list (ep.mu held).
func (ep *EventPoll) removeReady(it *item) {
	if !it.ready {
		return
	}
	if it.prev != nil {
		it.prev.next = it.next
	} else {
		ep.head = it.next
	}
	if it.next != nil {
		it.next.prev = it.prev
	} else {
		ep.tail = it.prev
	}
	it.prev, it.next, it.ready = nil, nil, false
}

// callback runs when the item's file notifies its queue.
func (it *item) callback(_ *waiter.Entry, mask waiter.EventMask) {
	ep := it.ep
	ep.mu.Lock()
	if it.dead {
		ep.mu.Unlock()
		return
	}
	if mask&waiter.EventFree != 0 {
		// The file description is gone: so is the registration. Its
		// queue goes with it, so there is nothing to unregister.
		it.dead = true
		ep.removeReady(it)
		if ep.interest[it.key] == it {
			delete(ep.interest, it.key)
		}
		ep.mu.Unlock()
		return
	}
	if it.events&^privateBits == 0 {
		// Disarmed by EPOLLONESHOT.
		ep.mu.Unlock()
		return
	}
	ep.pushReady(it)
	ep.mu.Unlock()
	ep.q.Notify(waiter.EventIn | waiter.EventRdNorm)
}

// entryMask is what an item's entry listens to.
func entryMask(events uint32) waiter.EventMask {
	return waiter.EventMask(events&^privateBits)&waiter.AllEvents | waiter.EventErr | waiter.EventHUp | waiter.EventFree
}

// IsEpoll reports whether f is an epoll instance.
func IsEpoll(f vfs.FileDescription) bool {
	_, ok := f.(*EventPoll)
	return ok
}

// loopMu serializes additions of epoll instances to epoll instances, so
// that two of them cannot race to form a cycle.
var loopMu sync.Mutex

// children returns the epoll instances in ep's interest set.
func (ep *EventPoll) children() []*EventPoll {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	var c []*EventPoll
	for k := range ep.interest {
		if sub, ok := k.file.(*EventPoll); ok {
			c = append(c, sub)
		}
	}
	return c
}

// depth returns how many levels of epoll instances ep contains, or -1 if
// target is among them.
func (ep *EventPoll) depth(target *EventPoll, level int) int {
	if ep == target {
		return -1
	}
	if level > maxNesting+1 {
		return level
	}
	max := 0
	for _, c := range ep.children() {
		d := c.depth(target, level+1)
		if d < 0 {
			return -1
		}
		if d+1 > max {
			max = d + 1
		}
	}
	return max
}

// CanPoll reports whether f may be added to an epoll instance.
func CanPoll(f vfs.FileDescription) bool {
	if _, ok := f.(waiter.Waitable); !ok {
		return false
	}
	if p, ok := f.(Pollable); ok && !p.Pollable() {
		return false
	}
	return true
}

// Add implements EPOLL_CTL_ADD of file (at fd) with events and data.
func (ep *EventPoll) Add(fd int32, file vfs.FileDescription, events uint32, data uint64) error {
	if !CanPoll(file) {
		return unix.EPERM
	}
	w := file.(waiter.Waitable)
	if file == vfs.FileDescription(ep) {
		return unix.EINVAL
	}
	if events&EPOLLEXCLUSIVE != 0 {
		if IsEpoll(file) || events&^exclusiveOK != 0 {
			return unix.EINVAL
		}
	}
	// Without CAP_BLOCK_SUSPEND, EPOLLWAKEUP is dropped silently.
	events &^= EPOLLWAKEUP
	events |= unix.EPOLLERR | unix.EPOLLHUP

	ep.ctlMu.Lock()
	defer ep.ctlMu.Unlock()
	k := key{fd, file}
	ep.mu.Lock()
	_, dup := ep.interest[k]
	ep.mu.Unlock()
	if dup {
		return unix.EEXIST
	}
	if sub, ok := file.(*EventPoll); ok {
		loopMu.Lock()
		defer loopMu.Unlock()
		d := sub.depth(ep, 0)
		if d < 0 || d >= maxNesting {
			return unix.ELOOP
		}
	}
	it := &item{ep: ep, key: k, w: w, events: events, data: data}
	it.entry.Mask = entryMask(events)
	it.entry.Callback = it.callback
	ep.mu.Lock()
	ep.interest[k] = it
	ep.mu.Unlock()
	w.EventRegister(&it.entry)
	ep.check(it)
	return nil
}

// check puts it on the ready list if its file is ready now.
func (ep *EventPoll) check(it *item) {
	if it.w.Readiness(waiter.EventMask(it.events&^privateBits)&waiter.AllEvents) == 0 {
		return
	}
	ep.mu.Lock()
	if it.dead || it.events&^privateBits == 0 {
		ep.mu.Unlock()
		return
	}
	ep.pushReady(it)
	ep.mu.Unlock()
	ep.q.Notify(waiter.EventIn | waiter.EventRdNorm)
}

// Modify implements EPOLL_CTL_MOD.
func (ep *EventPoll) Modify(fd int32, file vfs.FileDescription, events uint32, data uint64) error {
	if events&EPOLLEXCLUSIVE != 0 {
		return unix.EINVAL
	}
	events &^= EPOLLWAKEUP
	events |= unix.EPOLLERR | unix.EPOLLHUP
	ep.ctlMu.Lock()
	defer ep.ctlMu.Unlock()
	ep.mu.Lock()
	it, ok := ep.interest[key{fd, file}]
	if !ok {
		ep.mu.Unlock()
		return unix.ENOENT
	}
	if it.events&EPOLLEXCLUSIVE != 0 {
		ep.mu.Unlock()
		return unix.EINVAL
	}
	ep.mu.Unlock()
	// Re-register with the new mask; the queue reads Mask under its lock.
	it.w.EventUnregister(&it.entry)
	ep.mu.Lock()
	it.events = events
	it.data = data
	ep.mu.Unlock()
	it.entry.Mask = entryMask(events)
	it.w.EventRegister(&it.entry)
	ep.check(it)
	return nil
}

// Delete implements EPOLL_CTL_DEL.
func (ep *EventPoll) Delete(fd int32, file vfs.FileDescription) error {
	ep.ctlMu.Lock()
	defer ep.ctlMu.Unlock()
	ep.mu.Lock()
	it, ok := ep.interest[key{fd, file}]
	if !ok {
		ep.mu.Unlock()
		return unix.ENOENT
	}
	delete(ep.interest, it.key)
	ep.removeReady(it)
	it.dead = true
	ep.mu.Unlock()
	it.w.EventUnregister(&it.entry)
	return nil
}

// ReadEvents fills events (up to its length) with ready events and returns
// how many it filled.
func (ep *EventPoll) ReadEvents(events []Event) int {
	if len(events) == 0 {
		return 0
	}
	// Take the whole ready list; items notified while we look are put
	// back by their callbacks.
	ep.mu.Lock()
	var batch []*item
	for it := ep.head; it != nil; {
		next := it.next
		batch = append(batch, it)
		ep.removeReady(it)
		it = next
	}
	ep.mu.Unlock()

	n := 0
	i := 0
	for ; i < len(batch) && n < len(events); i++ {
		it := batch[i]
		ep.mu.Lock()
		dead, want := it.dead, it.events
		ep.mu.Unlock()
		if dead || want&^privateBits == 0 {
			continue
		}
		r := uint32(it.w.Readiness(waiter.EventMask(want&^privateBits) & waiter.AllEvents))
		r &= want
		if r == 0 {
			continue
		}
		ep.mu.Lock()
		if it.dead {
			ep.mu.Unlock()
			continue
		}
		events[n] = Event{Events: r, Data: it.data}
		n++
		switch {
		case it.events&EPOLLONESHOT != 0:
			it.events &= privateBits
		case it.events&EPOLLET == 0:
			// Level-triggered: look again next time.
			ep.pushReady(it)
		}
		ep.mu.Unlock()
	}
	if i < len(batch) {
		// Out of room: the rest stay ready, ahead of newcomers.
		ep.mu.Lock()
		var rest []*item
		for it := ep.head; it != nil; it = it.next {
			rest = append(rest, it)
		}
		for _, it := range rest {
			ep.removeReady(it)
		}
		for _, it := range batch[i:] {
			if !it.dead {
				ep.pushReady(it)
			}
		}
		for _, it := range rest {
			ep.pushReady(it)
		}
		ep.mu.Unlock()
	}
	return n
}

// Readiness implements waiter.Waitable: an epoll instance is readable when
// one of its ready items really is ready.
func (ep *EventPoll) Readiness(mask waiter.EventMask) waiter.EventMask {
	if mask&(waiter.EventIn|waiter.EventRdNorm) == 0 {
		return 0
	}
	type probe struct {
		w    waiter.Waitable
		want uint32
	}
	ep.mu.Lock()
	var probes []probe
	for it := ep.head; it != nil; it = it.next {
		probes = append(probes, probe{it.w, it.events})
	}
	ep.mu.Unlock()
	for _, p := range probes {
		if p.want&^privateBits == 0 {
			continue
		}
		if p.w.Readiness(waiter.EventMask(p.want&^privateBits)&waiter.AllEvents) != 0 {
			return (waiter.EventIn | waiter.EventRdNorm) & mask
		}
	}
	return 0
}

// EventRegister implements waiter.Waitable.
func (ep *EventPoll) EventRegister(e *waiter.Entry) { ep.q.EventRegister(e) }

// EventUnregister implements waiter.Waitable.
func (ep *EventPoll) EventUnregister(e *waiter.Entry) { ep.q.EventUnregister(e) }

// Seek implements vfs.FileDescription (noop_llseek).
func (ep *EventPoll) Seek(int64, int) (int64, error) { return 0, nil }

// Stat implements vfs.FileDescription: an anonymous inode.
func (ep *EventPoll) Stat(st *unix.Stat_t) error {
	*st = unix.Stat_t{Nlink: 1, Mode: 0o600, Blksize: 4096}
	return nil
}

// StatusFlags implements vfs.FileDescription.
func (ep *EventPoll) StatusFlags() uint32 { return unix.O_RDWR }

// SetStatusFlags implements vfs.FileDescription.
func (ep *EventPoll) SetStatusFlags(uint32) error { return nil }

// Name implements vfs.FileDescription.
func (ep *EventPoll) Name() string { return "anon_inode:[eventpoll]" }
