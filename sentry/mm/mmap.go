package mm

import (
	"golang.org/x/sys/unix"

	"stockade.dev/platform"
)

// MMapOpts describes a mapping request.
type MMapOpts struct {
	// Addr is the requested address (a hint unless Fixed).
	Addr uintptr
	// Length is the mapping length in bytes (rounded up to pages).
	Length uintptr
	// Perms are the initial permissions; MaxPerms bounds later mprotect
	// (for files opened read-only and shared).
	Perms    platform.AccessType
	MaxPerms platform.AccessType
	// Fixed replaces anything at Addr; NoReplace fails with EEXIST instead.
	Fixed     bool
	NoReplace bool
	// Private is MAP_PRIVATE; otherwise MAP_SHARED.
	Private bool
	// GrowsDown marks a stack mapping.
	GrowsDown bool
	// File backs the mapping (nil for anonymous memory), from Offset.
	File     Mappable
	Offset   uint64
	Dev, Ino uint64
	// Name labels anonymous special mappings ("[stack]", "[heap]").
	Name string
	// Populate faults everything in now (MAP_POPULATE / MAP_LOCKED).
	Populate bool
}

// MMap creates a mapping and returns its address.
func (m *MM) MMap(o MMapOpts) (uintptr, error) {
	if o.Length == 0 {
		return 0, unix.EINVAL
	}
	length := pageUp(o.Length)
	if length < o.Length || length > m.maxAddr {
		return 0, unix.ENOMEM
	}
	if o.Offset&(PageSize-1) != 0 {
		return 0, unix.EINVAL
	}
	if o.MaxPerms == (platform.AccessType{}) {
		o.MaxPerms = platform.AnyAccess
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var addr uintptr
	switch {
	case o.Fixed || o.NoReplace:
		if o.Addr&(PageSize-1) != 0 {
			return 0, unix.EINVAL
		}
		if o.Addr+length > m.maxAddr || o.Addr+length < o.Addr {
			return 0, unix.ENOMEM
		}
		addr = o.Addr
		if o.NoReplace {
			if !m.rangeFree(addr, addr+length) {
				return 0, unix.EEXIST
			}
		} else {
			m.removeRange(addr, addr+length)
		}
	default:
		hint := pageDown(o.Addr)
		if hint != 0 && hint+length <= m.maxAddr && hint+length > hint && m.rangeFree(hint, hint+length) {
			addr = hint
		} else {
			a, ok := m.findGap(length, m.mmapBase)
			if !ok {
				return 0, unix.ENOMEM
			}
			addr = a
		}
	}
	v := &vma{
		start: addr, end: addr + length, perms: o.Perms, maxPerms: o.MaxPerms,
		private: o.Private, growsDown: o.GrowsDown, file: o.File, off: o.Offset,
		name: o.Name, dev: o.Dev, ino: o.Ino,
	}
	if !o.Private && o.File == nil {
		// Shared anonymous memory: reserve its pages now so every process
		// that inherits the mapping finds the same ones.
		off, err := m.mf.Allocate(uint64(length))
		if err != nil {
			return 0, unix.ENOMEM
		}
		v.shm = &sharedMem{off: off, length: uint64(length)}
	}
	m.insertVMA(v)
	if o.Populate {
		m.populateLocked(addr, addr+length)
	}
	return addr, nil
}

// Munmap removes mappings in [addr, addr+length).
func (m *MM) Munmap(addr, length uintptr) error {
	if addr&(PageSize-1) != 0 || length == 0 {
		return unix.EINVAL
	}
	end := pageUp(addr + length)
	if end < addr || end > m.maxAddr {
		return unix.EINVAL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removeRange(addr, end)
	return nil
}

// Mprotect changes permissions of [addr, addr+length).
func (m *MM) Mprotect(addr, length uintptr, perms platform.AccessType, growsDown bool) error {
	if addr&(PageSize-1) != 0 {
		return unix.EINVAL
	}
	end := pageUp(addr + length)
	if end < addr {
		return unix.ENOMEM
	}
	if length == 0 {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	// The whole range must be mapped.
	for a := addr; a < end; {
		i := m.findVMA(a)
		if i < 0 {
			return unix.ENOMEM
		}
		if !m.vmas[i].maxPerms.SupersetOf(perms) {
			return unix.EACCES
		}
		a = m.vmas[i].end
	}
	m.splitAt(addr)
	m.splitAt(end)
	for i := m.findVMA(addr); i >= 0 && i < len(m.vmas) && m.vmas[i].start < end; i++ {
		m.vmas[i].perms = perms
	}
	// Re-map the pages already present with the new permissions.
	m.remapLocked(addr, end)
	return nil
}

// remapLocked re-issues host mappings for the present pages of [start, end)
// according to their vma's current permissions.
func (m *MM) remapLocked(start, end uintptr) {
	if m.as == nil {
		return
	}
	m.as.Unmap(start, uint64(end-start))
	for a := start; a < end; a += PageSize {
		if p, ok := m.pages[a]; ok && p.mapped {
			p.mapped = false
			m.pages[a] = p
		}
	}
}

// Mremap implements mremap(2).
func (m *MM) Mremap(oldAddr, oldSize, newSize uintptr, mayMove, fixed bool, newAddr uintptr) (uintptr, error) {
	if oldAddr&(PageSize-1) != 0 || newSize == 0 {
		return 0, unix.EINVAL
	}
	oldSize = pageUp(oldSize)
	newSize = pageUp(newSize)
	m.mu.Lock()
	defer m.mu.Unlock()
	i := m.findVMA(oldAddr)
	if i < 0 {
		return 0, unix.EFAULT
	}
	v := m.vmas[i]
	if oldSize == 0 {
		return 0, unix.EINVAL // duplicating shared mappings: not supported
	}
	if oldAddr+oldSize > v.end {
		return 0, unix.EFAULT
	}
	if fixed {
		if !mayMove || newAddr&(PageSize-1) != 0 {
			return 0, unix.EINVAL
		}
	}
	if !fixed {
		if newSize <= oldSize {
			if newSize < oldSize {
				m.removeRange(oldAddr+newSize, oldAddr+oldSize)
			}
			return oldAddr, nil
		}
		// Grow in place when the vma ends here and the space after is free.
		if oldAddr+oldSize == v.end && oldAddr+newSize <= m.maxAddr && m.rangeFree(v.end, oldAddr+newSize) {
			v.end = oldAddr + newSize
			return oldAddr, nil
		}
		if !mayMove {
			return 0, unix.ENOMEM
		}
		a, ok := m.findGap(newSize, m.mmapBase)
		if !ok {
			return 0, unix.ENOMEM
		}
		newAddr = a
	} else {
		if newAddr+newSize > m.maxAddr || (newAddr < oldAddr+oldSize && oldAddr < newAddr+newSize) {
			return 0, unix.EINVAL
		}
		m.removeRange(newAddr, newAddr+newSize)
	}
	// Move: split out the old range, move its pages, and re-insert.
	m.splitAt(oldAddr)
	m.splitAt(oldAddr + oldSize)
	i = m.findVMA(oldAddr)
	ov := m.vmas[i]
	m.vmas = append(m.vmas[:i], m.vmas[i+1:]...)
	defer m.vmaUnref(ov)
	nv := *ov
	nv.start = newAddr
	nv.end = newAddr + newSize
	moved := min(oldSize, newSize)
	for a := uintptr(0); a < oldSize; a += PageSize {
		p, ok := m.pages[oldAddr+a]
		if !ok {
			continue
		}
		delete(m.pages, oldAddr+a)
		if a < moved {
			p.mapped = false
			m.pages[newAddr+a] = p
		} else {
			m.mf.DecRef(p.off, PageSize)
		}
	}
	if m.as != nil {
		m.as.Unmap(oldAddr, uint64(oldSize))
	}
	m.insertVMA(&nv)
	return newAddr, nil
}

// Madvise implements the advice that changes contents (MADV_DONTNEED,
// MADV_FREE, MADV_REMOVE); the rest are accepted hints.
func (m *MM) Madvise(addr, length uintptr, advice int) error {
	if addr&(PageSize-1) != 0 {
		return unix.EINVAL
	}
	end := pageUp(addr + length)
	m.mu.Lock()
	defer m.mu.Unlock()
	switch advice {
	case unix.MADV_DONTNEED, unix.MADV_FREE, unix.MADV_REMOVE:
		for a := addr; a < end; {
			i := m.findVMA(a)
			if i < 0 {
				if advice == unix.MADV_DONTNEED {
					return unix.ENOMEM
				}
				a += PageSize
				continue
			}
			v := m.vmas[i]
			e := min(v.end, end)
			if v.private || v.file == nil {
				m.dropPages(a, e)
				if m.as != nil {
					m.as.Unmap(a, uint64(e-a))
				}
			}
			a = e
		}
	}
	return nil
}

// Brk implements brk(2): it returns the new (or unchanged) break.
func (m *MM) Brk(addr uintptr) uintptr {
	m.mu.Lock()
	defer m.mu.Unlock()
	if addr < m.brkStart {
		return m.brk
	}
	oldEnd := pageUp(m.brk)
	newEnd := pageUp(addr)
	switch {
	case newEnd > oldEnd:
		if newEnd > m.maxAddr || !m.rangeFree(oldEnd, newEnd) {
			return m.brk
		}
		// Extend the heap vma (or create it).
		if i := m.findVMA(oldEnd - 1); i >= 0 && m.vmas[i].name == "[heap]" && m.vmas[i].end == oldEnd {
			m.vmas[i].end = newEnd
		} else {
			m.insertVMA(&vma{start: oldEnd, end: newEnd, perms: platform.ReadWrite, maxPerms: platform.AnyAccess, private: true, name: "[heap]"})
		}
	case newEnd < oldEnd:
		m.removeRange(newEnd, oldEnd)
	}
	m.brk = addr
	return m.brk
}

// SetBrk sets the initial program break (the page-aligned end of the
// executable's data, possibly randomised).
func (m *MM) SetBrk(start uintptr) {
	m.mu.Lock()
	m.brkStart = start
	m.brk = start
	m.mu.Unlock()
}

// UnmapHoles removes the inaccessible anonymous vmas left in [start, end)
// by a loader's address-range reservation.
func (m *MM) UnmapHoles(start, end uintptr) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var holes [][2]uintptr
	for _, v := range m.vmas {
		if v.start >= start && v.end <= end && v.file == nil && !v.perms.Any() && v.name == "" {
			holes = append(holes, [2]uintptr{v.start, v.end})
		}
	}
	for _, h := range holes {
		m.removeRange(h[0], h[1])
	}
}

// MappedBytes returns the total size of the address space's mappings
// (for RLIMIT_AS).
func (m *MM) MappedBytes() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n uint64
	for _, v := range m.vmas {
		n += uint64(v.end - v.start)
	}
	return n
}
