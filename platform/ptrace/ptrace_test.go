package ptrace

import (
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/platform"
	"stockade.dev/sentry/memfile"
)

// loopCode is: 1: mov eax, 39 (getpid); syscall; jmp 1b.
var loopCode = []byte{0xb8, 39, 0, 0, 0, 0x0f, 0x05, 0xeb, 0xf7}

func setup(t testing.TB) (*memfile.File, *Platform, platform.AddressSpace) {
	mf, err := memfile.New(1 << 30)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(mf.FD())
	if err != nil {
		t.Fatal(err)
	}
	as, err := p.NewAddressSpace()
	if err != nil {
		t.Fatal(err)
	}
	return mf, p, as
}

func TestSyscallLoop(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	mf, p, as := setup(t)
	defer as.Release()
	off, _ := mf.Allocate(4096)
	copy(mf.Slice(off, 4096), loopCode)
	const code = 0x400000
	if err := as.MapFile(code, platform.FileRange{Offset: off, Length: 4096}, platform.AccessType{Read: true, Execute: true}, false); err != nil {
		t.Fatal(err)
	}
	c := p.NewContext()
	var regs platform.Registers
	regs = as.(*addressSpace).initRegs
	regs.Rip = code
	n := 0
	start := time.Now()
	for n < 2000 {
		ev, err := c.Switch(as, &regs)
		if err != nil {
			t.Fatal(err)
		}
		if ev != platform.EventSyscall {
			t.Fatalf("event %v, fault %+v", ev, c.FaultInfo())
		}
		if regs.Orig_rax != 39 {
			t.Fatalf("syscall %d", regs.Orig_rax)
		}
		regs.Rax = 42
		n++
	}
	t.Logf("%v per trapped syscall", time.Since(start)/time.Duration(n))
}

func TestFault(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	mf, p, as := setup(t)
	defer as.Release()
	off, _ := mf.Allocate(4096)
	// mov qword [0x1234], rax ; (faults: nothing mapped there)
	copy(mf.Slice(off, 4096), []byte{0x48, 0x89, 0x04, 0x25, 0x34, 0x12, 0, 0})
	as.MapFile(0x400000, platform.FileRange{Offset: off, Length: 4096}, platform.AccessType{Read: true, Execute: true}, false)
	c := p.NewContext()
	regs := as.(*addressSpace).initRegs
	regs.Rip = 0x400000
	ev, err := c.Switch(as, &regs)
	if err != nil || ev != platform.EventFault {
		t.Fatalf("got %v %v", ev, err)
	}
	if fi := c.FaultInfo(); fi.Addr != 0x1234 || fi.Signo != int(unix.SIGSEGV) {
		t.Fatalf("fault %+v", fi)
	}
}

// BenchmarkSyscallTrap measures one trapped system call round trip
// (PTRACE_SYSEMU stop, registers out and back in) and checks the hot path
// allocates nothing.
func BenchmarkSyscallTrap(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	mf, p, as := setup(b)
	defer as.Release()
	off, _ := mf.Allocate(4096)
	copy(mf.Slice(off, 4096), loopCode)
	as.MapFile(0x400000, platform.FileRange{Offset: off, Length: 4096}, platform.AccessType{Read: true, Execute: true}, false)
	c := p.NewContext()
	regs := as.(*addressSpace).initRegs
	regs.Rip = 0x400000
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if ev, err := c.Switch(as, &regs); err != nil || ev != platform.EventSyscall {
			b.Fatalf("%v %v", ev, err)
		}
	}
}

// TestSwitchDoesNotAllocate guards the hot path.
func TestSwitchDoesNotAllocate(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	mf, p, as := setup(t)
	defer as.Release()
	off, _ := mf.Allocate(4096)
	copy(mf.Slice(off, 4096), loopCode)
	as.MapFile(0x400000, platform.FileRange{Offset: off, Length: 4096}, platform.AccessType{Read: true, Execute: true}, false)
	c := p.NewContext()
	regs := as.(*addressSpace).initRegs
	regs.Rip = 0x400000
	c.Switch(as, &regs)
	if n := testing.AllocsPerRun(200, func() { c.Switch(as, &regs) }); n != 0 {
		t.Fatalf("Switch allocates %v times per trap", n)
	}
}
