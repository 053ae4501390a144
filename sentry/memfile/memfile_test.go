package memfile

import "testing"

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
