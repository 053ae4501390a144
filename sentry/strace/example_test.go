package strace_test

import (
	"fmt"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/strace"
)

func Example() {
	// Without memory access, pointer arguments print as addresses.
	args := [6]uintptr{0, 4096, unix.PROT_READ | unix.PROT_WRITE, unix.MAP_PRIVATE | unix.MAP_ANONYMOUS, ^uintptr(0), 0}
	fmt.Println(strace.Enter(nil, unix.SYS_MMAP, args) + strace.Exit(nil, unix.SYS_MMAP, args, 0x7f0000000000, 0))
	fmt.Println(strace.Format(nil, unix.SYS_CLOSE, [6]uintptr{9}, 0, unix.EBADF))
	// Output:
	// mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000
	// close(9) = -1 EBADF (Bad file descriptor)
}
