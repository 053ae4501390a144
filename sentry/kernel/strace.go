package kernel

import (
	"fmt"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/strace"
)

// straceEnter remembers the start of a system call, decoded now, for calls
// whose arguments do not survive them (execve replaces the memory they
// point to).
func (t *Task) straceEnter(nr uintptr, args *SyscallArgs) {
	if nr == unix.SYS_EXECVE || nr == unix.SYS_EXECVEAT {
		t.straceLine = strace.Enter(t.MM, nr, *args)
	}
}

// straceExit logs the whole call with its result, strace style.
func (t *Task) straceExit(nr uintptr, args *SyscallArgs, ret uintptr, errno unix.Errno) {
	if t.straceLine != "" {
		fmt.Fprintf(t.k.Strace, "[pid %d] %s%s\n", t.ID, t.straceLine, strace.Exit(nil, nr, *args, ret, errno))
		t.straceLine = ""
		return
	}
	fmt.Fprintf(t.k.Strace, "[pid %d] %s\n", t.ID, strace.Format(t.MM, nr, *args, ret, errno))
}
