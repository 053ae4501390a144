// Package sysno holds the Linux x86-64 (amd64) system call numbers and their
// names, as plain data.
//
// The table in zsysno.go is generated from the SYS_* constants of
// golang.org/x/sys/unix; regenerate it with `go generate` after upgrading
// golang.org/x/sys.
package sysno

//go:generate go run ./gen

import "strconv"

// numbers maps a Linux system call name to its number.
var numbers = func() map[string]uintptr {
	m := make(map[string]uintptr, len(names))
	for nr, name := range names {
		if name != "" {
			m[name] = uintptr(nr)
		}
	}
	return m
}()

// Name returns the Linux name of system call nr ("openat", "newfstatat",
// "prlimit64", ...), or "syscall_<nr>" (decimal) if nr is not an assigned
// amd64 system call number.
func Name(nr uintptr) string {
	if nr < Max && names[nr] != "" {
		return names[nr]
	}
	return "syscall_" + strconv.FormatUint(uint64(nr), 10)
}

// Valid reports whether nr is an assigned amd64 system call number.
func Valid(nr uintptr) bool {
	return nr < Max && names[nr] != ""
}

// Number returns the number of the system call with the given Linux name and
// whether such a system call exists.
func Number(name string) (uintptr, bool) {
	nr, ok := numbers[name]
	return nr, ok
}
