package mm

// This file holds the read-only views /proc needs of an address space
// (/proc/[pid]/maps, smaps_rollup, statm, status, stat). They may be
// called from any goroutine.

// VMAInfo describes one mapping as /proc/[pid]/maps shows it.
type VMAInfo struct {
	Start, End        uintptr
	Read, Write, Exec bool
	Private           bool
	GrowsDown         bool
	Offset            uint64
	Dev, Ino          uint64
	// Name is the mapped file's path, or "[heap]", "[stack]", or "".
	Name string
	// File reports a file mapping; Shmem shared anonymous memory.
	File, Shmem bool
	// Resident is the number of bytes backed by pages now.
	Resident uint64
	// Mappable is the mapped file (nil for anonymous memory), to name it
	// by its place in the tree; the VMA's reference is not extended.
	Mappable Mappable
}

// VMAs returns the mappings in address order.
func (m *MM) VMAs() []VMAInfo {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]VMAInfo, len(m.vmas))
	for i, v := range m.vmas {
		vi := VMAInfo{
			Start: v.start, End: v.end,
			Read: v.perms.Read, Write: v.perms.Write, Exec: v.perms.Execute,
			Private: v.private, GrowsDown: v.growsDown,
			Dev: v.dev, Ino: v.ino, Name: v.name,
			File: v.file != nil, Shmem: v.shm != nil, Mappable: v.file,
		}
		if v.file != nil {
			vi.Offset = v.off
			if n := v.file.MappableName(); n != "" {
				vi.Name = n
			}
		}
		out[i] = vi
	}
	// Count resident pages per vma: walk the smaller of the page map and
	// the address ranges.
	var total uintptr
	for _, v := range m.vmas {
		total += (v.end - v.start) / PageSize
	}
	if uintptr(len(m.pages)) < total {
		for a := range m.pages {
			if i := m.findVMA(a); i >= 0 {
				out[i].Resident += PageSize
			}
		}
	} else {
		for i, v := range m.vmas {
			for a := v.start; a < v.end; a += PageSize {
				if _, ok := m.pages[a]; ok {
					out[i].Resident += PageSize
				}
			}
		}
	}
	return out
}

// Usage is an address space's memory use in bytes, as /proc/[pid]/status
// (VmSize, VmRSS ...) and statm report it.
type Usage struct {
	VSize                      uint64
	RSS                        uint64
	RSSAnon, RSSFile, RSSShmem uint64
	// Data is private writable memory that is not stack; Stack the stack;
	// Exe the executable's code; Lib other executable file mappings.
	Data, Stack, Exe, Lib uint64
}

// Usage returns the address space's memory use.
func (m *MM) Usage() Usage {
	var u Usage
	vmas := m.VMAs()
	// The executable is the lowest file mapping (ELF programs load below
	// their libraries and the interpreter).
	var exeDev, exeIno uint64
	for _, v := range vmas {
		if v.File {
			exeDev, exeIno = v.Dev, v.Ino
			break
		}
	}
	for _, v := range vmas {
		size := uint64(v.End - v.Start)
		u.VSize += size
		u.RSS += v.Resident
		switch {
		case v.Shmem:
			u.RSSShmem += v.Resident
		case v.File:
			u.RSSFile += v.Resident
		default:
			u.RSSAnon += v.Resident
		}
		switch {
		case v.GrowsDown:
			u.Stack += size
		case v.Write && v.Private:
			u.Data += size
		case v.Exec && v.File && v.Dev == exeDev && v.Ino == exeIno:
			u.Exe += size
		case v.Exec && v.File:
			u.Lib += size
		}
	}
	return u
}

// BrkRange returns the start and the current end of the heap.
func (m *MM) BrkRange() (start, end uintptr) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.brkStart, m.brk
}

// StackTop returns the top of the initial stack.
func (m *MM) StackTop() uintptr {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stackTop
}

// ReadRange reads application memory [start, end) as far as it is
// readable (/proc/[pid]/cmdline and environ), at most max bytes.
func (m *MM) ReadRange(start, end uintptr, max int) []byte {
	if end <= start {
		return nil
	}
	n := min(int(end-start), max)
	b := make([]byte, n)
	got, _ := m.CopyIn(start, b)
	return b[:got]
}
