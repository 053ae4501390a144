package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Differential tests for device files and pseudo-terminals (fs/dev,
// fs/devpts).

// TestPtyC runs testdata/pty.c: ptys opened through /dev/ptmx with
// grantpt/unlockpt/ptsname, a child that makes the slave its controlling
// terminal (a shell reading the window size the master set; line editing,
// echo, EOF, raw mode with VMIN, ^C → SIGINT, SIGWINCH, FIONREAD; hangup
// when the master closes), locking, TIOCGPTPEER and /dev/tty without a
// controlling terminal.
func TestPtyC(t *testing.T) {
	requireBusybox(t)
	dir, bin := buildC(t, "pty")
	differential(t, dir, 0, bin)
}

const ptyFork = `
import os, pty, signal, sys
pid, fd = pty.fork()
if pid == 0:
    print("child isatty", os.isatty(0), os.isatty(1), "ttyname", os.ttyname(0)[:9], flush=True)
    print("sid is pid", os.getsid(0) == os.getpid(), "fg is pid", os.tcgetpgrp(0) == os.getpid(), flush=True)
    line = sys.stdin.readline()
    print("child got", repr(line), flush=True)
    os._exit(7)
out = b""
def more():
    global out
    try:
        b = os.read(fd, 1024)
    except OSError:
        return False
    out += b
    return bool(b)
while b"fg is pid" not in out and more():
    pass
os.write(fd, b"typed text\r")
while more():
    pass
_, st = os.waitpid(pid, 0)
print(repr(out))
print("status", os.waitstatus_to_exitcode(st))
`

const ptySpawn = `
import os, pty
st = pty.spawn(["/bin/busybox", "sh", "-c", "echo spawned; tty | cut -c1-9; exit 5"])
print("status", os.waitstatus_to_exitcode(st))
`

// TestPtyPython uses Python's pty module (pty.fork, pty.spawn).
func TestPtyPython(t *testing.T) {
	requireBusybox(t)
	for _, c := range []struct{ name, src string }{{"fork", ptyFork}, {"spawn", ptySpawn}} {
		t.Run(c.name, func(t *testing.T) {
			differential(t, "/", 0, python, "-c", c.src)
		})
	}
}

// TestPtyScript runs util-linux's script(1), which puts a command on a pty.
func TestPtyScript(t *testing.T) {
	const script = "/usr/bin/script"
	if _, err := os.Stat(script); err != nil {
		t.Skipf("%s is absent (apt-get install bsdutils): %v", script, err)
	}
	requireSandboxSignalfd(t)
	dir := t.TempDir()
	for _, f := range []string{"one.txt", "two.txt"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	differential(t, dir, 0, script, "-qc", "ls", "/dev/null")
}

// requireSandboxSignalfd skips a test of a program that needs signalfd(2)
// when the sandbox does not implement it yet.
func requireSandboxSignalfd(t *testing.T) {
	t.Helper()
	bin := buildProcessProg(t, "signalfd_probe", `
#include <signal.h>
#include <sys/signalfd.h>
int main(void) { sigset_t s; sigemptyset(&s); sigaddset(&s, SIGUSR1); return signalfd(-1, &s, 0) < 0; }
`)
	if r := runSandboxed(t, "/", bin); r.status != 0 {
		t.Skip("the sandbox does not implement signalfd(2), which script(1) needs")
	}
}

// TestDevices checks the sentry's device files.
func TestDevices(t *testing.T) {
	requireBusybox(t)
	cases := []struct{ name, script string }{
		{"zero", "head -c 100000 /dev/zero | od -An -tx1 | uniq -c"},
		{"urandom_size", "head -c 12345 /dev/urandom | wc -c; dd if=/dev/random bs=100 count=1 2>/dev/null | wc -c"},
		{"null", "echo discarded > /dev/null && echo write ok; cat /dev/null | wc -c; wc -c < /dev/null"},
		{"full", "echo x > /dev/full; echo status $?; head -c 8 /dev/full | od -An -tx1"},
		{"modes", "ls -l /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty | cut -c1-10; stat -L -c '%n %F %t,%T' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty"},
		{"tty_without_ctty", "exec 2>&1; cat /dev/tty; echo status $?"},
		{"links", "for f in /dev/stdin /dev/stdout /dev/stderr /dev/fd; do readlink $f; done"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			argv := []string{"/bin/busybox", "sh", "-c", c.script}
			if c.name == "tty_without_ctty" {
				// In a new session: the test itself may have a terminal.
				if _, err := os.Stat("/usr/bin/setsid"); err != nil {
					t.Skip("/usr/bin/setsid is absent")
				}
				argv = append([]string{"/usr/bin/setsid", "-w"}, argv...)
			}
			differential(t, "/", -1, argv...)
		})
	}
}

const zeroMmap = `
import mmap, os
fd = os.open("/dev/zero", os.O_RDWR)
p = mmap.mmap(fd, 8192, mmap.MAP_PRIVATE)
print("private zero", p[:4] == b"\0" * 4, p[8191])
p[0:5] = b"hello"
print("private write", p[:5], os.pread(fd, 5, 0))
s = mmap.mmap(fd, 4096, mmap.MAP_SHARED)
pid = os.fork()
if pid == 0:
    s[0:6] = b"shared"
    os._exit(0)
os.waitpid(pid, 0)
print("shared", bytes(s[:6]) in (b"shared", b"\0" * 6))
print("read", len(os.read(fd, 100000)))
`

// TestDevZeroMmap maps /dev/zero privately and shared.
func TestDevZeroMmap(t *testing.T) {
	differential(t, "/", 0, python, "-c", zeroMmap)
}

// TestDevListing checks the /dev tree the sandbox shows.
func TestDevListing(t *testing.T) {
	requireBusybox(t)
	r := runSandboxed(t, "/", "/bin/busybox", "ls", "/dev", "/dev/pts")
	if r.status != 0 {
		t.Fatalf("ls /dev: %v", r)
	}
	out := string(r.stdout)
	for _, want := range []string{"null", "zero", "full", "random", "urandom", "tty", "console", "ptmx", "pts", "shm", "fd", "stdin", "stdout", "stderr"} {
		if !strings.Contains(out, "\n"+want+"\n") {
			t.Errorf("/dev lacks %s:\n%s", want, out)
		}
	}
}
