// Package ptrace implements the platform with ptrace(2): each application
// address space is a stub process (see stub.go) and each application thread
// runs in a stub thread stopped at every system call by PTRACE_SYSEMU.
//
// Linux lets only the tracing OS thread drive a tracee, so every call into an
// AddressSpace or Context must come from the OS thread that created it, and
// that goroutine must hold runtime.LockOSThread for as long as it does.
package ptrace

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"stockade.dev/platform"
)

// Platform is the ptrace platform. MemFD is the memory file every address
// space maps from.
type Platform struct {
	memFD int
}

// New returns a ptrace platform mapping application memory from memFD.
func New(memFD int) (*Platform, error) {
	if _, _, err := stubBinary(); err != nil {
		return nil, err
	}
	return &Platform{memFD: memFD}, nil
}

// Name implements platform.Platform.
func (p *Platform) Name() string { return "ptrace" }

// MaxUserAddress implements platform.Platform: everything below the stub.
func (p *Platform) MaxUserAddress() uintptr { return stubStart }

// NewAddressSpace implements platform.Platform. The calling goroutine must
// have locked its OS thread; that thread becomes the stub's tracer.
func (p *Platform) NewAddressSpace() (platform.AddressSpace, error) {
	pid, err := startStub(p.memFD)
	if err != nil {
		return nil, err
	}
	_, gadget, _ := stubBinary()
	// The hand-off between tracer and stub is the hot path: keep both on
	// one CPU (a wake-up across CPUs costs more than the whole trap here).
	if os.Getenv("STOCKADE_NO_PIN") == "" {
		pinTogether(pid)
	}
	t := &thread{tgid: pid, tid: pid, tracer: unix.Gettid(), gadget: gadget}
	if err := getRegs(t.tid, &t.initRegs); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return nil, fmt.Errorf("reading the stub's registers: %w", err)
	}
	return &addressSpace{p: p, main: t}, nil
}

// NewContext implements platform.Platform.
func (p *Platform) NewContext() platform.Context {
	return &context{}
}

// pinTogether binds the calling OS thread and the stub thread to the CPU the
// caller runs on, so the hand-off between them never crosses CPUs.
func pinTogether(tid int) {
	var c uint32
	unix.RawSyscall(unix.SYS_GETCPU, uintptr(unsafePointer(&c)), 0, 0)
	var set unix.CPUSet
	set.Set(int(c))
	unix.SchedSetaffinity(0, &set)
	unix.SchedSetaffinity(tid, &set)
}
