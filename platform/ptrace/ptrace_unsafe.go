package ptrace

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"stockade.dev/platform"
)

// Raw ptrace requests on the hot path. They never block, so they use
// RawSyscall and skip the scheduler hand-off of syscall.Syscall.

func getRegs(tid int, regs *platform.Registers) error {
	_, _, e := unix.RawSyscall6(unix.SYS_PTRACE, unix.PTRACE_GETREGS, uintptr(tid), 0, uintptr(unsafe.Pointer(regs)), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

func setRegs(tid int, regs *platform.Registers) error {
	_, _, e := unix.RawSyscall6(unix.SYS_PTRACE, unix.PTRACE_SETREGS, uintptr(tid), 0, uintptr(unsafe.Pointer(regs)), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

func resume(req int, tid int, sig int) error {
	_, _, e := unix.RawSyscall6(unix.SYS_PTRACE, uintptr(req), uintptr(tid), 0, uintptr(sig), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

func getSiginfo(tid int, info *unix.Siginfo) error {
	_, _, e := unix.RawSyscall6(unix.SYS_PTRACE, unix.PTRACE_GETSIGINFO, uintptr(tid), 0, uintptr(unsafe.Pointer(info)), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// getRegset / setRegset transfer a register set (NT_X86_XSTATE) with
// PTRACE_GETREGSET / PTRACE_SETREGSET; they return the bytes transferred.
func getRegset(tid int, typ uintptr, buf []byte) (int, error) {
	iov := unix.Iovec{Base: &buf[0]}
	iov.SetLen(len(buf))
	_, _, e := unix.RawSyscall6(unix.SYS_PTRACE, unix.PTRACE_GETREGSET, uintptr(tid), typ, uintptr(unsafe.Pointer(&iov)), 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(iov.Len), nil
}

func setRegset(tid int, typ uintptr, buf []byte) error {
	iov := unix.Iovec{Base: &buf[0]}
	iov.SetLen(len(buf))
	_, _, e := unix.RawSyscall6(unix.SYS_PTRACE, unix.PTRACE_SETREGSET, uintptr(tid), typ, uintptr(unsafe.Pointer(&iov)), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// siginfoAddr extracts si_addr from a fault siginfo.
func siginfoAddr(info *unix.Siginfo) uintptr {
	// si_signo, si_errno, si_code (3 x int32), padding, then the union whose
	// first field is si_addr for SIGSEGV/SIGBUS/SIGILL/SIGFPE.
	return *(*uintptr)(unsafe.Add(unsafe.Pointer(info), 16))
}
