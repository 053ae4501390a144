package vfs

import (
	"math"
	"reflect"
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/waiter"
)

// Advisory file locks: flock(2) and fcntl(2) record locks.
//
// Locks belong to a file, identified by LockKey: normally the inode where
// the file was opened, so every open file description of one file shares
// its locks. Three kinds exist, as in Linux:
//
//   - flock locks (LOCK_SH, LOCK_EX) are owned by an open file
//     description: dup'ed and inherited fds share them, and they go away
//     when the description's last reference is dropped. They are separate
//     from record locks.
//   - POSIX record locks (F_SETLK) are byte ranges owned by a process -
//     precisely by its fd table, as Linux's fl_owner is current->files. A
//     process's own locks never conflict with each other: a new lock
//     replaces, splits and merges with its ranges. They go away when the
//     process closes any fd of the file (FDTable calls
//     Locks.ReleasePosix) or its fd table is released.
//   - OFD locks (F_OFD_SETLK) are record locks owned by the open file
//     description, released like flock locks. They share the range space
//     with POSIX locks and conflict with them.
//
// No lock ever blocks here: SetRecord and Flock return EAGAIN on a
// conflict, and the system call layer waits on the file's queue
// (EventRegister) and tries again. Before such a wait, a POSIX owner
// records whom it waits for (SetRecord with wait set): a cycle of waiting
// POSIX owners is refused with EDEADLK.

// Record lock types (struct flock's l_type).
const (
	ReadLock  = unix.F_RDLCK
	WriteLock = unix.F_WRLCK
	Unlock    = unix.F_UNLCK
)

// LockEOF as a range end means "to the end of the file, however large".
const LockEOF = math.MaxUint64

// LockRange is the byte range [Start, End) of a record lock.
type LockRange struct {
	Start, End uint64
}

func (r LockRange) overlaps(o LockRange) bool { return r.Start < o.End && o.Start < r.End }

// LockInfo describes a lock, for F_GETLK.
type LockInfo struct {
	Type  int16
	Range LockRange
	// PID is the holder's process id, -1 for OFD locks.
	PID int32
}

// record is one record lock.
type record struct {
	owner any
	typ   int16
	r     LockRange
	pid   int32
	ofd   bool
}

// fileLocks are the locks of one file.
type fileLocks struct {
	records []record
	flocks  map[any]int16
	q       waiter.Queue
	// waiters counts registered wait entries (the entry stays while any).
	waiters int
}

func (fl *fileLocks) empty() bool {
	return len(fl.records) == 0 && len(fl.flocks) == 0 && fl.waiters == 0
}

// LockManager holds every advisory lock. mu guards everything; it is a
// leaf lock.
type LockManager struct {
	mu    sync.Mutex
	files map[any]*fileLocks
	// owned indexes the files each owner holds locks on.
	owned map[any]map[any]struct{}
	// waitingFor maps a blocked POSIX owner to an owner it waits for.
	waitingFor map[any]any
}

// NewLockManager returns an empty lock manager.
func NewLockManager() *LockManager {
	return &LockManager{files: map[any]*fileLocks{}, owned: map[any]map[any]struct{}{}, waitingFor: map[any]any{}}
}

// Locks is the sandbox's lock manager.
var Locks = NewLockManager()

// LockKeyer is implemented by inodes whose identity for locking is not
// the inode value itself (an inode object that is recreated on lookup).
type LockKeyer interface {
	LockKey() any
}

// refCounter finds the RefCount embedded in a file description.
type refCounter interface{ refCount() *RefCount }

func (r *RefCount) refCount() *RefCount { return r }

// LockKey returns the identity of the file f is open on: its inode where
// it was opened, or the description itself for files with no place in
// the tree.
func LockKey(f FileDescription) any {
	if l, ok := f.(Locatable); ok {
		if vd := l.Location(); vd.Ok() && vd.Dentry.inode != nil {
			in := vd.Dentry.inode
			if k, ok := in.(LockKeyer); ok {
				return k.LockKey()
			}
			if reflect.TypeOf(in).Comparable() {
				return in
			}
		}
	}
	return FileOwner(f)
}

// FileOwner returns the owner identity of the open file description f
// (flock and OFD locks), marking it so that its locks are released with
// its last reference.
func FileOwner(f FileDescription) any {
	if rc, ok := f.(refCounter); ok {
		r := rc.refCount()
		return r
	}
	return f
}

// markOwner notes that owner may hold locks (RefCounts release them when
// dropped).
func markOwner(owner any) {
	switch o := owner.(type) {
	case *RefCount:
		o.hasLocks.Store(true)
	case *FDTable:
		o.hasLocks.Store(true)
	}
}

func (m *LockManager) fileLocked(key any) *fileLocks {
	fl := m.files[key]
	if fl == nil {
		fl = &fileLocks{}
		m.files[key] = fl
	}
	return fl
}

func (m *LockManager) putLocked(key any, fl *fileLocks) {
	if fl.empty() {
		delete(m.files, key)
	}
}

func (m *LockManager) ownLocked(owner, key any) {
	s := m.owned[owner]
	if s == nil {
		s = map[any]struct{}{}
		m.owned[owner] = s
	}
	s[key] = struct{}{}
}

// disownLocked drops key from owner's index if owner holds nothing there.
func (m *LockManager) disownLocked(owner, key any, fl *fileLocks) {
	if fl != nil {
		if _, ok := fl.flocks[owner]; ok {
			return
		}
		for _, r := range fl.records {
			if r.owner == owner {
				return
			}
		}
	}
	if s := m.owned[owner]; s != nil {
		delete(s, key)
		if len(s) == 0 {
			delete(m.owned, owner)
		}
	}
}

// EventRegister adds e to the waiters of key's locks: it is notified
// (with EventIn) whenever a lock of the file is released.
func (m *LockManager) EventRegister(key any, e *waiter.Entry) {
	m.mu.Lock()
	fl := m.fileLocked(key)
	fl.waiters++
	fl.q.EventRegister(e)
	m.mu.Unlock()
}

// EventUnregister removes e (see EventRegister).
func (m *LockManager) EventUnregister(key any, e *waiter.Entry) {
	m.mu.Lock()
	if fl := m.files[key]; fl != nil {
		fl.q.EventUnregister(e)
		fl.waiters--
		m.putLocked(key, fl)
	}
	m.mu.Unlock()
}

// StopWaiting forgets that owner waits (after a blocking lock attempt
// ends, however it ends).
func (m *LockManager) StopWaiting(owner any) {
	m.mu.Lock()
	delete(m.waitingFor, owner)
	m.mu.Unlock()
}

// conflictLocked returns a record lock of another owner that conflicts
// with typ over r.
func (fl *fileLocks) conflictLocked(owner any, typ int16, r LockRange) (record, bool) {
	for _, x := range fl.records {
		if x.owner == owner || !x.r.overlaps(r) {
			continue
		}
		if typ == WriteLock || x.typ == WriteLock {
			return x, true
		}
	}
	return record{}, false
}

// TestRecord implements F_GETLK: the first lock that would conflict with
// owner taking typ over r, if any.
func (m *LockManager) TestRecord(key, owner any, typ int16, r LockRange) (LockInfo, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fl := m.files[key]
	if fl == nil {
		return LockInfo{}, false
	}
	x, ok := fl.conflictLocked(owner, typ, r)
	if !ok {
		return LockInfo{}, false
	}
	pid := x.pid
	if x.ofd {
		pid = -1
	}
	return LockInfo{Type: x.typ, Range: x.r, PID: pid}, true
}

// SetRecord implements F_SETLK and F_OFD_SETLK for owner (an *FDTable for
// POSIX locks, FileOwner for OFD locks): it takes, converts or (Unlock)
// releases the range r. A conflict returns EAGAIN; with wait, a POSIX
// owner is recorded as waiting for the holder first, and EDEADLK is
// returned instead if the holder (transitively) waits for owner.
func (m *LockManager) SetRecord(key, owner any, pid int32, ofd bool, typ int16, r LockRange, wait bool) error {
	if r.Start >= r.End {
		return unix.EINVAL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if typ != Unlock {
		fl := m.fileLocked(key)
		if x, ok := fl.conflictLocked(owner, typ, r); ok {
			m.putLocked(key, fl)
			if wait && !ofd && !x.ofd {
				// Deadlock detection follows POSIX owners only.
				cur := x.owner
				for i := 0; i < 1024; i++ {
					if cur == owner {
						return unix.EDEADLK
					}
					next, ok := m.waitingFor[cur]
					if !ok {
						break
					}
					cur = next
				}
				m.waitingFor[owner] = x.owner
			}
			return unix.EAGAIN
		}
	}
	fl := m.files[key]
	if fl == nil {
		if typ == Unlock {
			return nil
		}
		fl = m.fileLocked(key)
	}
	released := false
	// Remove owner's coverage of r, splitting the records that stick
	// out on either side.
	out := fl.records[:0:0]
	for _, x := range fl.records {
		if x.owner != owner || !x.r.overlaps(r) {
			out = append(out, x)
			continue
		}
		released = released || x.typ == WriteLock || typ == Unlock
		if x.r.Start < r.Start {
			left := x
			left.r.End = r.Start
			out = append(out, left)
		}
		if x.r.End > r.End {
			right := x
			right.r.Start = r.End
			out = append(out, right)
		}
	}
	if typ != Unlock {
		n := record{owner: owner, typ: typ, r: r, pid: pid, ofd: ofd}
		// Merge with adjacent ranges of the same owner and type.
		merged := out[:0]
		for _, x := range out {
			if x.owner == owner && x.typ == typ && (x.r.End == n.r.Start || x.r.Start == n.r.End) {
				n.r.Start = min(n.r.Start, x.r.Start)
				n.r.End = max(n.r.End, x.r.End)
				continue
			}
			merged = append(merged, x)
		}
		out = append(merged, n)
		m.ownLocked(owner, key)
		markOwner(owner)
	}
	fl.records = out
	if typ == Unlock {
		m.disownLocked(owner, key, fl)
	}
	if released {
		fl.q.Notify(waiter.EventIn)
	}
	m.putLocked(key, fl)
	return nil
}

// Flock implements flock(2) for owner (FileOwner of the description):
// typ is ReadLock (LOCK_SH), WriteLock (LOCK_EX) or Unlock. A conversion
// drops the old lock first, as Linux does. A conflict returns EAGAIN.
func (m *LockManager) Flock(key, owner any, typ int16) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	fl := m.files[key]
	if fl == nil {
		if typ == Unlock {
			return nil
		}
		fl = m.fileLocked(key)
	}
	defer m.putLocked(key, fl)
	if cur, ok := fl.flocks[owner]; ok {
		if cur == typ {
			return nil
		}
		delete(fl.flocks, owner)
		fl.q.Notify(waiter.EventIn)
	}
	if typ == Unlock {
		m.disownLocked(owner, key, fl)
		return nil
	}
	for o, t := range fl.flocks {
		if o != owner && (typ == WriteLock || t == WriteLock) {
			m.disownLocked(owner, key, fl)
			return unix.EAGAIN
		}
	}
	if fl.flocks == nil {
		fl.flocks = map[any]int16{}
	}
	fl.flocks[owner] = typ
	m.ownLocked(owner, key)
	markOwner(owner)
	return nil
}

// ReleasePosix drops every record lock owner holds on key (a process
// closed an fd of the file).
func (m *LockManager) ReleasePosix(owner, key any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.releaseLocked(owner, key)
}

func (m *LockManager) releaseLocked(owner, key any) {
	fl := m.files[key]
	if fl == nil {
		return
	}
	out := fl.records[:0]
	released := false
	for _, x := range fl.records {
		if x.owner == owner {
			released = true
			continue
		}
		out = append(out, x)
	}
	clear(fl.records[len(out):])
	fl.records = out
	if _, ok := fl.flocks[owner]; ok {
		delete(fl.flocks, owner)
		released = true
	}
	if released {
		fl.q.Notify(waiter.EventIn)
	}
	m.disownLocked(owner, key, fl)
	m.putLocked(key, fl)
}

// ReleaseOwner drops every lock owner holds on any file (an open file
// description or an fd table went away).
func (m *LockManager) ReleaseOwner(owner any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.waitingFor, owner)
	for key := range m.owned[owner] {
		m.releaseLocked(owner, key)
	}
	delete(m.owned, owner)
}

// HasLocks reports whether key has any lock (for tests and /proc/locks).
func (m *LockManager) HasLocks(key any) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	fl := m.files[key]
	return fl != nil && (len(fl.records) > 0 || len(fl.flocks) > 0)
}

// Records returns the record locks of key (for tests).
func (m *LockManager) Records(key any) []LockInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	fl := m.files[key]
	if fl == nil {
		return nil
	}
	var ls []LockInfo
	for _, x := range fl.records {
		ls = append(ls, LockInfo{Type: x.typ, Range: x.r, PID: x.pid})
	}
	return ls
}

// closeLocks is called by an fd table when fd of f is closed.
func (t *FDTable) closeLocks(f FileDescription) {
	if t.hasLocks.Load() {
		Locks.ReleasePosix(t, LockKey(f))
	}
}

// releaseLocks drops the locks of a description whose last reference is
// gone.
func (r *RefCount) releaseLocks() {
	if r.hasLocks.Load() {
		Locks.ReleaseOwner(r)
	}
}

// TransferOwner gives every lock of from to to (a process's fd table is
// replaced across execve).
func (m *LockManager) TransferOwner(from, to any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for key := range m.owned[from] {
		fl := m.files[key]
		if fl == nil {
			continue
		}
		for i := range fl.records {
			if fl.records[i].owner == from {
				fl.records[i].owner = to
			}
		}
		if t, ok := fl.flocks[from]; ok {
			delete(fl.flocks, from)
			fl.flocks[to] = t
		}
		m.ownLocked(to, key)
	}
	delete(m.owned, from)
	if w, ok := m.waitingFor[from]; ok {
		delete(m.waitingFor, from)
		m.waitingFor[to] = w
	}
	for k, w := range m.waitingFor {
		if w == from {
			m.waitingFor[k] = to
		}
	}
}
