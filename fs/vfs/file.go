// Package vfs is the core of the sentry's file system layer: open file
// descriptions, the per-process fd table and the interfaces filesystems
// implement.
//
// This first version resolves paths on a single host-backed root (fs/host);
// mounts, the in-sentry filesystems and the gofer replace that root later
// behind the same FileDescription interface.
package vfs

import (
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Memory is application memory, for ioctls that read or write structures.
type Memory interface {
	CopyIn(addr uintptr, dst []byte) (int, error)
	CopyOut(addr uintptr, src []byte) (int, error)
}

// FileDescription is an open file description: what an fd refers to. One
// description may be shared by several fds (dup) and processes (fork).
type FileDescription interface {
	// Read reads into dst. off < 0 means at (and advancing) the file offset.
	Read(dst [][]byte, off int64) (int, error)
	// Write writes src. off < 0 means at the file offset (or the end with
	// O_APPEND).
	Write(src [][]byte, off int64) (int, error)
	// Seek implements lseek.
	Seek(off int64, whence int) (int64, error)
	// Stat fills st.
	Stat(st *unix.Stat_t) error
	// Getdents fills buf with linux_dirent64 records.
	Getdents(buf []byte) (int, error)
	// Ioctl implements ioctl(2).
	Ioctl(m Memory, req, arg uintptr) (uintptr, error)
	// ReadAt reads at an absolute offset, for mmap.
	ReadAt(p []byte, off int64) (int, error)
	// StatusFlags returns the O_* status flags (access mode included).
	StatusFlags() uint32
	// SetStatusFlags sets O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT, O_NOATIME.
	SetStatusFlags(flags uint32) error
	// Name is the path shown for the file (readlink of /proc/self/fd/N).
	Name() string
	// HostFD returns the host fd backing the file, or -1.
	HostFD() int
	// IncRef adds a reference; DecRef drops one and releases the file at zero.
	IncRef()
	DecRef()
}

// RefCount implements IncRef/DecRef for file descriptions: embed it and set
// Release.
type RefCount struct {
	refs atomic.Int64
	// Release runs when the last reference is dropped.
	Release func()
	// hasLocks is set once the description took an advisory lock
	// (lock.go): they are released with the last reference.
	hasLocks atomic.Bool
	// closeNotice, if set, reports the close to inotify (notify.go).
	closeNotice *closeNotice
}

// InitRefs sets the count to one.
func (r *RefCount) InitRefs() { r.refs.Store(1) }

// IncRef adds a reference.
func (r *RefCount) IncRef() { r.refs.Add(1) }

// DecRef drops a reference and calls Release at zero.
func (r *RefCount) DecRef() {
	if r.refs.Add(-1) == 0 {
		if r.closeNotice != nil {
			r.closeNotice.fire()
		}
		r.releaseLocks()
		if r.Release != nil {
			r.Release()
		}
	}
}

// NoIO provides default answers for file descriptions without some
// operations; embed it and override.
type NoIO struct{}

// Read implements FileDescription.
func (NoIO) Read([][]byte, int64) (int, error) { return 0, unix.EINVAL }

// Write implements FileDescription.
func (NoIO) Write([][]byte, int64) (int, error) { return 0, unix.EINVAL }

// Seek implements FileDescription.
func (NoIO) Seek(int64, int) (int64, error) { return 0, unix.ESPIPE }

// Getdents implements FileDescription.
func (NoIO) Getdents([]byte) (int, error) { return 0, unix.ENOTDIR }

// Ioctl implements FileDescription.
func (NoIO) Ioctl(Memory, uintptr, uintptr) (uintptr, error) { return 0, unix.ENOTTY }

// ReadAt implements FileDescription.
func (NoIO) ReadAt([]byte, int64) (int, error) { return 0, unix.ENODEV }

// HostFD implements FileDescription.
func (NoIO) HostFD() int { return -1 }
