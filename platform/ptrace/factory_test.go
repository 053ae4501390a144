package ptrace

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"stockade.dev/platform"
	"stockade.dev/sentry/memfile"
)

// TestStubFactory runs application code in address spaces whose stubs are
// cloned from the master stub, and checks the stubs' parent is this
// process (CLONE_PARENT) and that no stub is exec'd after the factory
// started.
func TestStubFactory(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	mf, err := memfile.New(1 << 30)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(mf.FD())
	if err != nil {
		t.Fatal(err)
	}
	prepared := false
	if err := p.StartStubFactory(func() error { prepared = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if !prepared || p.master == 0 {
		t.Fatalf("prepare ran: %v, master %d", prepared, p.master)
	}
	if err := p.StartStubFactory(nil); err == nil {
		t.Fatal("a second StartStubFactory succeeded")
	}
	off, _ := mf.Allocate(4096)
	copy(mf.Slice(off, 4096), loopCode)
	const code = 0x400000
	for i := 0; i < 2*poolSize+1; i++ {
		as, err := p.NewAddressSpace()
		if err != nil {
			t.Fatalf("address space %d: %v", i, err)
		}
		pid := as.(*addressSpace).tgid
		if ppid := parentOf(t, pid); ppid != unix.Getpid() {
			t.Errorf("stub %d: parent %d, want this process %d", pid, ppid, unix.Getpid())
		}
		if err := as.MapFile(code, platform.FileRange{Offset: off, Length: 4096}, platform.AccessType{Read: true, Execute: true}, false); err != nil {
			t.Fatal(err)
		}
		c := p.NewContext()
		regs := as.(*addressSpace).initRegs
		regs.Rip = code
		ev, err := c.Switch(as, &regs)
		if err != nil || ev != platform.EventSyscall || regs.Orig_rax != unix.SYS_GETPID {
			t.Fatalf("address space %d: event %v, syscall %d, err %v", i, ev, regs.Orig_rax, err)
		}
		as.Release()
	}
}

// parentOf reads pid's parent from /proc.
func parentOf(t *testing.T, pid int) int {
	t.Helper()
	var ppid int
	b, err := readStatus(pid)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range b {
		if n, _ := fmt.Sscanf(line, "PPid:\t%d", &ppid); n == 1 {
			return ppid
		}
	}
	t.Fatalf("no PPid in /proc/%d/status", pid)
	return 0
}

func readStatus(pid int) ([]string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	return strings.Split(string(b), "\n"), err
}
