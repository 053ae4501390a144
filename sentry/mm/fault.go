package mm

import (
	"log/slog"

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

// FaultError is why a fault could not be resolved: the caller delivers
// SIGSEGV with this si_code.
type FaultError struct{ Code int }

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
		return &FaultError{SegvMapErr}
	}
	v := m.vmas[i]
	if !v.perms.Any() {
		return &FaultError{SegvAccErr}
	}
	if fi.Known && !v.perms.SupersetOf(fi.Access) {
		return &FaultError{SegvAccErr}
	}
	pg := pageDown(addr)
	if p, ok := m.pages[pg]; ok && p.mapped {
		// Present with the vma's permissions: the access itself is refused.
		return &FaultError{SegvAccErr}
	}
	window := uintptr(faultWindowAnon)
	if v.file != nil {
		window = faultWindowFile
	}
	ws := max(v.start, pg&^(window-1))
	we := min(v.end, (pg&^(window-1))+window)
	if err := m.makePresent(v, ws, we); err != nil {
		slog.Warn("out of application memory", "addr", addr, "err", err)
		return &FaultError{SegvMapErr}
	}
	return m.mapPresent(v, ws, we)
}

// makePresent allocates and fills the missing pages of [start, end) within
// v. m.mu must be held.
func (m *MM) makePresent(v *vma, start, end uintptr) error {
	for a := start; a < end; {
		if _, ok := m.pages[a]; ok {
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
		}
		for p := a; p < runEnd; p += PageSize {
			m.pages[p] = page{off: off + uint64(p-a)}
		}
		a = runEnd
	}
	return nil
}

// mapPresent maps the present, unmapped pages of [start, end) (all within
// v) into the host, in runs contiguous in the memory file. m.mu must be held.
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
		runEnd := a + PageSize
		for runEnd < end {
			q, ok := m.pages[runEnd]
			if !ok || q.mapped || q.off != p.off+uint64(runEnd-a) {
				break
			}
			runEnd += PageSize
		}
		fr := platform.FileRange{Offset: p.off, Length: uint64(runEnd - a)}
		if err := m.as.MapFile(a, fr, v.perms, false); err != nil {
			slog.Error("mapping application memory into the stub failed", "addr", a, "err", err)
			return &FaultError{SegvMapErr}
		}
		for q := a; q < runEnd; q += PageSize {
			pp := m.pages[q]
			pp.mapped = true
			m.pages[q] = pp
		}
		a = runEnd
	}
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
