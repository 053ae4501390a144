package mm

import (
	"errors"
	"log/slog"
	"os"

	"golang.org/x/sys/unix"

	"stockade.dev/platform"
)

// faultWindow is how much memory around a faulting page is made present and
// mapped at once: one fault costs a host round trip, so fewer, larger ones
// are cheaper.
const (
	faultWindowAnon = 16 * PageSize
	faultWindowFile = 64 * PageSize
)

// SEGV si_codes.
const (
	SegvMapErr = 1 // SEGV_MAPERR: no mapping at the address
	SegvAccErr = 2 // SEGV_ACCERR: mapping forbids the access
)

// ErrFaultRetry means the faulting page is mapped with its vma's
// permissions: the access may be invalid, or the fault raced with another
// thread mapping it. Retry the access; if it faults the same way again, it
// is invalid (SEGV_ACCERR).
var ErrFaultRetry = &FaultError{Code: SegvAccErr}

// BusAdrErr is BUS_ADRERR: an access to a file mapping beyond the file.
const BusAdrErr = 2

// FaultError is why a fault could not be resolved: the caller delivers
// SIGSEGV (or SIGBUS if Bus) with this si_code.
type FaultError struct {
	Code int
	Bus  bool
}

func (e *FaultError) Error() string {
	if e.Code == SegvAccErr {
		return "SEGV_ACCERR"
	}
	return "SEGV_MAPERR"
}

// HandleFault resolves an application fault at addr: it makes the pages
// present and maps them into the host address space. It returns a
// *FaultError when the access is invalid.
func (m *MM) HandleFault(addr uintptr, fi platform.FaultInfo) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := m.findVMA(addr)
	if i < 0 {
		return &FaultError{Code: SegvMapErr}
	}
	v := m.vmas[i]
	if !v.perms.Any() {
		return &FaultError{Code: SegvAccErr}
	}
	if fi.Known && !v.perms.SupersetOf(fi.Access) {
		return &FaultError{Code: SegvAccErr}
	}
	pg := pageDown(addr)
	if p, ok := m.pages[pg]; ok && p.mapped {
		if v.perms.Write && !p.writable {
			// A write to a page mapped read-only for copy-on-write (ptrace
			// cannot tell the access type: a second fault on a mapped page
			// of a writable vma is a write).
			return m.breakCOW(v, pg)
		}
		// Present with the vma's permissions. Either the access itself is
		// refused, or another thread of this address space mapped the page
		// between this thread's fault and now (ptrace does not tell the
		// access type). The caller retries once and reports SEGV_ACCERR
		// if the same access faults again.
		return ErrFaultRetry
	}
	window := uintptr(faultWindowAnon)
	if v.file != nil {
		window = faultWindowFile
	}
	ws := max(v.start, pg&^(window-1))
	we := min(v.end, (pg&^(window-1))+window)
	if err := m.makePresent(v, ws, we); err != nil {
		if v.file != nil && err == unix.EFAULT {
			return &FaultError{Code: BusAdrErr, Bus: true}
		}
		slog.Warn("out of application memory", "addr", addr, "err", err)
		return &FaultError{Code: SegvMapErr}
	}
	if _, ok := m.pages[pg]; !ok {
		// The file ends before this page: SIGBUS, as Linux.
		return &FaultError{Code: BusAdrErr, Bus: true}
	}
	return m.mapPresent(v, ws, we)
}

// makePresent allocates and fills the missing pages of [start, end) within
// v. m.mu must be held.
func (m *MM) makePresent(v *vma, start, end uintptr) error {
	var cache *fileCache
	var key FileKey
	if v.file != nil && v.private && !noCache {
		if c, ok := v.file.(Cacheable); ok {
			if k, ok := c.CacheKey(); ok {
				cache, key = cacheFor(m.mf), k
			}
		}
	}
	for a := start; a < end; {
		if _, ok := m.pages[a]; ok {
			a += PageSize
			continue
		}
		if cache != nil {
			idx := (v.off + uint64(a-v.start)) / PageSize
			if off, ok := cache.lookup(key, idx); ok {
				m.pages[a] = page{off: off}
				a += PageSize
				continue
			}
		}
		if pp, ok := v.file.(PageProvider); ok {
			idx := (v.off + uint64(a-v.start)) / PageSize
			off, err := pp.FilePage(idx)
			if err != nil {
				if a == start {
					return err
				}
				break // beyond EOF: map what we have
			}
			m.pages[a] = page{off: off}
			a += PageSize
			continue
		}
		// A run of missing pages.
		runEnd := a + PageSize
		for runEnd < end {
			if _, ok := m.pages[runEnd]; ok {
				break
			}
			runEnd += PageSize
		}
		n := uint64(runEnd - a)
		if v.shm != nil {
			base := v.shm.off + v.shmOff + uint64(a-v.start)
			m.mf.IncRef(base, n)
			for p := a; p < runEnd; p += PageSize {
				m.pages[p] = page{off: base + uint64(p-a)}
			}
			a = runEnd
			continue
		}
		off, err := m.mf.Allocate(n)
		if err != nil {
			return err
		}
		if v.file != nil {
			buf := m.mf.Slice(off, n)
			fileOff := v.off + uint64(a-v.start)
			got, _ := v.file.ReadAt(buf, int64(fileOff))
			if got < len(buf) {
				clear(buf[got:])
			}
			if cache != nil {
				// The cache takes references of its own on the pages it
				// stores; the allocation's stay with this mapping.
				cache.insert(key, fileOff/PageSize, off, int(n/PageSize))
			}
		}
		for p := a; p < runEnd; p += PageSize {
			m.pages[p] = page{off: off + uint64(p-a)}
		}
		a = runEnd
	}
	return nil
}

// pagePerms returns the host permissions of the present page p in v: a
// private page shared with another address space is mapped read-only so
// that writes fault and copy it.
func (m *MM) pagePerms(v *vma, p page) platform.AccessType {
	perms := v.perms
	if perms.Write && v.private && m.mf.RefCount(p.off) > 1 {
		perms.Write = false
	}
	return perms
}

// mapPresent maps the present, unmapped pages of [start, end) (all within
// v) into the host, in runs contiguous in the memory file with the same
// permissions. m.mu must be held.
func (m *MM) mapPresent(v *vma, start, end uintptr) error {
	if m.as == nil {
		return nil
	}
	for a := start; a < end; {
		p, ok := m.pages[a]
		if !ok || p.mapped {
			a += PageSize
			continue
		}
		perms := m.pagePerms(v, p)
		runEnd := a + PageSize
		for runEnd < end {
			q, ok := m.pages[runEnd]
			if !ok || q.mapped || q.off != p.off+uint64(runEnd-a) || m.pagePerms(v, q) != perms {
				break
			}
			runEnd += PageSize
		}
		fr := platform.FileRange{Offset: p.off, Length: uint64(runEnd - a)}
		if err := m.as.MapFile(a, fr, perms, false); err != nil {
			slog.Error("mapping application memory into the stub failed", "addr", a, "err", err)
			if errors.Is(err, platform.ErrContextKilled) {
				return err
			}
			return &FaultError{Code: SegvMapErr}
		}
		for q := a; q < runEnd; q += PageSize {
			pp := m.pages[q]
			pp.mapped = true
			pp.writable = perms.Write
			m.pages[q] = pp
		}
		a = runEnd
	}
	return nil
}

// breakCOW gives the address space its own copy of the private page at pg
// (if it shares it) and maps it writable. m.mu must be held.
func (m *MM) breakCOW(v *vma, pg uintptr) error {
	p := m.pages[pg]
	if m.mf.RefCount(p.off) > 1 {
		off, err := m.mf.Allocate(PageSize)
		if err != nil {
			return &FaultError{Code: SegvMapErr}
		}
		copy(m.mf.Slice(off, PageSize), m.mf.Slice(p.off, PageSize))
		m.mf.DecRef(p.off, PageSize)
		p.off = off
	}
	if m.as != nil {
		if err := m.as.MapFile(pg, platform.FileRange{Offset: p.off, Length: PageSize}, v.perms, false); err != nil {
			if errors.Is(err, platform.ErrContextKilled) {
				return err
			}
			return &FaultError{Code: SegvMapErr}
		}
	}
	p.mapped, p.writable = m.as != nil, v.perms.Write
	m.pages[pg] = p
	return nil
}

// populateLocked makes [start, end) present and mapped. m.mu must be held.
func (m *MM) populateLocked(start, end uintptr) {
	for a := start; a < end; {
		i := m.findVMA(a)
		if i < 0 {
			a += PageSize
			continue
		}
		v := m.vmas[i]
		e := min(v.end, end)
		if v.perms.Any() {
			if m.makePresent(v, a, e) == nil {
				m.mapPresent(v, a, e)
			}
		}
		a = e
	}
}

// translate returns the memory-file offset of the page containing addr,
// making it present if its vma allows the access. m.mu must be held.
func (m *MM) translate(addr uintptr, write bool) (uint64, error) {
	pg := pageDown(addr)
	i := m.findVMA(pg)
	if i < 0 {
		return 0, unix.EFAULT
	}
	v := m.vmas[i]
	if write && !v.perms.Write || !write && !v.perms.Read && !v.perms.Execute {
		return 0, unix.EFAULT
	}
	if p, ok := m.pages[pg]; ok {
		if write && v.private && m.mf.RefCount(p.off) > 1 {
			return m.copyForSentryWrite(pg, p)
		}
		return p.off, nil
	}
	window := uintptr(faultWindowAnon)
	if v.file != nil {
		window = faultWindowFile
	}
	ws := max(v.start, pg&^(window-1))
	we := min(v.end, (pg&^(window-1))+window)
	if err := m.makePresent(v, ws, we); err != nil {
		return 0, unix.EFAULT
	}
	return m.pages[pg].off, nil
}

// copyForSentryWrite breaks copy-on-write for a write by the sentry itself
// (CopyOut into a shared private page): the page gets its own copy and the
// host mapping of the old one is dropped. m.mu must be held.
func (m *MM) copyForSentryWrite(pg uintptr, p page) (uint64, error) {
	off, err := m.mf.Allocate(PageSize)
	if err != nil {
		return 0, unix.EFAULT
	}
	copy(m.mf.Slice(off, PageSize), m.mf.Slice(p.off, PageSize))
	m.mf.DecRef(p.off, PageSize)
	if p.mapped && m.as != nil {
		m.as.Unmap(pg, PageSize)
	}
	m.pages[pg] = page{off: off}
	return off, nil
}

var noCache = os.Getenv("STOCKADE_NO_FILE_CACHE") != ""
