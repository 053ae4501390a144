package vfs

// CloseRange implements close_range(2) on [first, last]: it closes those
// fds, or with cloexec only marks them close-on-exec.
func (t *FDTable) CloseRange(first, last uint32, cloexec bool) {
	t.mu.Lock()
	var closed []FileDescription
	for fd := uint64(first); fd <= uint64(last) && fd < uint64(len(t.files)); fd++ {
		e := &t.files[fd]
		if e.file == nil {
			continue
		}
		if cloexec {
			e.cloexec = true
			continue
		}
		closed = append(closed, e.file)
		*e = fdEntry{}
	}
	t.mu.Unlock()
	for _, f := range closed {
		t.closeLocks(f)
		f.DecRef()
	}
}

// Users returns the number of tasks sharing the table.
func (t *FDTable) Users() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.users
}

// ForkExec returns the private copy of the table a process keeps across
// execve: unlike Fork's, it takes over the POSIX record locks of the old
// table when no other task shares it (locks survive exec).
func (t *FDTable) ForkExec() *FDTable {
	n := t.Fork()
	if t.hasLocks.Load() && t.Users() == 1 {
		Locks.TransferOwner(t, n)
		t.hasLocks.Store(false)
		n.hasLocks.Store(true)
	}
	return n
}
