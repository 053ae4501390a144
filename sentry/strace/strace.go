// Package strace formats system calls the way strace(1) prints them, for the
// sentry's strace mode (`runsc do --strace`).
//
// A call is printed in two halves: Enter renders the name and every argument
// when the call starts (output arguments appear as their address, since they
// hold nothing yet), and Exit renders the end once it has returned: the
// output arguments decoded from application memory, then the closing
// parenthesis and the result. Enter(...)+Exit(...) is one complete line:
//
//	openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3
//	read(3, 0x7ffc1000, 832 => "root:x:0:0:root:/root:/bin/bash\n"...) = 832
//	fstat(3, 0x7ffc2000 => {st_mode=S_IFREG|0644, st_size=1234, ...}) = 0
//	openat(AT_FDCWD, "/nope", O_RDONLY) = -1 ENOENT (No such file or directory)
//
// Format renders the whole call at once the way strace itself prints it, with
// output arguments decoded in place, for callers that print one line per call
// after it returns:
//
//	read(3, "root:x:0:0:root:/root:/bin/bash\n"..., 832) = 832
//
// Every assigned amd64 system call has an entry giving its argument count;
// the common ones also say how to decode each argument, the rest print their
// arguments in hex.
package strace

import (
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"stockade.dev/syscalls/sysno"
)

// Memory reads application memory for decoding pointer arguments.
type Memory interface {
	// CopyIn copies len(dst) bytes from application address addr into dst and
	// returns the number of bytes copied.
	CopyIn(addr uintptr, dst []byte) (int, error)
	// CopyInString reads a NUL-terminated string of at most maxLen bytes
	// (not counting the NUL) at addr. If no NUL occurs within maxLen bytes it
	// may return the first maxLen bytes, with or without an error.
	CopyInString(addr uintptr, maxLen int) (string, error)
}

// Enter formats the start of a system call: its name, '(' and its arguments,
// without the closing parenthesis, e.g.
// `openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC`. Arguments that the
// call writes (read's buffer, fstat's stat buffer, ...) print as their
// address. m may be nil, in which case pointer arguments print as addresses.
func Enter(m Memory, nr uintptr, args [6]uintptr) string {
	var b strings.Builder
	c := call{m: m, nr: nr, args: args, spec: lookup(nr)}
	b.WriteString(sysno.Name(nr))
	b.WriteByte('(')
	c.writeArgs(&b, false)
	return b.String()
}

// Exit formats the end of a system call that returned ret, or failed with
// errno when errno != 0 (ret is then ignored). It is meant to be appended to
// Enter's result for the same call.
//
// If the call has output arguments that can be decoded, Exit starts with
// " => " followed by them, comma-separated, in argument order (read's buffer
// as a quoted string of the returned length truncated to 32 bytes, a struct
// stat as {st_mode=S_IFREG|0644, st_size=123, ...}, ...). Output arguments
// are not decoded when the call failed. Then comes ") = " and the result: a
// decimal number, hex for calls that return addresses (mmap, brk, ...),
// "-1 ENOENT (No such file or directory)" for an error,
// "? ERESTARTSYS (To be restarted if SA_RESTART is set)" for the kernel's
// internal restart codes, and "?" for exit and exit_group.
func Exit(m Memory, nr uintptr, args [6]uintptr, ret uintptr, errno unix.Errno) string {
	var b strings.Builder
	c := call{m: m, nr: nr, args: args, spec: lookup(nr), exit: true, ret: ret, errno: errno}
	first := true
	for i, k := range c.spec.args {
		if !c.decodable(i, k) {
			continue
		}
		if first {
			b.WriteString(" => ")
			first = false
		} else {
			b.WriteString(", ")
		}
		c.writeArg(&b, i, k)
	}
	c.writeResult(&b)
	return b.String()
}

// Format formats a complete system call after it has returned, as strace
// prints it: name, arguments with output arguments decoded in place (when the
// call succeeded), ") = " and the result as described for Exit.
func Format(m Memory, nr uintptr, args [6]uintptr, ret uintptr, errno unix.Errno) string {
	var b strings.Builder
	c := call{m: m, nr: nr, args: args, spec: lookup(nr), exit: true, ret: ret, errno: errno}
	b.WriteString(sysno.Name(nr))
	b.WriteByte('(')
	c.writeArgs(&b, true)
	c.writeResult(&b)
	return b.String()
}

// call is one system call being formatted.
type call struct {
	m     Memory
	nr    uintptr
	args  [6]uintptr
	spec  spec
	exit  bool // formatting after return: ret and errno are valid
	ret   uintptr
	errno unix.Errno
}

// decodeOutputs reports whether output arguments hold data worth decoding.
func (c *call) decodeOutputs() bool {
	return c.exit && c.errno == 0 && c.m != nil
}

// decodable reports whether argument i, of kind k, is an output argument
// that writeArg will decode rather than print as an address.
func (c *call) decodable(i int, k kind) bool {
	if !k.isOutput() || !c.decodeOutputs() || c.args[i] == 0 || c.omitted(i, k) {
		return false
	}
	// wait4 and friends fill the status only when they report a child.
	return k != kOutWstatus || int64(c.ret) > 0
}

// writeArgs appends the arguments separated by ", ". If decode, output
// arguments are decoded (when the call succeeded); otherwise they print as
// addresses.
func (c *call) writeArgs(b *strings.Builder, decode bool) {
	saved := c.exit
	if !decode {
		c.exit = false
	}
	for i, k := range c.spec.args {
		if c.omitted(i, k) {
			continue
		}
		if i > 0 {
			b.WriteString(", ")
		}
		c.writeArg(b, i, k)
	}
	c.exit = saved
}

// writeResult appends ") = " and the return value or error.
func (c *call) writeResult(b *strings.Builder) {
	b.WriteString(") = ")
	if c.spec.ret == retNone {
		b.WriteByte('?')
		return
	}
	if c.errno != 0 {
		writeErrno(b, c.errno)
		return
	}
	switch c.spec.ret {
	case retHex:
		writeHex(b, uint64(c.ret))
	default:
		b.WriteString(strconv.FormatInt(int64(c.ret), 10))
	}
}

// Kernel-internal restart codes that a ptrace observer may see in rax.
const (
	errRestartSys          = 512
	errRestartNoIntr       = 513
	errRestartNoHand       = 514
	errNoIoctlCmd          = 515
	errRestartRestartBlock = 516
)

// writeErrno appends a failed call's result the way strace shows it.
func writeErrno(b *strings.Builder, e unix.Errno) {
	var name, msg string
	switch e {
	case errRestartSys:
		name, msg = "ERESTARTSYS", "To be restarted if SA_RESTART is set"
	case errRestartNoIntr:
		name, msg = "ERESTARTNOINTR", "To be restarted"
	case errRestartNoHand:
		name, msg = "ERESTARTNOHAND", "To be restarted if no handler"
	case errNoIoctlCmd:
		name, msg = "ENOIOCTLCMD", "Unknown ioctl code"
	case errRestartRestartBlock:
		name, msg = "ERESTART_RESTARTBLOCK", "Interrupted by signal"
	}
	if name != "" {
		b.WriteString("? ")
		b.WriteString(name)
		b.WriteString(" (")
		b.WriteString(msg)
		b.WriteByte(')')
		return
	}
	b.WriteString("-1 ")
	name = unix.ErrnoName(e)
	if name == "" {
		n := strconv.FormatUint(uint64(e), 10)
		b.WriteString("ERRNO_" + n + " (Unknown error " + n + ")")
		return
	}
	b.WriteString(name)
	b.WriteString(" (")
	msg = e.Error()
	if msg != "" && msg[0] >= 'a' && msg[0] <= 'z' {
		// Go's messages are lower-case; strace prints strerror's.
		b.WriteByte(msg[0] - 'a' + 'A')
		msg = msg[1:]
	}
	b.WriteString(msg)
	b.WriteByte(')')
}
