// Package memfile is the single memory file (a memfd) that backs all
// application memory. The sentry maps the whole file into its own address
// space, so copying to and from application memory is a plain memory copy;
// address spaces map ranges of it into the application.
//
// Pages are handed out by a simple allocator with a reference count per
// page, so copy-on-write and shared mappings can share pages. Freed pages
// are kept for reuse (and zeroed then) rather than returned to the host
// one by one: a hole punch per page costs a host system call, which made
// fork+exec three times slower. Reclaim returns free memory in bulk.
package memfile

import (
	"fmt"
	"sort"
	"sync"

	"golang.org/x/sys/unix"
)

// PageSize is the host page size.
const PageSize = 4096

// DefaultSize is the size of the memory file's reserved range (it is sparse:
// only pages in use take memory).
const DefaultSize = 64 << 30

// File is the memory file. mu guards the allocator state.
type File struct {
	fd   int
	data []byte // the sentry's mapping of the whole file
	size uint64

	mu sync.Mutex
	// next is the first never-allocated offset: memory above it is zero.
	next uint64
	// free holds freed runs (offset -> length); freeEnd maps a run's end
	// to its start for merging. Freed memory is dirty until reallocated.
	free    map[uint64]uint64
	freeEnd map[uint64]uint64
	// freeBytes is the total length of the free runs.
	freeBytes uint64
	// refs holds reference counts above one (absent means one while
	// allocated).
	refs map[uint64]int32
	used uint64
	// reclaimedFree is freeBytes after the last reclaim; reclaiming is set
	// while one runs (MaybeReclaim).
	reclaimedFree uint64
	reclaiming    bool
	// reclaimAt, if set, replaces reclaimThreshold (SetReclaimThreshold).
	reclaimAt uint64
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
	return &File{
		fd: fd, data: b, size: size, next: PageSize,
		free: map[uint64]uint64{}, freeEnd: map[uint64]uint64{}, refs: map[uint64]int32{},
	}, nil
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
	// Reuse a freed run when one fits (first fit), else take fresh memory.
	var off uint64
	found := false
	if f.freeBytes >= n {
		for o, l := range f.free {
			if l >= n {
				f.removeFree(o, l)
				if l > n {
					f.addFree(o+n, l-n)
				}
				off, found = o, true
				break
			}
		}
	}
	if !found {
		if f.next+n > f.size {
			f.mu.Unlock()
			return 0, unix.ENOMEM
		}
		off = f.next
		f.next += n
	}
	f.used += n
	f.mu.Unlock()
	if found {
		clear(f.data[off : off+n])
	}
	return off, nil
}

func (f *File) addFree(off, n uint64) {
	// Merge with neighbours.
	if s, ok := f.freeEnd[off]; ok {
		l := f.free[s]
		f.removeFree(s, l)
		off, n = s, l+n
	}
	if l, ok := f.free[off+n]; ok {
		f.removeFree(off+n, l)
		n += l
	}
	f.free[off] = n
	f.freeEnd[off+n] = off
	f.freeBytes += n
}

func (f *File) removeFree(off, n uint64) {
	delete(f.free, off)
	delete(f.freeEnd, off+n)
	f.freeBytes -= n
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
// zero return to the allocator.
func (f *File) DecRef(off, n uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	runStart, runLen := uint64(0), uint64(0)
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
		f.used -= PageSize
		if runLen > 0 && runStart+runLen == p {
			runLen += PageSize
			continue
		}
		if runLen > 0 {
			f.addFree(runStart, runLen)
		}
		runStart, runLen = p, PageSize
	}
	if runLen > 0 {
		f.addFree(runStart, runLen)
	}
}

// Reclaim returns the free runs of at least minRun bytes to the host (hole
// punching), and reports how many bytes it released.
func (f *File) Reclaim(minRun uint64) uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	var offs []uint64
	for o, l := range f.free {
		if l >= minRun {
			offs = append(offs, o)
		}
	}
	sort.Slice(offs, func(i, j int) bool { return offs[i] < offs[j] })
	var total uint64
	for _, o := range offs {
		l := f.free[o]
		if unix.Fallocate(f.fd, unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, int64(o), int64(l)) == nil {
			total += l
		}
	}
	return total
}

// Used returns the bytes currently allocated.
func (f *File) Used() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.used
}

func roundUp(n uint64) uint64 { return (n + PageSize - 1) &^ (PageSize - 1) }

// reclaimThreshold is how much freed (and not yet returned) memory makes
// MaybeReclaim return it to the host.
const reclaimThreshold = 256 << 20

// SetReclaimThreshold makes MaybeReclaim return freed memory to the host
// once n bytes accumulated, instead of reclaimThreshold. A sandbox under a
// host memory limit sets a fraction of the limit: memory its processes
// freed (one the host's OOM killer ended, say) then stops counting against
// the limit soon.
func (f *File) SetReclaimThreshold(n uint64) {
	f.mu.Lock()
	f.reclaimAt = n
	f.mu.Unlock()
}

// MaybeReclaim returns free memory to the host in the background when at
// least reclaimThreshold bytes were freed since the last time (a process
// exit calls it). Runs of 1 MiB or more are punched; smaller ones stay for
// reuse.
func (f *File) MaybeReclaim() {
	f.mu.Lock()
	at := uint64(reclaimThreshold)
	if f.reclaimAt != 0 {
		at = f.reclaimAt
	}
	due := f.freeBytes >= f.reclaimedFree+at && !f.reclaiming
	if due {
		f.reclaiming = true
	}
	f.mu.Unlock()
	if !due {
		return
	}
	go func() {
		f.Reclaim(1 << 20)
		f.mu.Lock()
		f.reclaimedFree = f.freeBytes
		f.reclaiming = false
		f.mu.Unlock()
	}()
}
