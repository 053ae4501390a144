package kernel

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// SyscallArgs are the six argument registers of a system call.
type SyscallArgs [6]uintptr

// Int returns argument i as a C int.
func (a *SyscallArgs) Int(i int) int32 { return int32(a[i]) }

// Uint returns argument i as a C unsigned int.
func (a *SyscallArgs) Uint(i int) uint32 { return uint32(a[i]) }

// Int64 returns argument i as a signed 64-bit value.
func (a *SyscallArgs) Int64(i int) int64 { return int64(a[i]) }

// SyscallFn is a system call handler. It returns the result, or an error:
// a unix.Errno goes back to the application as -errno.
type SyscallFn func(t *Task, args *SyscallArgs) (uintptr, error)

// Support is how completely a system call is implemented.
type Support int

const (
	// Unimplemented system calls return their errno (ENOSYS unless noted).
	Unimplemented Support = iota
	// Partial system calls work for common uses; Note says what is missing.
	Partial
	// Full system calls implement Linux's semantics.
	Full
)

// String names the support level.
func (s Support) String() string {
	switch s {
	case Full:
		return "full"
	case Partial:
		return "partial"
	}
	return "unimplemented"
}

// SyscallEntry describes one system call number.
type SyscallEntry struct {
	Name    string
	Fn      SyscallFn
	Support Support
	// Note says what is missing (Partial) or why it is absent.
	Note string
	// Errno is returned when Fn is nil (ENOSYS by default).
	Errno unix.Errno
	// warned is set once the missing call has been logged.
	warned bool
}

// SyscallTable maps amd64 system call numbers to entries.
type SyscallTable struct {
	Entries []SyscallEntry
}

// Internal errnos that never reach the application (see restart handling
// in the run loop).
const (
	// ERESTARTSYS restarts the call if the interrupting handler has
	// SA_RESTART, else fails it with EINTR.
	ERESTARTSYS = unix.Errno(512)
	// ERESTARTNOINTR always restarts.
	ERESTARTNOINTR = unix.Errno(513)
	// ERESTARTNOHAND restarts if no handler ran.
	ERESTARTNOHAND = unix.Errno(514)
	// ERESTARTRESTARTBLOCK restarts through restart_syscall.
	ERESTARTRESTARTBLOCK = unix.Errno(516)
)

// errExit is returned by handlers that end the task (exit, exit_group,
// execve failing past the point of no return).
var errExit = fmt.Errorf("task exiting")

// ErrNoReturn is returned by handlers that already set the registers
// (rt_sigreturn, execve): the run loop leaves rax alone.
var ErrNoReturn = fmt.Errorf("registers already set")

// doSyscall runs the system call in t.Regs and writes its result.
func (t *Task) doSyscall() {
	nr := uintptr(t.Regs.Orig_rax)
	args := SyscallArgs{uintptr(t.Regs.Rdi), uintptr(t.Regs.Rsi), uintptr(t.Regs.Rdx), uintptr(t.Regs.R10), uintptr(t.Regs.R8), uintptr(t.Regs.R9)}
	if t.k.Strace != nil {
		t.straceEnter(nr, &args)
	}
	var ret uintptr
	var err error
	tab := t.k.Syscalls.Entries
	if nr < uintptr(len(tab)) && tab[nr].Fn != nil {
		ret, err = tab[nr].Fn(t, &args)
	} else {
		err = t.missingSyscall(nr)
	}
	if err == ErrNoReturn || t.exiting {
		if t.k.Strace != nil {
			t.straceExit(nr, &args, uintptr(t.Regs.Rax), 0)
		}
		return
	}
	var errno unix.Errno
	if err != nil {
		var ok bool
		errno, ok = err.(unix.Errno)
		if !ok {
			t.k.Log.Warn("system call failed with a non-errno error", "syscall", nr, "err", err)
			errno = unix.EIO
		}
		ret = uintptr(-int64(errno))
	}
	if t.k.Strace != nil {
		t.straceExit(nr, &args, ret, errno)
	}
	switch errno {
	case ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND, ERESTARTRESTARTBLOCK:
		// Resolved when signals are delivered (see handleRestart).
		t.restartErrno = errno
	}
	t.Regs.Rax = uint64(ret)
}

// missingSyscall reports an unimplemented system call once and returns its
// errno.
func (t *Task) missingSyscall(nr uintptr) error {
	tab := t.k.Syscalls.Entries
	if nr >= uintptr(len(tab)) {
		return unix.ENOSYS
	}
	e := &tab[nr]
	if !e.warned {
		e.warned = true
		t.k.Log.Info("unimplemented system call", "nr", nr, "name", e.Name)
	}
	if e.Errno != 0 {
		return e.Errno
	}
	return unix.ENOSYS
}

func errTimedOut() error { return unix.ETIMEDOUT }

func errnoPerm() error { return unix.EPERM }
