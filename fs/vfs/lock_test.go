package vfs

import (
	"reflect"
	"testing"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/waiter"
)

func rng(s, e uint64) LockRange { return LockRange{Start: s, End: e} }

type ownerID string

func mustSet(t *testing.T, m *LockManager, key, owner any, typ int16, r LockRange) {
	t.Helper()
	if err := m.SetRecord(key, owner, 1, false, typ, r, false); err != nil {
		t.Fatalf("SetRecord(%v, %d, %v): %v", owner, typ, r, err)
	}
}

func ranges(m *LockManager, key any) map[LockRange]int16 {
	out := map[LockRange]int16{}
	for _, l := range m.Records(key) {
		out[l.Range] = l.Type
	}
	return out
}

func TestRecordSplitAndMerge(t *testing.T) {
	m := NewLockManager()
	k, a := "file", ownerID("a")
	mustSet(t, m, k, a, WriteLock, rng(0, 100))
	// Unlocking the middle splits the lock.
	mustSet(t, m, k, a, Unlock, rng(40, 60))
	if got, want := ranges(m, k), map[LockRange]int16{rng(0, 40): WriteLock, rng(60, 100): WriteLock}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after split: %v, want %v", got, want)
	}
	// Relocking the hole merges the three pieces.
	mustSet(t, m, k, a, WriteLock, rng(40, 60))
	if got, want := ranges(m, k), map[LockRange]int16{rng(0, 100): WriteLock}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after merge: %v, want %v", got, want)
	}
	// Downgrading a part converts it in place.
	mustSet(t, m, k, a, ReadLock, rng(10, 20))
	if got, want := ranges(m, k), map[LockRange]int16{rng(0, 10): WriteLock, rng(10, 20): ReadLock, rng(20, 100): WriteLock}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after convert: %v, want %v", got, want)
	}
	// To EOF.
	mustSet(t, m, k, a, WriteLock, rng(100, LockEOF))
	if got, want := ranges(m, k), map[LockRange]int16{rng(0, 10): WriteLock, rng(10, 20): ReadLock, rng(20, LockEOF): WriteLock}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after EOF lock: %v, want %v", got, want)
	}
	mustSet(t, m, k, a, Unlock, rng(0, LockEOF))
	if m.HasLocks(k) {
		t.Fatalf("locks left after unlocking everything: %v", m.Records(k))
	}
	if len(m.files) != 0 || len(m.owned) != 0 {
		t.Fatalf("state left: files %v owned %v", m.files, m.owned)
	}
}

func TestRecordConflicts(t *testing.T) {
	m := NewLockManager()
	k, a, b := "file", ownerID("a"), ownerID("b")
	mustSet(t, m, k, a, ReadLock, rng(0, 10))
	// Shared locks coexist.
	mustSet(t, m, k, b, ReadLock, rng(5, 15))
	if err := m.SetRecord(k, b, 2, false, WriteLock, rng(8, 9), false); err != unix.EAGAIN {
		t.Fatalf("write over a's read lock: %v, want EAGAIN", err)
	}
	// Disjoint write lock is fine.
	mustSet(t, m, k, b, WriteLock, rng(10, 20))
	info, ok := m.TestRecord(k, a, WriteLock, rng(12, 13))
	if !ok || info.Type != WriteLock || info.Range != rng(10, 20) {
		t.Fatalf("TestRecord = %+v, %v", info, ok)
	}
	if _, ok := m.TestRecord(k, b, WriteLock, rng(12, 13)); ok {
		t.Fatal("an owner's own lock conflicts with itself")
	}
	// OFD locks report pid -1.
	o := ownerID("ofd")
	if err := m.SetRecord(k, o, 7, true, ReadLock, rng(100, 200), false); err != nil {
		t.Fatal(err)
	}
	if info, ok := m.TestRecord(k, a, WriteLock, rng(150, 151)); !ok || info.PID != -1 {
		t.Fatalf("OFD conflict = %+v, %v", info, ok)
	}
	m.ReleaseOwner(b)
	if _, ok := m.TestRecord(k, a, WriteLock, rng(0, LockEOF)); !ok {
		t.Fatal("ofd lock vanished")
	}
	m.ReleaseOwner(o)
	if _, ok := m.TestRecord(k, ownerID("c"), WriteLock, rng(0, LockEOF)); !ok {
		t.Fatal("a's lock vanished")
	}
	m.ReleaseOwner(a)
	if m.HasLocks(k) {
		t.Fatal("locks after releasing every owner")
	}
}

func TestDeadlockDetection(t *testing.T) {
	m := NewLockManager()
	k1, k2 := "f1", "f2"
	a, b := ownerID("a"), ownerID("b")
	mustSet(t, m, k1, a, WriteLock, rng(0, 1))
	mustSet(t, m, k2, b, WriteLock, rng(0, 1))
	// a waits for b.
	if err := m.SetRecord(k2, a, 1, false, WriteLock, rng(0, 1), true); err != unix.EAGAIN {
		t.Fatalf("a on f2: %v, want EAGAIN", err)
	}
	// b asking for a's lock would close the cycle.
	if err := m.SetRecord(k1, b, 2, false, WriteLock, rng(0, 1), true); err != unix.EDEADLK {
		t.Fatalf("b on f1: %v, want EDEADLK", err)
	}
	// Without waiting it is a plain conflict.
	if err := m.SetRecord(k1, b, 2, false, WriteLock, rng(0, 1), false); err != unix.EAGAIN {
		t.Fatalf("b on f1 non-blocking: %v, want EAGAIN", err)
	}
	m.StopWaiting(a)
	if err := m.SetRecord(k1, b, 2, false, WriteLock, rng(0, 1), true); err != unix.EAGAIN {
		t.Fatalf("b on f1 after a stopped waiting: %v, want EAGAIN", err)
	}
	// OFD owners are not part of deadlock detection.
	m.StopWaiting(b)
}

func TestWaitNotification(t *testing.T) {
	m := NewLockManager()
	k, a := "file", ownerID("a")
	mustSet(t, m, k, a, WriteLock, rng(0, 10))
	e := waiter.NewChannelEntry(waiter.EventIn)
	m.EventRegister(k, e)
	mustSet(t, m, k, a, Unlock, rng(0, 10))
	select {
	case <-e.C:
	default:
		t.Fatal("no wakeup on unlock")
	}
	m.EventUnregister(k, e)
	if len(m.files) != 0 {
		t.Fatalf("state left: %v", m.files)
	}
}

func TestFlock(t *testing.T) {
	m := NewLockManager()
	k, a, b := "file", ownerID("a"), ownerID("b")
	if err := m.Flock(k, a, ReadLock); err != nil {
		t.Fatal(err)
	}
	if err := m.Flock(k, b, ReadLock); err != nil {
		t.Fatal(err)
	}
	if err := m.Flock(k, b, WriteLock); err != unix.EAGAIN {
		t.Fatalf("upgrade with another sharer: %v, want EAGAIN", err)
	}
	// A failed conversion lost b's shared lock, as on Linux.
	if err := m.Flock(k, a, WriteLock); err != nil {
		t.Fatalf("upgrade alone: %v", err)
	}
	// Record locks are independent of flock locks.
	mustSet(t, m, k, b, WriteLock, rng(0, LockEOF))
	if err := m.Flock(k, a, Unlock); err != nil {
		t.Fatal(err)
	}
	if err := m.Flock(k, b, WriteLock); err != nil {
		t.Fatal(err)
	}
	m.ReleaseOwner(b)
	if m.HasLocks(k) {
		t.Fatal("locks left")
	}
}

// lockFile is a located file description for the FDTable tests.
type lockFile struct {
	RefCount
	NoIO
	FileLocation
}

func (*lockFile) Stat(*unix.Stat_t) error     { return nil }
func (*lockFile) StatusFlags() uint32         { return unix.O_RDWR }
func (*lockFile) SetStatusFlags(uint32) error { return nil }
func (*lockFile) Name() string                { return "" }

type lockInode struct{ standInDir }

func TestCloseReleasesLocks(t *testing.T) {
	in := &lockInode{}
	vd := VirtualDentry{Dentry: NewDentry(in)}
	newFile := func() *lockFile {
		f := &lockFile{FileLocation: FileLocation{vd}}
		f.InitRefs()
		return f
	}
	f1, f2 := newFile(), newFile()
	if LockKey(f1) != LockKey(f2) {
		t.Fatal("two descriptions of one inode have different lock keys")
	}
	tab := NewFDTable()
	fd1, _ := tab.New(0, f1, false)
	fd2, _ := tab.New(0, f2, false)
	f1.DecRef()
	f2.DecRef()
	key := LockKey(f1)
	if err := Locks.SetRecord(key, tab, 1, false, WriteLock, rng(0, 5), false); err != nil {
		t.Fatal(err)
	}
	// flock and OFD locks belong to f2's description.
	if err := Locks.Flock(key, FileOwner(f2), WriteLock); err != nil {
		t.Fatal(err)
	}
	// Closing any fd of the file drops the process's record locks ...
	tab.Remove(fd1)
	if recs := Locks.Records(key); len(recs) != 0 {
		t.Fatalf("record locks after close: %v", recs)
	}
	// ... and the last reference of a description drops its flock.
	if !Locks.HasLocks(key) {
		t.Fatal("flock lost with another description's close")
	}
	tab.Remove(fd2)
	if Locks.HasLocks(key) {
		t.Fatal("flock kept after the description was released")
	}
}
