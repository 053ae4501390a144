package memfile

import (
	"testing"
	"time"
)

func TestAllocateReuseZeroes(t *testing.T) {
	f, err := New(1 << 24)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := f.Allocate(3 * PageSize)
	f.Slice(a, 3*PageSize)[5] = 7
	f.DecRef(a, 3*PageSize)
	if f.Used() != 0 {
		t.Fatalf("used %d after free", f.Used())
	}
	b, _ := f.Allocate(2 * PageSize)
	if b != a {
		t.Fatalf("freed run not reused: got %#x want %#x", b, a)
	}
	if f.Slice(b, PageSize)[5] != 0 {
		t.Fatal("reused memory not zeroed")
	}
	f.IncRef(b, PageSize)
	if f.RefCount(b) != 2 {
		t.Fatalf("refcount %d", f.RefCount(b))
	}
	f.DecRef(b, 2*PageSize)
	if f.RefCount(b) != 1 || f.Used() != PageSize {
		t.Fatalf("after decref: refs %d used %d", f.RefCount(b), f.Used())
	}
	f.DecRef(b, PageSize)
	// Everything merged back into one run of 3 pages.
	if f.free[a] != 3*PageSize {
		t.Fatalf("free runs not merged: %v", f.free)
	}
	if f.Reclaim(PageSize) != 3*PageSize {
		t.Fatal("reclaim did not release the free run")
	}
}

func TestMaybeReclaim(t *testing.T) {
	f, err := New(1 << 30)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := f.Allocate(reclaimThreshold + (1 << 20))
	clear(f.Slice(a, 1<<20))
	f.DecRef(a, reclaimThreshold+(1<<20))
	f.MaybeReclaim()
	for i := 0; i < 1000; i++ {
		f.mu.Lock()
		done := !f.reclaiming
		f.mu.Unlock()
		if done {
			break
		}
		time.Sleep(time.Millisecond)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.reclaiming || f.reclaimedFree < reclaimThreshold {
		t.Fatalf("no reclaim ran: reclaiming %v reclaimedFree %d", f.reclaiming, f.reclaimedFree)
	}
}

// TestSetReclaimThreshold: a lower threshold (a sandbox under a memory
// limit) makes MaybeReclaim run after that much was freed.
func TestSetReclaimThreshold(t *testing.T) {
	f, err := New(1 << 30)
	if err != nil {
		t.Fatal(err)
	}
	f.SetReclaimThreshold(4 << 20)
	a, _ := f.Allocate(2 << 20)
	f.DecRef(a, 2<<20)
	f.MaybeReclaim()
	f.mu.Lock()
	started := f.reclaiming || f.reclaimedFree != 0
	f.mu.Unlock()
	if started {
		t.Fatal("a reclaim ran with 2 MiB freed under a 4 MiB threshold")
	}
	b, _ := f.Allocate(6 << 20)
	f.DecRef(b, 6<<20)
	f.MaybeReclaim()
	for i := 0; i < 1000; i++ {
		f.mu.Lock()
		done := !f.reclaiming && f.reclaimedFree >= 4<<20
		f.mu.Unlock()
		if done {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("no reclaim ran with 8 MiB freed under a 4 MiB threshold")
}
