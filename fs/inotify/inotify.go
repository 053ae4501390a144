// Package inotify implements inotify(7) instances: file descriptions that
// hold watches on inodes (registered in vfs.Watches) and queue the events
// the VFS reports, read as struct inotify_event records.
//
// Like the other special files, Read never blocks: it returns EAGAIN with
// an empty queue, and the system call layer waits on the instance's queue
// unless it has O_NONBLOCK.
package inotify

import (
	"encoding/binary"
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/waiter"
)

// Flags and limits.
const (
	NonBlock = unix.O_NONBLOCK
	CloExec  = unix.O_CLOEXEC
	// MaxQueued is /proc/sys/fs/inotify/max_queued_events.
	MaxQueued = 16384
	// eventSize is sizeof(struct inotify_event) without the name.
	eventSize = 16
	// allEvents are the event bits a watch may ask for.
	allEvents = unix.IN_ALL_EVENTS
	// watchFlags are the flags inotify_add_watch accepts besides events.
	watchFlags = unix.IN_DONT_FOLLOW | unix.IN_EXCL_UNLINK | unix.IN_MASK_ADD | unix.IN_ONESHOT | unix.IN_ONLYDIR | maskCreate
	maskCreate = 0x10000000 // IN_MASK_CREATE
	// always are delivered whatever the watch's mask.
	always = unix.IN_IGNORED | unix.IN_UNMOUNT | unix.IN_Q_OVERFLOW
)

type event struct {
	wd     int32
	mask   uint32
	cookie uint32
	name   string
}

// size is the record's length: the name NUL-terminated and padded to a
// multiple of the header size, as Linux does.
func (e *event) size() int {
	if e.name == "" {
		return eventSize
	}
	return eventSize + (len(e.name)+1+eventSize-1)/eventSize*eventSize
}

// Instance is an inotify file description. mu guards the fields below.
type Instance struct {
	vfs.RefCount
	vfs.NoIO
	q waiter.Queue

	mu      sync.Mutex
	flags   uint32
	events  []event
	watches map[int32]*watch
	byInode map[any]*watch
	nextWD  int32
}

var _ vfs.FileDescription = (*Instance)(nil)
var _ waiter.Waitable = (*Instance)(nil)

// watch is one watch of an instance on an inode; it implements vfs.Watch.
type watch struct {
	in    *Instance
	wd    int32
	inode vfs.Inode
	key   any
	// mask is guarded by in.mu.
	mask uint32
}

// New returns an instance with the IN_NONBLOCK flag of flags, with one
// reference.
func New(flags int) *Instance {
	i := &Instance{flags: unix.O_RDONLY | uint32(flags&NonBlock), watches: map[int32]*watch{}, byInode: map[any]*watch{}, nextWD: 1}
	i.InitRefs()
	i.Release = i.release
	return i
}

func (i *Instance) release() {
	i.mu.Lock()
	ws := i.watches
	i.watches, i.byInode = map[int32]*watch{}, map[any]*watch{}
	i.events = nil
	i.mu.Unlock()
	for _, w := range ws {
		vfs.Watches.Remove(w.inode, w)
	}
	i.q.Notify(waiter.EventFree)
}

// queueLocked appends an event, coalescing it with an identical last one
// and turning a full queue into one IN_Q_OVERFLOW. It reports whether
// the queue grew.
func (i *Instance) queueLocked(e event) bool {
	if n := len(i.events); n > 0 {
		last := i.events[n-1]
		if last == e {
			return false
		}
		if last.mask == unix.IN_Q_OVERFLOW {
			return false
		}
	}
	if len(i.events) >= MaxQueued {
		e = event{wd: -1, mask: unix.IN_Q_OVERFLOW}
	}
	i.events = append(i.events, e)
	return true
}

// Event implements vfs.Watch.
func (w *watch) Event(mask, cookie uint32, name string) {
	i := w.in
	i.mu.Lock()
	if i.watches[w.wd] != w || mask&(w.mask&allEvents|always) == 0 {
		i.mu.Unlock()
		return
	}
	grew := i.queueLocked(event{wd: w.wd, mask: mask, cookie: cookie, name: name})
	oneshot := w.mask&unix.IN_ONESHOT != 0
	if oneshot {
		i.removeLocked(w)
		grew = i.queueLocked(event{wd: w.wd, mask: unix.IN_IGNORED}) || grew
	}
	i.mu.Unlock()
	if oneshot {
		vfs.Watches.Remove(w.inode, w)
	}
	if grew {
		i.q.Notify(waiter.EventIn | waiter.EventRdNorm)
	}
}

// Gone implements vfs.Watch: the inode was deleted.
func (w *watch) Gone() {
	i := w.in
	i.mu.Lock()
	if i.watches[w.wd] != w {
		i.mu.Unlock()
		return
	}
	i.removeLocked(w)
	grew := i.queueLocked(event{wd: w.wd, mask: unix.IN_IGNORED})
	i.mu.Unlock()
	if grew {
		i.q.Notify(waiter.EventIn | waiter.EventRdNorm)
	}
}

func (i *Instance) removeLocked(w *watch) {
	delete(i.watches, w.wd)
	if i.byInode[w.key] == w {
		delete(i.byInode, w.key)
	}
}

// AddWatch implements inotify_add_watch on inode (already resolved and
// checked): it returns the watch descriptor, the existing one if the
// instance watches the inode already (its mask replaced, or extended with
// IN_MASK_ADD; EEXIST with IN_MASK_CREATE).
func (i *Instance) AddWatch(inode vfs.Inode, mask uint32) (int32, error) {
	if mask&allEvents == 0 || mask&^(allEvents|watchFlags) != 0 {
		return 0, unix.EINVAL
	}
	if mask&unix.IN_MASK_ADD != 0 && mask&maskCreate != 0 {
		return 0, unix.EINVAL
	}
	key := vfs.InodeKey(inode)
	if key == nil {
		return 0, unix.EINVAL
	}
	stored := mask &^ (unix.IN_MASK_ADD | maskCreate | unix.IN_DONT_FOLLOW | unix.IN_ONLYDIR)
	i.mu.Lock()
	if w := i.byInode[key]; w != nil {
		defer i.mu.Unlock()
		if mask&maskCreate != 0 {
			return 0, unix.EEXIST
		}
		if mask&unix.IN_MASK_ADD != 0 {
			w.mask |= stored
		} else {
			w.mask = stored
		}
		return w.wd, nil
	}
	w := &watch{in: i, wd: i.nextWD, inode: inode, key: key, mask: stored}
	i.nextWD++
	i.watches[w.wd] = w
	i.byInode[key] = w
	i.mu.Unlock()
	vfs.Watches.Add(inode, w)
	return w.wd, nil
}

// RemoveWatch implements inotify_rm_watch: IN_IGNORED is queued.
func (i *Instance) RemoveWatch(wd int32) error {
	i.mu.Lock()
	w := i.watches[wd]
	if w == nil {
		i.mu.Unlock()
		return unix.EINVAL
	}
	i.removeLocked(w)
	grew := i.queueLocked(event{wd: wd, mask: unix.IN_IGNORED})
	i.mu.Unlock()
	vfs.Watches.Remove(w.inode, w)
	if grew {
		i.q.Notify(waiter.EventIn | waiter.EventRdNorm)
	}
	return nil
}

// Read implements vfs.FileDescription: as many whole events as fit;
// EINVAL if the first does not, EAGAIN if there is none.
func (i *Instance) Read(dst [][]byte, off int64) (int, error) {
	total := 0
	for _, b := range dst {
		total += len(b)
	}
	i.mu.Lock()
	if len(i.events) == 0 {
		i.mu.Unlock()
		return 0, unix.EAGAIN
	}
	var out []byte
	k := 0
	for ; k < len(i.events); k++ {
		e := &i.events[k]
		sz := e.size()
		if len(out)+sz > total {
			break
		}
		rec := make([]byte, sz)
		le := binary.LittleEndian
		le.PutUint32(rec[0:], uint32(e.wd))
		le.PutUint32(rec[4:], e.mask)
		le.PutUint32(rec[8:], e.cookie)
		le.PutUint32(rec[12:], uint32(sz-eventSize))
		copy(rec[eventSize:], e.name)
		out = append(out, rec...)
	}
	if k == 0 {
		i.mu.Unlock()
		return 0, unix.EINVAL
	}
	i.events = append(i.events[:0:0], i.events[k:]...)
	i.mu.Unlock()
	src := out
	for _, d := range dst {
		c := copy(d, src)
		src = src[c:]
		if len(src) == 0 {
			break
		}
	}
	return len(out), nil
}

// Write implements vfs.FileDescription.
func (i *Instance) Write([][]byte, int64) (int, error) { return 0, unix.EINVAL }

// Queued returns the bytes of pending events (FIONREAD).
func (i *Instance) Queued() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	n := 0
	for k := range i.events {
		n += i.events[k].size()
	}
	return n
}

// Ioctl implements vfs.FileDescription: FIONREAD.
func (i *Instance) Ioctl(m vfs.Memory, req, arg uintptr) (uintptr, error) {
	if req != 0x541b { // FIONREAD
		return 0, unix.ENOTTY
	}
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(i.Queued()))
	if _, err := m.CopyOut(arg, b[:]); err != nil {
		return 0, unix.EFAULT
	}
	return 0, nil
}

// Readiness implements waiter.Waitable.
func (i *Instance) Readiness(mask waiter.EventMask) waiter.EventMask {
	i.mu.Lock()
	defer i.mu.Unlock()
	if len(i.events) > 0 {
		return mask & (waiter.EventIn | waiter.EventRdNorm)
	}
	return 0
}

// EventRegister implements waiter.Waitable.
func (i *Instance) EventRegister(e *waiter.Entry) { i.q.EventRegister(e) }

// EventUnregister implements waiter.Waitable.
func (i *Instance) EventUnregister(e *waiter.Entry) { i.q.EventUnregister(e) }

// Stat implements vfs.FileDescription: an anonymous inode.
func (i *Instance) Stat(st *unix.Stat_t) error {
	*st = unix.Stat_t{Nlink: 1, Mode: 0o600, Blksize: 4096}
	return nil
}

// StatusFlags implements vfs.FileDescription.
func (i *Instance) StatusFlags() uint32 {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.flags
}

// SetStatusFlags implements vfs.FileDescription.
func (i *Instance) SetStatusFlags(flags uint32) error {
	const settable = unix.O_APPEND | unix.O_NONBLOCK | unix.O_ASYNC | unix.O_NOATIME
	i.mu.Lock()
	i.flags = i.flags&^settable | flags&settable
	i.mu.Unlock()
	return nil
}

// Name implements vfs.FileDescription.
func (i *Instance) Name() string { return "anon_inode:inotify" }
