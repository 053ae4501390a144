package seccomp

import (
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// Flags of Install (SECCOMP_FILTER_FLAG_*).
const (
	// FlagTSync applies the filter to every thread of the process.
	FlagTSync = unix.SECCOMP_FILTER_FLAG_TSYNC
	// FlagNewListener returns a user-notification fd (for UserNotif
	// actions); with FlagTSync it needs FlagTSyncESRCH.
	FlagNewListener = unix.SECCOMP_FILTER_FLAG_NEW_LISTENER
	// FlagTSyncESRCH makes a TSYNC failure ESRCH instead of a thread id.
	FlagTSyncESRCH = unix.SECCOMP_FILTER_FLAG_TSYNC_ESRCH
)

// SetNoNewPrivs sets no_new_privs on the calling thread (Install's TSYNC
// then carries it to every thread).
func SetNoNewPrivs() error {
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %w", err)
	}
	return nil
}

// Install sets no_new_privs and installs prog with
// seccomp(SECCOMP_SET_MODE_FILTER, flags). Pass FlagTSync to cover every
// thread of the process (and all threads created later). With
// FlagNewListener it returns the listener fd, else -1.
func Install(prog []bpf.RawInstruction, flags uintptr) (int, error) {
	if len(prog) == 0 {
		return -1, fmt.Errorf("installing an empty seccomp filter")
	}
	// no_new_privs and the filter must be set on the same thread: TSYNC
	// copies both to the others.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := SetNoNewPrivs(); err != nil {
		return -1, err
	}
	fprog := unix.SockFprog{
		Len:    uint16(len(prog)),
		Filter: (*unix.SockFilter)(unsafe.Pointer(&prog[0])),
	}
	r, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, flags, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(prog)
	if errno != 0 {
		return -1, fmt.Errorf("seccomp(SECCOMP_SET_MODE_FILTER): %w", errno)
	}
	if flags&FlagNewListener != 0 {
		return int(r), nil
	}
	if flags&FlagTSync != 0 && r != 0 {
		return -1, fmt.Errorf("seccomp(SECCOMP_SET_MODE_FILTER, TSYNC): thread %d cannot take the filter", r)
	}
	return -1, nil
}

// InstallRules builds s and installs it on every thread (FlagTSync).
func InstallRules(s RuleSet) error {
	prog, err := Assemble(s)
	if err != nil {
		return err
	}
	_, err = Install(prog, FlagTSync)
	return err
}

// unsafePointer is unsafe.Pointer(p), for tests' raw system calls.
func unsafePointer[T any](p *T) unsafe.Pointer { return unsafe.Pointer(p) }
