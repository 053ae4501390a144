package ptrace

import (
	"fmt"
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/platform"
)

// addressSpace is a stub process. main is its first thread; mu guards
// released.
type addressSpace struct {
	p    *Platform
	main *thread

	mu       sync.Mutex
	released bool
}

// threadForCaller returns the stub thread traced by the calling OS thread.
func (as *addressSpace) threadForCaller() (*thread, error) {
	if tid := unix.Gettid(); tid != as.main.tracer {
		return nil, fmt.Errorf("ptrace: address space of stub %d used from OS thread %d, traced by %d", as.main.tgid, tid, as.main.tracer)
	}
	return as.main, nil
}

// MapFile implements platform.AddressSpace by injecting mmap into the stub.
func (as *addressSpace) MapFile(addr uintptr, f platform.FileRange, perms platform.AccessType, precommit bool) error {
	t, err := as.threadForCaller()
	if err != nil {
		return err
	}
	flags := uintptr(unix.MAP_SHARED | unix.MAP_FIXED)
	if precommit {
		flags |= unix.MAP_POPULATE
	}
	// The memory file is fd 0 of the stub.
	got, err := t.syscall(unix.SYS_MMAP, addr, uintptr(f.Length), uintptr(perms.Prot()), flags, 0, uintptr(f.Offset))
	if err != nil {
		return fmt.Errorf("mmap in stub at %#x+%#x: %w", addr, f.Length, err)
	}
	if got != addr {
		return fmt.Errorf("mmap in stub returned %#x, want %#x", got, addr)
	}
	return nil
}

// Unmap implements platform.AddressSpace.
func (as *addressSpace) Unmap(addr uintptr, length uint64) {
	t, err := as.threadForCaller()
	if err != nil {
		return
	}
	t.syscall(unix.SYS_MUNMAP, addr, uintptr(length))
}

// Release implements platform.AddressSpace.
func (as *addressSpace) Release() {
	as.mu.Lock()
	defer as.mu.Unlock()
	if as.released {
		return
	}
	as.released = true
	as.main.kill()
}
