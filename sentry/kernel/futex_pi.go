package kernel

import (
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// FutexWakeOp implements FUTEX_WAKE_OP: atomically apply op to the word at
// addr2, wake up to n waiters on addr and, if the old value of addr2
// satisfies the comparison in op, up to n2 waiters on addr2.
func (t *Task) FutexWakeOp(addr, addr2 uintptr, n, n2 int, op uint32, private bool) (int, error) {
	word, err := t.MM.AtomicWord(addr2, true)
	if err != nil {
		return 0, err
	}
	kind, cmp := (op>>28)&7, (op>>24)&0xf
	oparg, cmparg := (op>>12)&0xfff, op&0xfff
	if op&(8<<28) != 0 { // FUTEX_OP_OPARG_SHIFT
		if oparg > 31 {
			return 0, unix.EINVAL
		}
		oparg = 1 << oparg
	}
	ft := t.k.futexes()
	key, key2 := t.futexKeyFor(addr, private), t.futexKeyFor(addr2, private)
	ft.mu.Lock()
	defer ft.mu.Unlock()
	var old uint32
	for {
		old = atomic.LoadUint32(word)
		var nv uint32
		switch kind {
		case 0: // SET
			nv = oparg
		case 1: // ADD
			nv = old + oparg
		case 2: // OR
			nv = old | oparg
		case 3: // ANDN
			nv = old &^ oparg
		case 4: // XOR
			nv = old ^ oparg
		default:
			return 0, unix.ENOSYS
		}
		if atomic.CompareAndSwapUint32(word, old, nv) {
			break
		}
	}
	woken := ft.wakeLocked(key, n, ^uint32(0))
	var ok bool
	o, c := int32(old), int32(cmparg)
	switch cmp {
	case 0:
		ok = o == c
	case 1:
		ok = o != c
	case 2:
		ok = o < c
	case 3:
		ok = o <= c
	case 4:
		ok = o > c
	case 5:
		ok = o >= c
	default:
		return 0, unix.ENOSYS
	}
	if ok {
		woken += ft.wakeLocked(key2, n2, ^uint32(0))
	}
	return woken, nil
}

// PI futex word bits (linux/futex.h).
const (
	futexWaitersBit   = 0x80000000
	futexOwnerDiedBit = 0x40000000
	futexTIDBits      = 0x3fffffff
)

// FutexLockPI implements FUTEX_LOCK_PI (and TRYLOCK_PI when try is set):
// take the lock word at addr for the calling thread, waiting while another
// thread owns it. Priority inheritance itself is not modelled: the sandbox
// has no real-time priorities.
func (t *Task) FutexLockPI(addr uintptr, try bool, deadline time.Time, private bool) error {
	word, err := t.MM.AtomicWord(addr, true)
	if err != nil {
		return err
	}
	ft := t.k.futexes()
	key := t.futexKeyFor(addr, private)
	tid := uint32(t.ID)
	for {
		ft.mu.Lock()
		v := atomic.LoadUint32(word)
		owner := v & futexTIDBits
		if owner == tid {
			ft.mu.Unlock()
			return unix.EDEADLK
		}
		if owner == 0 || t.k.FindTask(int32(owner)) == nil && v&futexOwnerDiedBit == 0 {
			// Free, or the owner is gone: take it (reporting OWNER_DIED).
			nv := tid | v&futexWaitersBit
			if owner != 0 {
				nv |= futexOwnerDiedBit
			}
			if atomic.CompareAndSwapUint32(word, v, nv) {
				ft.mu.Unlock()
				if owner != 0 {
					return unix.EOWNERDEAD
				}
				return nil
			}
			ft.mu.Unlock()
			continue
		}
		if try {
			ft.mu.Unlock()
			return unix.EAGAIN
		}
		if v&futexWaitersBit == 0 && !atomic.CompareAndSwapUint32(word, v, v|futexWaitersBit) {
			ft.mu.Unlock()
			continue
		}
		w := &futexWaiter{key: key, bitset: ^uint32(0), woken: make(chan struct{}, 1), pi: true, task: t}
		ft.waiters[key] = append(ft.waiters[key], w)
		ft.mu.Unlock()
		err := t.Block(w.woken, deadline)
		ft.mu.Lock()
		removed := ft.remove(w)
		ft.mu.Unlock()
		if err != nil && removed {
			return err
		}
		// Woken by an unlock that handed us the lock, or retry.
		if atomic.LoadUint32(word)&futexTIDBits == tid {
			return nil
		}
	}
}

// FutexUnlockPI implements FUTEX_UNLOCK_PI: hand the lock to the first
// waiter, or release it.
func (t *Task) FutexUnlockPI(addr uintptr, private bool) error {
	word, err := t.MM.AtomicWord(addr, true)
	if err != nil {
		return err
	}
	ft := t.k.futexes()
	key := t.futexKeyFor(addr, private)
	ft.mu.Lock()
	defer ft.mu.Unlock()
	v := atomic.LoadUint32(word)
	if v&futexTIDBits != uint32(t.ID) {
		return unix.EPERM
	}
	ws := ft.waiters[key]
	var next *Task
	var w *futexWaiter
	if len(ws) > 0 {
		w = ws[0]
		next = w.task
	}
	if w == nil {
		atomic.StoreUint32(word, 0)
		return nil
	}
	ft.remove(w)
	nv := uint32(0)
	if next != nil {
		nv = uint32(next.ID)
	}
	if len(ft.waiters[key]) > 0 {
		nv |= futexWaitersBit
	}
	atomic.StoreUint32(word, nv)
	w.woken <- struct{}{}
	return nil
}
