// Package platform defines how the sentry runs application code: a Platform
// creates address spaces and execution contexts; a Context runs one
// application thread until it makes a system call, faults, or is
// interrupted. Implementations live in sub-packages (ptrace, later systrap
// and kvm).
package platform

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// Registers is the amd64 general-purpose register set of an application
// thread, in the layout of the kernel's struct user_regs_struct.
type Registers = unix.PtraceRegs

// AccessType is a set of memory access permissions (read, write, execute).
type AccessType struct {
	Read    bool
	Write   bool
	Execute bool
}

// Common access types.
var (
	NoAccess  = AccessType{}
	Read      = AccessType{Read: true}
	ReadWrite = AccessType{Read: true, Write: true}
	AnyAccess = AccessType{Read: true, Write: true, Execute: true}
)

// Prot returns the PROT_* bits for at.
func (at AccessType) Prot() int {
	p := unix.PROT_NONE
	if at.Read {
		p |= unix.PROT_READ
	}
	if at.Write {
		p |= unix.PROT_WRITE
	}
	if at.Execute {
		p |= unix.PROT_EXEC
	}
	return p
}

// Any reports whether at allows any access.
func (at AccessType) Any() bool { return at.Read || at.Write || at.Execute }

// SupersetOf reports whether at allows every access o allows.
func (at AccessType) SupersetOf(o AccessType) bool {
	return (at.Read || !o.Read) && (at.Write || !o.Write) && (at.Execute || !o.Execute)
}

// Intersect returns the accesses allowed by both at and o.
func (at AccessType) Intersect(o AccessType) AccessType {
	return AccessType{Read: at.Read && o.Read, Write: at.Write && o.Write, Execute: at.Execute && o.Execute}
}

// String renders at as "rwx" with dashes.
func (at AccessType) String() string {
	b := []byte("---")
	if at.Read {
		b[0] = 'r'
	}
	if at.Write {
		b[1] = 'w'
	}
	if at.Execute {
		b[2] = 'x'
	}
	return string(b)
}

// ProtToAccess converts PROT_* bits to an AccessType.
func ProtToAccess(prot int) AccessType {
	return AccessType{Read: prot&unix.PROT_READ != 0, Write: prot&unix.PROT_WRITE != 0, Execute: prot&unix.PROT_EXEC != 0}
}

// FileRange is a range of the sentry's memory file: Offset and Length are
// page aligned.
type FileRange struct {
	Offset uint64
	Length uint64
}

// AddressSpace is an application address space on the host. The memory
// manager (sentry/mm) decides what is mapped where; the address space only
// mirrors those decisions into the host.
type AddressSpace interface {
	// MapFile maps the memory-file range f at addr with permissions perms,
	// replacing whatever was mapped there. If precommit is set, the host
	// populates the pages now.
	MapFile(addr uintptr, f FileRange, perms AccessType, precommit bool) error
	// Unmap removes any mapping in [addr, addr+length).
	Unmap(addr uintptr, length uint64)
	// Release frees the host resources of the address space. It must be
	// called once no Context runs in it any more.
	Release()
}

// HostProcess is an address space that is a host process of its own (the
// ptrace stub), which host tools (ps, docker top) see.
type HostProcess interface {
	// HostPID is the host process's pid, in the sentry's pid namespace.
	HostPID() int
	// SetName gives the host process the name of the program running in
	// it (its comm, at most 15 bytes), so that host tools show that
	// rather than an opaque stub name. It is called by a goroutine running
	// in this address space, and is best effort.
	SetName(name string)
}

// ThreadHandle names a host thread prepared to run application code in an
// address space, between PrepareThread and AttachThread.
type ThreadHandle int

// ThreadedAddressSpace is an address space several OS threads can run
// application threads in (ptrace: each OS thread drives its own stub
// thread).
type ThreadedAddressSpace interface {
	AddressSpace
	// PrepareThread creates a host thread for a new application thread. It
	// is called by a goroutine already running in this address space.
	PrepareThread() (ThreadHandle, error)
	// AttachThread binds the prepared thread to the calling goroutine's OS
	// thread (which must stay locked), before its first Switch.
	AttachThread(h ThreadHandle) error
	// DetachCaller ends the calling OS thread's use of the address space;
	// it reports whether other threads still use it (if not, the address
	// space is released).
	DetachCaller() bool
	// Protect changes the host protection of mapped pages.
	Protect(addr uintptr, length uint64, perms AccessType)
}

// Event is why Context.Switch returned.
type Event int

const (
	// EventSyscall means the thread made a system call; regs hold its number
	// (Orig_rax) and arguments, and Rip points after the instruction.
	EventSyscall Event = iota
	// EventFault means the thread took a memory fault; the Context's
	// FaultInfo says where.
	EventFault
	// EventSignal means the thread received a synchronous signal that is not
	// a memory fault (SIGILL, SIGFPE, SIGTRAP, SIGBUS ...): SignalInfo says which.
	EventSignal
	// EventInterrupt means Interrupt was called.
	EventInterrupt
)

// String names the event.
func (e Event) String() string {
	switch e {
	case EventSyscall:
		return "syscall"
	case EventFault:
		return "fault"
	case EventSignal:
		return "signal"
	case EventInterrupt:
		return "interrupt"
	}
	return fmt.Sprintf("Event(%d)", int(e))
}

// FaultInfo describes a memory fault or synchronous signal.
type FaultInfo struct {
	// Signo is the host signal that reported it (SIGSEGV, SIGBUS, ...).
	Signo int
	// Code is the siginfo si_code.
	Code int
	// Addr is the faulting address (si_addr).
	Addr uintptr
	// Access is the access that faulted, as far as the platform knows it;
	// Known is false when the platform cannot tell (ptrace).
	Access AccessType
	// Known reports whether Access is exact.
	Known bool
}

// Context runs one application thread.
type Context interface {
	// Switch runs the thread with registers regs in address space as until it
	// traps. On return regs hold the thread's state.
	Switch(as AddressSpace, regs *Registers) (Event, error)
	// FaultInfo returns details of the last EventFault or EventSignal.
	FaultInfo() FaultInfo
	// FloatingPointState returns the thread's extended (XSAVE) state, for
	// signal frames. The slice is owned by the Context.
	FloatingPointState(as AddressSpace) ([]byte, error)
	// SetFloatingPointState restores extended state saved by FloatingPointState.
	SetFloatingPointState(as AddressSpace, state []byte) error
	// Interrupt makes a running or future Switch return EventInterrupt. It may
	// be called from any goroutine.
	Interrupt()
	// Release frees host resources held by the Context.
	Release()
}

// Platform creates address spaces and contexts.
type Platform interface {
	// Name is the platform's name (the --platform flag value).
	Name() string
	// NewAddressSpace creates an empty application address space.
	NewAddressSpace() (AddressSpace, error)
	// NewContext creates an execution context for one application thread.
	NewContext() Context
	// MaxUserAddress is the end of the range usable by applications.
	MaxUserAddress() uintptr
}

// LossNotifier is implemented by address spaces whose host backing can be
// killed from outside (a ptrace stub, by the host's OOM killer say). The
// kernel then kills the process using it, as the host killed it, even
// while it is blocked in the sentry.
type LossNotifier interface {
	// Gone is closed once the host backing ended, by Release or not.
	Gone() <-chan struct{}
	// Lost reports, once Gone is closed, whether it ended before Release.
	Lost() bool
}

// ErrContextKilled is returned by Switch when the host thread backing the
// context died (for example it was killed from outside).
var ErrContextKilled = errors.New("platform: application thread was killed on the host")

// CPUClocker is implemented by contexts that can measure the CPU time of the
// application thread they run.
type CPUClocker interface {
	// CPUClock returns a host clock id (for clock_gettime) of the thread's
	// CPU time.
	CPUClock() (int32, bool)
}
