package mm

import (
	"bytes"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Blocks appends to dst the sentry's views of application memory
// [addr, addr+n), page run by page run, for zero-copy I/O, and returns them.
// write says the sentry will write into them (the application reads). If
// only a prefix is accessible, the blocks cover that prefix; if none is, it
// returns EFAULT.
func (m *MM) Blocks(dst [][]byte, addr uintptr, n int, write bool) ([][]byte, error) {
	if n == 0 {
		return dst, nil
	}
	if addr+uintptr(n) < addr {
		return dst, unix.EFAULT
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	start := len(dst)
	var runOff uint64
	for n > 0 {
		off, err := m.translate(addr, write)
		if err != nil {
			if len(dst) == start {
				return dst, err
			}
			return dst, nil
		}
		inPage := int(PageSize - addr&(PageSize-1))
		l := min(inPage, n)
		fo := off + uint64(addr&(PageSize-1))
		if len(dst) > start && fo == runOff+uint64(len(dst[len(dst)-1])) {
			k := len(dst) - 1
			dst[k] = m.mf.Slice(runOff, uint64(len(dst[k])+l))
		} else {
			runOff = fo
			dst = append(dst, m.mf.Slice(fo, uint64(l)))
		}
		addr += uintptr(l)
		n -= l
	}
	return dst, nil
}

// CopyIn copies len(dst) bytes from application address addr. It returns
// the bytes copied and EFAULT if not all could be.
func (m *MM) CopyIn(addr uintptr, dst []byte) (int, error) {
	return m.copy(addr, dst, false)
}

// CopyOut copies src to application address addr.
func (m *MM) CopyOut(addr uintptr, src []byte) (int, error) {
	return m.copy(addr, src, true)
}

func (m *MM) copy(addr uintptr, b []byte, out bool) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if addr+uintptr(len(b)) < addr {
		return 0, unix.EFAULT
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	done := 0
	for done < len(b) {
		off, err := m.translate(addr, out)
		if err != nil {
			return done, unix.EFAULT
		}
		po := addr & (PageSize - 1)
		l := min(int(PageSize-po), len(b)-done)
		mem := m.mf.Slice(off+uint64(po), uint64(l))
		if out {
			copy(mem, b[done:done+l])
		} else {
			copy(b[done:done+l], mem)
		}
		done += l
		addr += uintptr(l)
	}
	return done, nil
}

// ZeroOut writes n zero bytes at addr.
func (m *MM) ZeroOut(addr uintptr, n int) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	done := 0
	for done < n {
		off, err := m.translate(addr, true)
		if err != nil {
			return done, unix.EFAULT
		}
		po := addr & (PageSize - 1)
		l := min(int(PageSize-po), n-done)
		clear(m.mf.Slice(off+uint64(po), uint64(l)))
		done += l
		addr += uintptr(l)
	}
	return done, nil
}

// CopyInString reads a NUL-terminated string of at most maxLen bytes
// (excluding the NUL). It returns ENAMETOOLONG if no NUL is found in time.
func (m *MM) CopyInString(addr uintptr, maxLen int) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []byte
	for len(out) < maxLen+1 {
		off, err := m.translate(addr, false)
		if err != nil {
			return "", unix.EFAULT
		}
		po := addr & (PageSize - 1)
		l := min(int(PageSize-po), maxLen+1-len(out))
		mem := m.mf.Slice(off+uint64(po), uint64(l))
		if i := bytes.IndexByte(mem, 0); i >= 0 {
			if out == nil {
				return string(mem[:i]), nil
			}
			out = append(out, mem[:i]...)
			return string(out), nil
		}
		out = append(out, mem...)
		addr += uintptr(l)
	}
	return "", unix.ENAMETOOLONG
}

// ZeroOutForce writes n zero bytes at addr regardless of the mapping's
// permissions (the loader clearing .bss in a read-only segment).
func (m *MM) ZeroOutForce(addr uintptr, n int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for n > 0 {
		pg := pageDown(addr)
		i := m.findVMA(pg)
		if i < 0 {
			return unix.EFAULT
		}
		if _, ok := m.pages[pg]; !ok {
			if err := m.makePresent(m.vmas[i], pg, pg+PageSize); err != nil {
				return err
			}
		}
		if p := m.pages[pg]; m.mf.RefCount(p.off) > 1 {
			if _, err := m.copyForSentryWrite(pg, p); err != nil {
				return err
			}
		}
		po := addr & (PageSize - 1)
		l := min(int(PageSize-po), n)
		clear(m.mf.Slice(m.pages[pg].off+uint64(po), uint64(l)))
		n -= l
		addr += uintptr(l)
	}
	return nil
}

// SharedKey returns the memory-file offset backing addr if addr is in a
// shared mapping (where futexes are keyed by the memory, not the address:
// processes sharing it must meet). It makes the page present.
func (m *MM) SharedKey(addr uintptr) (uint64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := m.findVMA(addr)
	if i < 0 || m.vmas[i].private {
		return 0, false
	}
	off, err := m.translate(addr, false)
	if err != nil {
		return 0, false
	}
	return off + uint64(addr&(PageSize-1)), true
}

// AtomicWord returns a pointer to the aligned 32-bit word at addr in the
// sentry's view of application memory, for atomic operations on futex
// words (write says the caller will modify it). The pointer stays valid
// while the page is mapped.
func (m *MM) AtomicWord(addr uintptr, write bool) (*uint32, error) {
	if addr&3 != 0 {
		return nil, unix.EINVAL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	off, err := m.translate(addr, write)
	if err != nil {
		return nil, unix.EFAULT
	}
	b := m.mf.Slice(off+uint64(addr&(PageSize-1)), 4)
	return (*uint32)(unsafe.Pointer(&b[0])), nil
}
