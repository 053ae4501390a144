// Package syscalls holds the amd64 system call table and the handlers, one
// file per topic. Handlers decode arguments, call into the kernel, mm or
// vfs, and encode the result; semantics live in those packages.
package syscalls

import (
	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
	"stockade.dev/syscalls/sysno"
)

// impl is one implemented system call.
type impl struct {
	fn      kernel.SyscallFn
	support kernel.Support
	note    string
}

func full(fn kernel.SyscallFn) impl { return impl{fn: fn, support: kernel.Full} }

func partial(fn kernel.SyscallFn, note string) impl {
	return impl{fn: fn, support: kernel.Partial, note: note}
}

// missing describes an unimplemented call returning errno, with a reason.
type missing struct {
	errno unix.Errno
	note  string
}

// Table returns a fresh system call table: every amd64 number has an entry.
func Table() *kernel.SyscallTable {
	t := &kernel.SyscallTable{Entries: make([]kernel.SyscallEntry, sysno.Max)}
	for nr := range t.Entries {
		e := &t.Entries[nr]
		e.Name = sysno.Name(uintptr(nr))
		if i, ok := implemented[e.Name]; ok {
			e.Fn, e.Support, e.Note = i.fn, i.support, i.note
			continue
		}
		e.Support = kernel.Unimplemented
		e.Errno = unix.ENOSYS
		if m, ok := unimplemented[e.Name]; ok {
			e.Errno, e.Note = m.errno, m.note
		}
		if !sysno.Valid(uintptr(nr)) {
			e.Note = "not an amd64 system call number"
		}
	}
	return t
}

// implemented maps system call names to handlers; filled by the topic files'
// init functions.
var implemented = map[string]impl{}

// unimplemented lists deliberately absent calls and the errno they return.
var unimplemented = map[string]missing{
	"rseq": {unix.ENOSYS, "restartable sequences are not supported; glibc falls back"},
}

func register(m map[string]impl) {
	for k, v := range m {
		if _, dup := implemented[k]; dup {
			panic("syscalls: " + k + " registered twice")
		}
		if _, ok := sysno.Number(k); !ok {
			panic("syscalls: unknown system call " + k)
		}
		implemented[k] = v
	}
}
