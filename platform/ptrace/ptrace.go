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
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"stockade.dev/platform"
)

// Platform is the ptrace platform. MemFD is the memory file every address
// space maps from.
type Platform struct {
	memFD int
	// pool holds parked stubs (pool.go); poolWant asks for a refill. The
	// pool starts with the second address space (the first fork or exec):
	// a sandbox that never forks does not pay for it at start-up.
	pool        chan parkedStub
	poolWant    chan struct{}
	poolEnabled bool
	poolStarted atomic.Bool
	poolOnce    sync.Once
	spaces      atomic.Int32
	// master is the stub every stub is cloned from once StartStubFactory
	// ran (factory.go), or 0; masterRegs its registers when ready. Only
	// the pool's thread touches them after that.
	master     int
	masterRegs platform.Registers
}

// New returns a ptrace platform mapping application memory from memFD.
func New(memFD int) (*Platform, error) {
	if _, _, err := stubBinary(); err != nil {
		return nil, err
	}
	p := &Platform{memFD: memFD, poolEnabled: os.Getenv("STOCKADE_NO_STUB_POOL") == ""}
	return p, nil
}

// Name implements platform.Platform.
func (p *Platform) Name() string { return "ptrace" }

// MaxUserAddress implements platform.Platform: everything below the host
// vDSO pages (or the stub, without them).
func (p *Platform) MaxUserAddress() uintptr {
	if vdsoRange.start != 0 {
		return uintptr(vdsoRange.start)
	}
	return stubStart
}

// VDSO implements platform.VDSOProvider: the address of the vDSO every
// address space has, or 0.
func (p *Platform) VDSO() uintptr { return uintptr(vdsoRange.vdso) }

// NewAddressSpace implements platform.Platform. The calling goroutine must
// have locked its OS thread; that thread becomes the stub's tracer.
func (p *Platform) NewAddressSpace() (platform.AddressSpace, error) {
	if p.spaces.Add(1) > 1 && p.poolEnabled {
		p.poolOnce.Do(p.startPool)
	}
	pid, ok := p.takeStub()
	if !ok {
		var err error
		if p.master != 0 {
			pid, err = p.waitStub()
		} else {
			pid, err = startStub(p.memFD)
		}
		if err != nil {
			return nil, err
		}
	}
	gadget, cloneGadget := stubGadget, stubCloneG
	// The hand-off between tracer and stub is the hot path: keep both on
	// one CPU (a wake-up across CPUs costs more than the whole trap here).
	if os.Getenv("STOCKADE_NO_PIN") == "" {
		pinTogether(pid)
	}
	t := &thread{tgid: pid, tid: pid, tracer: unix.Gettid(), gadget: gadget, cloneGadget: cloneGadget}
	if err := getRegs(t.tid, &t.initRegs); err != nil {
		unix.Kill(pid, unix.SIGKILL)
		return nil, fmt.Errorf("reading the stub's registers: %w", err)
	}
	as := &addressSpace{p: p, tgid: pid, threads: map[int]*thread{t.tracer: t}, initRegs: t.initRegs, gone: make(chan struct{})}
	as.watch()
	return as, nil
}

// NewContext implements platform.Platform.
func (p *Platform) NewContext() platform.Context {
	return &context{}
}

// pinTogether binds the calling OS thread and the stub thread to one CPU,
// so the hand-off between them never crosses CPUs. Successive OS threads
// are spread over the CPUs round-robin.
func pinTogether(tid int) {
	cpu := pinnedCPU()
	if cpu < 0 {
		cpu = int(nextCPU.Add(1)) % runtime.NumCPU()
		var set unix.CPUSet
		set.Set(cpu)
		unix.SchedSetaffinity(0, &set)
	}
	pinTo(tid, cpu)
}

var nextCPU atomic.Int32

// pinnedCPU returns the CPU the calling OS thread is bound to, or -1.
func pinnedCPU() int {
	var set unix.CPUSet
	if unix.SchedGetaffinity(0, &set) != nil || set.Count() != 1 {
		return -1
	}
	for i := 0; i < runtime.NumCPU(); i++ {
		if set.IsSet(i) {
			return i
		}
	}
	return -1
}

// pinTo binds host thread tid to cpu.
func pinTo(tid, cpu int) {
	var set unix.CPUSet
	set.Set(cpu)
	unix.SchedSetaffinity(tid, &set)
}
