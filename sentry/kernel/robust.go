package kernel

import "encoding/binary"

// Robust futex list constants (linux/futex.h).
const (
	futexOwnerDied = 0x40000000
	futexWaiters   = 0x80000000
	futexTIDMask   = 0x3fffffff
	robustListMax  = 2048
)

// exitRobustList releases the robust futexes the exiting thread holds:
// each lock word owned by it gets FUTEX_OWNER_DIED and one waiter is woken,
// as Linux's exit_robust_list does.
func (t *Task) exitRobustList() {
	head := t.robustList
	if head == 0 || t.MM == nil {
		return
	}
	t.robustList = 0
	var b [24]byte
	if _, err := t.MM.CopyIn(head, b[:]); err != nil {
		return
	}
	le := binary.LittleEndian
	next := uintptr(le.Uint64(b[0:]))
	offset := int64(le.Uint64(b[8:]))
	pending := uintptr(le.Uint64(b[16:]))
	handle := func(entry uintptr) {
		word := uintptr(int64(entry&^1) + offset)
		var w [4]byte
		if _, err := t.MM.CopyIn(word, w[:]); err != nil {
			return
		}
		v := le.Uint32(w[:])
		if v&futexTIDMask != uint32(t.ID) {
			return
		}
		nv := v&futexWaiters | futexOwnerDied
		le.PutUint32(w[:], nv)
		t.MM.CopyOut(word, w[:])
		if v&futexWaiters != 0 {
			t.FutexWake(word, 1, ^uint32(0), false)
		}
	}
	for i := 0; next != head && next != 0 && i < robustListMax; i++ {
		entry := next
		var nb [8]byte
		if _, err := t.MM.CopyIn(entry&^1, nb[:]); err != nil {
			break
		}
		next = uintptr(le.Uint64(nb[:]))
		if entry != pending {
			handle(entry)
		}
	}
	if pending != 0 {
		handle(pending)
	}
}
