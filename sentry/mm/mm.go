// Package mm is the per-process memory manager: the VMAs an application asked
// for (mmap, brk, the stack), the pages of the memory file that back them,
// and the host address space that mirrors them. Pages are allocated and
// mapped lazily on faults; the sentry reads and writes application memory
// through its own mapping of the memory file.
//
// Locking: MM.mu guards vmas, pages, brk and the address-space state. It is
// held across calls into the platform's AddressSpace (which inject host
// system calls into the stub) and across copies; nothing is called back into
// mm with it held.
package mm

import (
	"fmt"
	"sort"
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/platform"
	"stockade.dev/sentry/memfile"
)

// PageSize is the application page size.
const PageSize = memfile.PageSize

// Mappable is a file that can back a private mapping: its bytes are copied
// into fresh pages when the application first touches them.
type Mappable interface {
	// ReadAt reads file contents at off; short reads past EOF are fine.
	ReadAt(p []byte, off int64) (int, error)
	// MappableName is the path shown in /proc/[pid]/maps.
	MappableName() string
	// IncRef and DecRef keep the file open while a vma maps it.
	IncRef()
	DecRef()
}

// PageProvider is a file whose contents live in the memory file (tmpfs,
// memfd): mappings use its pages directly, so a MAP_SHARED mapping and
// read/write(2) see the same bytes, and a private mapping shares them
// copy-on-write.
type PageProvider interface {
	Mappable
	// FilePage returns the memory-file offset of page idx of the file with
	// a new reference for the caller, allocating the page if needed.
	// Beyond the end of the file it returns EFAULT (the access faults).
	FilePage(idx uint64) (uint64, error)
}

// vma is one virtual memory area: [start, end) with uniform attributes.
type vma struct {
	start, end uintptr
	perms      platform.AccessType
	maxPerms   platform.AccessType
	private    bool
	growsDown  bool
	file       Mappable // nil for anonymous memory
	off        uint64   // file offset of start
	name       string   // "[heap]", "[stack]" ...
	dev, ino   uint64   // identity of file, for /proc/maps
	// shm backs shared anonymous memory: page a of the vma is
	// shm.off + shmOff + (a - start).
	shm    *sharedMem
	shmOff uint64
}

// sharedMem is a range of the memory file backing MAP_SHARED|MAP_ANONYMOUS
// memory, shared by every vma (in every process) mapping it. It holds one
// reference on each page of the range; refs counts the vmas using it.
type sharedMem struct {
	off, length uint64
	refs        int
}

// page is one application page backed by the memory file.
type page struct {
	off uint64 // memory-file offset
	// mapped reports whether the host address space maps this page;
	// writable whether that mapping allows writes (a private page shared
	// copy-on-write is mapped read-only).
	mapped   bool
	writable bool
}

// MM is one application address space.
type MM struct {
	mf      *memfile.File
	maxAddr uintptr

	mu sync.Mutex
	// users counts the tasks using the address space (CLONE_VM shares it).
	users    int
	as       platform.AddressSpace
	vmas     []*vma // sorted by start, non-overlapping
	pages    map[uintptr]page
	brkStart uintptr
	brk      uintptr
	mmapBase uintptr
	// stackTop is the top of the initial stack.
	stackTop uintptr
	// Argv/env ranges for /proc/self/cmdline and environ.
	ArgvStart, ArgvEnd, EnvvStart, EnvvEnd uintptr
	// Auxv is a copy of the auxiliary vector.
	Auxv []uint64
	// Executable is the path of the main program, for /proc/self/exe.
	Executable string
}

// New returns an empty memory manager over as. Addresses at or above maxAddr
// are not available to the application.
func New(mf *memfile.File, as platform.AddressSpace, maxAddr uintptr) *MM {
	return &MM{mf: mf, as: as, maxAddr: maxAddr, pages: map[uintptr]page{}, users: 1}
}

// IncUsers adds a task using the address space.
func (m *MM) IncUsers() {
	m.mu.Lock()
	m.users++
	m.mu.Unlock()
}

// DecUsers drops a user. The calling task stops using the host address
// space; the last user releases everything.
func (m *MM) DecUsers() {
	m.mu.Lock()
	m.users--
	last := m.users == 0
	as := m.as
	m.mu.Unlock()
	if last {
		m.Release()
		return
	}
	if tas, ok := as.(platform.ThreadedAddressSpace); ok {
		tas.DetachCaller()
	}
}

// vmaRef takes the references a new vma holds.
func vmaRef(v *vma) {
	if v.file != nil {
		v.file.IncRef()
	}
	if v.shm != nil {
		v.shm.refs++
	}
}

// vmaUnref drops them.
func (m *MM) vmaUnref(v *vma) {
	if v.file != nil {
		v.file.DecRef()
	}
	if v.shm != nil {
		v.shm.refs--
		if v.shm.refs == 0 {
			m.mf.DecRef(v.shm.off, v.shm.length)
		}
	}
}

// MaxAddr returns the end of the usable range.
func (m *MM) MaxAddr() uintptr { return m.maxAddr }

// SetMmapBase sets where top-down mmap placement starts.
func (m *MM) SetMmapBase(b uintptr) {
	m.mu.Lock()
	m.mmapBase = b
	m.mu.Unlock()
}

// SetStackTop records the top of the initial stack.
func (m *MM) SetStackTop(t uintptr) { m.stackTop = t }

// AddressSpace returns the platform address space.
func (m *MM) AddressSpace() platform.AddressSpace { return m.as }

// CurrentAddressSpace is AddressSpace for observers on other goroutines
// (ps): it may be nil, before a forked child has its own.
func (m *MM) CurrentAddressSpace() platform.AddressSpace {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.as
}

// Release unmaps everything and frees the pages and the host address space.
func (m *MM) Release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for addr, p := range m.pages {
		m.mf.DecRef(p.off, PageSize)
		delete(m.pages, addr)
	}
	for _, v := range m.vmas {
		m.vmaUnref(v)
	}
	m.vmas = nil
	if m.as != nil {
		m.as.Release()
		m.as = nil
	}
}

func pageDown(a uintptr) uintptr { return a &^ (PageSize - 1) }
func pageUp(a uintptr) uintptr   { return (a + PageSize - 1) &^ (PageSize - 1) }

// findVMA returns the index of the vma containing addr, or -1.
func (m *MM) findVMA(addr uintptr) int {
	i := sort.Search(len(m.vmas), func(i int) bool { return m.vmas[i].end > addr })
	if i < len(m.vmas) && m.vmas[i].start <= addr {
		return i
	}
	return -1
}

// splitAt splits the vma containing addr so that a vma starts at addr.
func (m *MM) splitAt(addr uintptr) {
	i := m.findVMA(addr)
	if i < 0 || m.vmas[i].start == addr {
		return
	}
	v := m.vmas[i]
	nv := *v
	nv.start = addr
	if nv.file != nil {
		nv.off += uint64(addr - v.start)
	}
	if nv.shm != nil {
		nv.shmOff += uint64(addr - v.start)
	}
	vmaRef(&nv)
	v.end = addr
	m.vmas = append(m.vmas, nil)
	copy(m.vmas[i+2:], m.vmas[i+1:])
	m.vmas[i+1] = &nv
}

// removeRange drops vmas and pages in [start, end) and unmaps them on the
// host.
func (m *MM) removeRange(start, end uintptr) {
	m.splitAt(start)
	m.splitAt(end)
	out := m.vmas[:0]
	for _, v := range m.vmas {
		if v.start >= start && v.end <= end {
			m.dropPages(v.start, v.end)
			m.vmaUnref(v)
			continue
		}
		out = append(out, v)
	}
	for i := len(out); i < len(m.vmas); i++ {
		m.vmas[i] = nil
	}
	m.vmas = out
	if m.as != nil {
		m.as.Unmap(start, uint64(end-start))
	}
}

// dropPages frees the pages backing [start, end).
func (m *MM) dropPages(start, end uintptr) {
	if uintptr(len(m.pages)) < (end-start)/PageSize {
		for a, p := range m.pages {
			if a >= start && a < end {
				m.mf.DecRef(p.off, PageSize)
				delete(m.pages, a)
			}
		}
		return
	}
	for a := start; a < end; a += PageSize {
		if p, ok := m.pages[a]; ok {
			m.mf.DecRef(p.off, PageSize)
			delete(m.pages, a)
		}
	}
}

// insertVMA adds v, taking a reference on its file; the range must be free.
func (m *MM) insertVMA(v *vma) {
	vmaRef(v)
	i := sort.Search(len(m.vmas), func(i int) bool { return m.vmas[i].start >= v.end })
	m.vmas = append(m.vmas, nil)
	copy(m.vmas[i+1:], m.vmas[i:])
	m.vmas[i] = v
}

// rangeFree reports whether no vma intersects [start, end).
func (m *MM) rangeFree(start, end uintptr) bool {
	i := sort.Search(len(m.vmas), func(i int) bool { return m.vmas[i].end > start })
	return i == len(m.vmas) || m.vmas[i].start >= end
}

// findGap returns the highest free range of length n ending at or below top.
func (m *MM) findGap(n, top uintptr) (uintptr, bool) {
	if top > m.maxAddr {
		top = m.maxAddr
	}
	end := top
	for i := len(m.vmas) - 1; i >= -1; i-- {
		var lo uintptr = PageSize * 16 // never hand out the lowest pages
		if i >= 0 {
			v := m.vmas[i]
			if v.start >= end {
				continue
			}
			lo = v.end
		}
		if end > lo && end-lo >= n {
			return end - n, true
		}
		if i >= 0 {
			end = m.vmas[i].start
		}
	}
	return 0, false
}

// findGapUp returns the lowest free range of length n at or above bottom.
func (m *MM) findGapUp(n, bottom uintptr) (uintptr, bool) {
	start := bottom
	for _, v := range m.vmas {
		if v.end <= start {
			continue
		}
		if v.start >= start+n {
			break
		}
		start = v.end
	}
	if start+n <= m.maxAddr && start+n > start {
		return start, true
	}
	return 0, false
}

// String renders the vmas (for debugging).
func (m *MM) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := ""
	for _, v := range m.vmas {
		s += fmt.Sprintf("%x-%x %v %s\n", v.start, v.end, v.perms, v.name)
	}
	return s
}

// errFault is returned for accesses outside valid memory.
var errFault = unix.EFAULT

// SetAddressSpace installs the host address space of a forked MM (created
// by the child's own goroutine, which will drive it).
func (m *MM) SetAddressSpace(as platform.AddressSpace) {
	m.mu.Lock()
	m.as = as
	m.mu.Unlock()
}

// Fork returns a copy-on-write copy of m without a host address space
// (see SetAddressSpace). Private pages are shared read-only until written;
// shared mappings stay shared.
func (m *MM) Fork() *MM {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := New(m.mf, nil, m.maxAddr)
	n.brkStart, n.brk, n.mmapBase, n.stackTop = m.brkStart, m.brk, m.mmapBase, m.stackTop
	n.ArgvStart, n.ArgvEnd, n.EnvvStart, n.EnvvEnd = m.ArgvStart, m.ArgvEnd, m.EnvvStart, m.EnvvEnd
	n.Auxv, n.Executable = m.Auxv, m.Executable
	for _, v := range m.vmas {
		nv := *v
		vmaRef(&nv)
		n.vmas = append(n.vmas, &nv)
	}
	// Share every present page; the parent's writable private pages become
	// read-only on the host so its next write copies them.
	var protect []uintptr
	for addr, p := range m.pages {
		m.mf.IncRef(p.off, PageSize)
		n.pages[addr] = page{off: p.off}
		if p.mapped && p.writable {
			if i := m.findVMA(addr); i >= 0 && m.vmas[i].private {
				protect = append(protect, addr)
				p.writable = false
				m.pages[addr] = p
			}
		}
	}
	if len(protect) > 0 && m.as != nil {
		tas, _ := m.as.(platform.ThreadedAddressSpace)
		sort.Slice(protect, func(i, j int) bool { return protect[i] < protect[j] })
		for i := 0; i < len(protect); {
			j := i + 1
			vi := m.findVMA(protect[i])
			for j < len(protect) && protect[j] == protect[j-1]+PageSize && protect[j] < m.vmas[vi].end {
				j++
			}
			perms := m.vmas[vi].perms
			perms.Write = false
			if tas != nil {
				tas.Protect(protect[i], uint64(j-i)*PageSize, perms)
			} else {
				m.as.Unmap(protect[i], uint64(j-i)*PageSize)
				for _, a := range protect[i:j] {
					p := m.pages[a]
					p.mapped = false
					m.pages[a] = p
				}
			}
			i = j
		}
	}
	return n
}
