package kernel

import (
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/mm"
)

// futexKey identifies a futex word: private futexes by address space and
// address, shared ones by memory-file offset (so processes sharing the page
// meet; mm is nil then).
type futexKey struct {
	mm   *mm.MM
	addr uintptr
}

// futexKeyFor returns the key of the futex at addr. Non-private futex
// operations on shared memory key by the memory itself.
func (t *Task) futexKeyFor(addr uintptr, private bool) futexKey {
	if !private {
		if off, ok := t.MM.SharedKey(addr); ok {
			return futexKey{addr: uintptr(off)}
		}
	}
	return futexKey{t.MM, addr}
}

// futexWaiter is one blocked FUTEX_WAIT.
type futexWaiter struct {
	key    futexKey
	bitset uint32
	woken  chan struct{}
	// pi marks FUTEX_LOCK_PI waiters; task is the waiting task.
	pi   bool
	task *Task
}

// futexTable holds the waiters. mu guards waiters.
type futexTable struct {
	mu      sync.Mutex
	waiters map[futexKey][]*futexWaiter
}

func (k *Kernel) futexes() *futexTable {
	k.futexOnce.Do(func() { k.futex = &futexTable{waiters: map[futexKey][]*futexWaiter{}} })
	return k.futex
}

// FutexWait blocks while the word at addr equals val, until woken (with a
// matching bitset) or until the deadline (zero: none). It returns EAGAIN if
// the value differs and ETIMEDOUT on timeout.
func (t *Task) FutexWait(addr uintptr, val uint32, bitset uint32, deadline time.Time, private bool) error {
	if addr&3 != 0 {
		return unix.EINVAL
	}
	ft := t.k.futexes()
	key := t.futexKeyFor(addr, private)
	w := &futexWaiter{key: key, bitset: bitset, woken: make(chan struct{}, 1)}
	ft.mu.Lock()
	var b [4]byte
	if _, err := t.MM.CopyIn(addr, b[:]); err != nil {
		ft.mu.Unlock()
		return unix.EFAULT
	}
	if uint32(b[0])|uint32(b[1])<<8|uint32(b[2])<<16|uint32(b[3])<<24 != val {
		ft.mu.Unlock()
		return unix.EAGAIN
	}
	ft.waiters[key] = append(ft.waiters[key], w)
	ft.mu.Unlock()
	err := t.Block(w.woken, deadline)
	if err == nil {
		return nil
	}
	ft.mu.Lock()
	removed := ft.remove(w)
	ft.mu.Unlock()
	if !removed {
		return nil // woken concurrently
	}
	return err
}

// remove drops w from the table; it reports whether w was still there.
// ft.mu must be held.
func (ft *futexTable) remove(w *futexWaiter) bool {
	ws := ft.waiters[w.key]
	for i, x := range ws {
		if x == w {
			ws = append(ws[:i], ws[i+1:]...)
			if len(ws) == 0 {
				delete(ft.waiters, w.key)
			} else {
				ft.waiters[w.key] = ws
			}
			return true
		}
	}
	return false
}

// FutexWake wakes up to n waiters on addr whose bitset intersects bitset.
func (t *Task) FutexWake(addr uintptr, n int, bitset uint32, private bool) (int, error) {
	if addr&3 != 0 {
		return 0, unix.EINVAL
	}
	ft := t.k.futexes()
	key := t.futexKeyFor(addr, private)
	ft.mu.Lock()
	defer ft.mu.Unlock()
	return ft.wakeLocked(key, n, bitset), nil
}

func (ft *futexTable) wakeLocked(key futexKey, n int, bitset uint32) int {
	woken := 0
	ws := ft.waiters[key]
	rest := ws[:0]
	for _, w := range ws {
		if woken < n && w.bitset&bitset != 0 {
			w.woken <- struct{}{}
			woken++
			continue
		}
		rest = append(rest, w)
	}
	if len(rest) == 0 {
		delete(ft.waiters, key)
	} else {
		ft.waiters[key] = rest
	}
	return woken
}

// FutexRequeue wakes up to n waiters on addr and moves up to n2 others to
// addr2. If check is set, the word at addr must equal val (EAGAIN if not).
func (t *Task) FutexRequeue(addr, addr2 uintptr, n, n2 int, check bool, val uint32, private bool) (int, error) {
	if addr&3 != 0 || addr2&3 != 0 {
		return 0, unix.EINVAL
	}
	ft := t.k.futexes()
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if check {
		var b [4]byte
		if _, err := t.MM.CopyIn(addr, b[:]); err != nil {
			return 0, unix.EFAULT
		}
		if uint32(b[0])|uint32(b[1])<<8|uint32(b[2])<<16|uint32(b[3])<<24 != val {
			return 0, unix.EAGAIN
		}
	}
	key, key2 := t.futexKeyFor(addr, private), t.futexKeyFor(addr2, private)
	woken := ft.wakeLocked(key, n, ^uint32(0))
	moved := 0
	ws := ft.waiters[key]
	for len(ws) > 0 && moved < n2 {
		w := ws[0]
		ws = ws[1:]
		w.key = key2
		ft.waiters[key2] = append(ft.waiters[key2], w)
		moved++
	}
	if len(ws) == 0 {
		delete(ft.waiters, key)
	} else {
		ft.waiters[key] = ws
	}
	return woken + moved, nil
}
