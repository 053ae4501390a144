package ptrace

import (
	"runtime"
	"testing"
)

// BenchmarkNewAddressSpace measures creating and releasing a stub process.
func BenchmarkNewAddressSpace(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	_, p, as := setup(b)
	as.Release()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		as, err := p.NewAddressSpace()
		if err != nil {
			b.Fatal(err)
		}
		as.Release()
	}
}
