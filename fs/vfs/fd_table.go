package vfs

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// fdEntry is one slot of an fd table.
type fdEntry struct {
	file    FileDescription
	cloexec bool
}

// FDTable maps fds to file descriptions. mu guards files.
type FDTable struct {
	mu    sync.Mutex
	files []fdEntry
	// Limit is RLIMIT_NOFILE's soft value; fds at or above it are refused.
	limit int
	// users counts the tasks sharing the table (CLONE_FILES).
	users int
	// hasLocks is set once the table owned a POSIX record lock
	// (lock.go): closing an fd releases the table's locks on its file.
	hasLocks atomic.Bool
}

// NewFDTable returns an empty table with one user.
func NewFDTable() *FDTable { return &FDTable{limit: 1024, users: 1} }

// IncUsers adds a task sharing the table.
func (t *FDTable) IncUsers() {
	t.mu.Lock()
	t.users++
	t.mu.Unlock()
}

// DecUsers drops a user; the last one closes every fd.
func (t *FDTable) DecUsers() {
	t.mu.Lock()
	t.users--
	last := t.users == 0
	t.mu.Unlock()
	if last {
		t.Release()
	}
}

// SetLimit sets the maximum fd number plus one.
func (t *FDTable) SetLimit(n int) {
	t.mu.Lock()
	t.limit = n
	t.mu.Unlock()
}

// Get returns the file at fd (with a reference the caller must drop) and its
// close-on-exec flag, or EBADF.
func (t *FDTable) Get(fd int32) (FileDescription, bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if fd < 0 || int(fd) >= len(t.files) || t.files[fd].file == nil {
		return nil, false, unix.EBADF
	}
	e := t.files[fd]
	e.file.IncRef()
	return e.file, e.cloexec, nil
}

// New installs f at the lowest free fd >= minFD, taking a new reference.
func (t *FDTable) New(minFD int32, f FileDescription, cloexec bool) (int32, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fd := int(minFD)
	for ; fd < len(t.files); fd++ {
		if t.files[fd].file == nil {
			break
		}
	}
	if fd >= t.limit {
		return -1, unix.EMFILE
	}
	t.setLocked(fd, f, cloexec)
	return int32(fd), nil
}

// Set installs f at fd, closing what was there (dup2 semantics).
func (t *FDTable) Set(fd int32, f FileDescription, cloexec bool) error {
	t.mu.Lock()
	if fd < 0 || int(fd) >= t.limit {
		t.mu.Unlock()
		return unix.EBADF
	}
	old := t.setLocked(int(fd), f, cloexec)
	t.mu.Unlock()
	if old != nil {
		t.closeLocks(old)
		old.DecRef()
	}
	return nil
}

func (t *FDTable) setLocked(fd int, f FileDescription, cloexec bool) FileDescription {
	for fd >= len(t.files) {
		t.files = append(t.files, fdEntry{})
	}
	old := t.files[fd].file
	f.IncRef()
	t.files[fd] = fdEntry{file: f, cloexec: cloexec}
	return old
}

// SetCloexec changes the close-on-exec flag of fd.
func (t *FDTable) SetCloexec(fd int32, cloexec bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if fd < 0 || int(fd) >= len(t.files) || t.files[fd].file == nil {
		return unix.EBADF
	}
	t.files[fd].cloexec = cloexec
	return nil
}

// Remove closes fd.
func (t *FDTable) Remove(fd int32) error {
	t.mu.Lock()
	if fd < 0 || int(fd) >= len(t.files) || t.files[fd].file == nil {
		t.mu.Unlock()
		return unix.EBADF
	}
	f := t.files[fd].file
	t.files[fd] = fdEntry{}
	t.mu.Unlock()
	t.closeLocks(f)
	f.DecRef()
	return nil
}

// CloseOnExec closes every close-on-exec fd.
func (t *FDTable) CloseOnExec() {
	t.mu.Lock()
	var closed []FileDescription
	for i := range t.files {
		if t.files[i].file != nil && t.files[i].cloexec {
			closed = append(closed, t.files[i].file)
			t.files[i] = fdEntry{}
		}
	}
	t.mu.Unlock()
	for _, f := range closed {
		t.closeLocks(f)
		f.DecRef()
	}
}

// Fork returns a copy of the table sharing the file descriptions.
func (t *FDTable) Fork() *FDTable {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := &FDTable{limit: t.limit, files: make([]fdEntry, len(t.files)), users: 1}
	copy(n.files, t.files)
	for _, e := range n.files {
		if e.file != nil {
			e.file.IncRef()
		}
	}
	return n
}

// Release closes every fd.
func (t *FDTable) Release() {
	t.mu.Lock()
	files := t.files
	t.files = nil
	t.mu.Unlock()
	if t.hasLocks.Load() {
		Locks.ReleaseOwner(t)
	}
	for _, e := range files {
		if e.file != nil {
			e.file.DecRef()
		}
	}
}

// Range calls fn for every open fd in order.
func (t *FDTable) Range(fn func(fd int32, f FileDescription, cloexec bool)) {
	t.mu.Lock()
	files := append([]fdEntry(nil), t.files...)
	t.mu.Unlock()
	for i, e := range files {
		if e.file != nil {
			fn(int32(i), e.file, e.cloexec)
		}
	}
}
