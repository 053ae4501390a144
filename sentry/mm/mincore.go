package mm

import "golang.org/x/sys/unix"

// Mincore implements mincore(2) for [addr, addr+length): one byte per
// page, 1 if the page is resident. Anonymous and private pages are
// resident once touched (backed by the memory file); file-backed pages
// count as resident (in the page cache) as they can be read without I/O
// the application sees. A page outside every mapping is ENOMEM; addr must
// be page-aligned (EINVAL).
func (m *MM) Mincore(addr, length uintptr) ([]byte, error) {
	if addr&(PageSize-1) != 0 {
		return nil, unix.EINVAL
	}
	end := pageUp(addr + length)
	if end < addr || end > m.maxAddr {
		return nil, unix.ENOMEM
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]byte, (end-addr)/PageSize)
	for a := addr; a < end; a += PageSize {
		i := m.findVMA(a)
		if i < 0 {
			return nil, unix.ENOMEM
		}
		v := m.vmas[i]
		if _, ok := m.pages[a]; ok || v.file != nil || v.shm != nil {
			out[(a-addr)/PageSize] = 1
		}
	}
	return out, nil
}
