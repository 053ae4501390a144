// Package memfile is the single memory file (a memfd) that backs all
// application memory. The sentry maps the whole file into its own address
// space, so copying to and from application memory is a plain memory copy;
// address spaces map ranges of it into the application.
//
// Pages are handed out by a simple allocator with a reference count per
// page, so copy-on-write and shared mappings can share pages.
package memfile

import (
	"fmt"
	"sync"

	"golang.org/x/sys/unix"
)

// PageSize is the host page size.
const PageSize = 4096

// DefaultSize is the size of the memory file's reserved range (it is sparse:
// only pages in use take memory).
const DefaultSize = 64 << 30

// File is the memory file. mu guards the allocator state (next, free, refs).
type File struct {
	fd   int
	data []byte // the sentry's mapping of the whole file
	size uint64

	mu   sync.Mutex
	next uint64            // first never-allocated offset
	free map[uint64]uint64 // free runs: offset -> length
	refs map[uint64]int32  // page offset -> references (absent means 1 while allocated)
	used uint64            // bytes allocated
}

// New creates a memory file of the given reserved size.
func New(size uint64) (*File, error) {
	fd, err := unix.MemfdCreate("stockade-memory", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("memfd_create for application memory: %w", err)
	}
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("sizing the memory file: %w", err)
	}
	b, err := unix.Mmap(fd, 0, int(size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_NORESERVE)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("mapping the memory file into the sentry: %w", err)
	}
	return &File{fd: fd, data: b, size: size, next: PageSize, free: map[uint64]uint64{}, refs: map[uint64]int32{}}, nil
}

// FD returns the memory file's host file descriptor.
func (f *File) FD() int { return f.fd }

// Slice returns the sentry's view of [off, off+n). The slice aliases the file.
func (f *File) Slice(off, n uint64) []byte {
	if off+n > f.size {
		panic(fmt.Sprintf("memfile: slice %#x+%#x beyond %#x", off, n, f.size))
	}
	return f.data[off : off+n : off+n]
}

// Allocate returns n bytes (rounded up to pages) of zeroed memory with one
// reference on each page.
func (f *File) Allocate(n uint64) (uint64, error) {
	n = roundUp(n)
	f.mu.Lock()
	defer f.mu.Unlock()
	// First fit among freed runs.
	for off, l := range f.free {
		if l >= n {
			delete(f.free, off)
			if l > n {
				f.free[off+n] = l - n
			}
			f.used += n
			return off, nil
		}
	}
	if f.next+n > f.size {
		return 0, unix.ENOMEM
	}
	off := f.next
	f.next += n
	f.used += n
	return off, nil
}

// IncRef adds a reference to each page of [off, off+n).
func (f *File) IncRef(off, n uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for p := off; p < off+roundUp(n); p += PageSize {
		r, ok := f.refs[p]
		if !ok {
			r = 1
		}
		f.refs[p] = r + 1
	}
}

// RefCount returns the reference count of the page at off.
func (f *File) RefCount(off uint64) int32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.refs[off]; ok {
		return r
	}
	return 1
}

// DecRef drops a reference to each page of [off, off+n); pages that reach
// zero are returned to the host (hole punched) and to the allocator.
func (f *File) DecRef(off, n uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for p := off; p < off+roundUp(n); p += PageSize {
		if r, ok := f.refs[p]; ok && r > 1 {
			if r == 2 {
				delete(f.refs, p)
			} else {
				f.refs[p] = r - 1
			}
			continue
		}
		delete(f.refs, p)
		f.releasePage(p)
	}
}

// releasePage frees one page. f.mu must be held.
func (f *File) releasePage(p uint64) {
	unix.Fallocate(f.fd, unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, int64(p), PageSize)
	f.used -= PageSize
	// Merge with a following run and a preceding run when possible.
	l := uint64(PageSize)
	if nl, ok := f.free[p+PageSize]; ok {
		delete(f.free, p+PageSize)
		l += nl
	}
	f.free[p] = l
}

// Used returns the bytes currently allocated.
func (f *File) Used() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.used
}

func roundUp(n uint64) uint64 { return (n + PageSize - 1) &^ (PageSize - 1) }
