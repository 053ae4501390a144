package e2e

// Interactive terminals: a container's console (terminal: true with
// --console-socket, as docker and containerd use it), `runsc run` and
// `runsc exec -t` on a terminal the test owns. The test types into the pty
// master as a user would and drives busybox sh's job control: ^C kills the
// foreground job only, ^Z stops it, jobs/fg, `stty size` is the outer
// window and a resize delivers SIGWINCH. runc runs the same script (the
// oracle). The design is in fs/host/tty.go.

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// ptySession is the test's end of a terminal: what is typed into the pty
// master, and what came out of it.
type ptySession struct {
	t      *testing.T
	name   string
	master *os.File
	mu     sync.Mutex
	out    []byte
	// mark is where the next expect starts looking.
	mark   int
	closed chan struct{}
}

func newPtySession(t *testing.T, name string, master *os.File) *ptySession {
	s := &ptySession{t: t, name: name, master: master, closed: make(chan struct{})}
	go func() {
		defer close(s.closed)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			s.mu.Lock()
			s.out = append(s.out, buf[:max(n, 0)]...)
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { master.Close() })
	return s
}

// send types text.
func (s *ptySession) send(text string) {
	s.t.Helper()
	if _, err := s.master.Write([]byte(text)); err != nil {
		s.t.Fatalf("%s: typing %q: %v", s.name, text, err)
	}
}

// expect waits until the output after the mark matches re; it returns the
// output from the mark to the end of the match and moves the mark there.
func (s *ptySession) expect(re string, timeout time.Duration) string {
	s.t.Helper()
	out, ok := s.tryExpect(re, timeout)
	if !ok {
		s.t.Fatalf("%s: no %q on the terminal within %v; output since the last match:\n%q", s.name, re, timeout, out)
	}
	return out
}

// tryExpect is expect that reports a timeout instead of failing.
func (s *ptySession) tryExpect(re string, timeout time.Duration) (string, bool) {
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(timeout)
	for {
		s.mu.Lock()
		seg := string(s.out[s.mark:])
		if loc := rx.FindStringIndex(seg); loc != nil {
			s.mark += loc[1]
			s.mu.Unlock()
			return seg[:loc[1]], true
		}
		s.mu.Unlock()
		if time.Now().After(deadline) {
			return seg, false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// setSize sets the terminal's window size from the master's side.
func (s *ptySession) setSize(rows, cols uint16) {
	s.t.Helper()
	if err := unix.IoctlSetWinsize(int(s.master.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols}); err != nil {
		s.t.Fatalf("TIOCSWINSZ: %v", err)
	}
}

// openTestPty opens a pty pair owned by the test.
func openTestPty(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no /dev/ptmx: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetUint32(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	sl, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return m, sl
}

// startOnPty starts argv with the slave as its stdio and controlling
// terminal (a session of its own), as a shell starts a program in a
// terminal window; the process is killed at the end of the test. The
// channel is closed once it exited (cmd.ProcessState is set then).
func startOnPty(t *testing.T, slave *os.File, argv ...string) (*exec.Cmd, <-chan struct{}) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.Env = append(append([]string{}, env...), "TERM=xterm")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	return cmd, exited
}

// receiveConsole listens on a new console socket and returns its path and
// the channel the pty master arrives on (nil on failure).
func receiveConsole(t *testing.T) (string, <-chan *os.File) {
	t.Helper()
	dir, err := os.MkdirTemp("", "stk-console-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "console.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan *os.File, 1)
	go func() {
		defer l.Close()
		c, err := l.AcceptUnix()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		buf := make([]byte, 4096)
		oob := make([]byte, unix.CmsgSpace(4))
		_, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
		if err != nil {
			got <- nil
			return
		}
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil || len(msgs) != 1 {
			got <- nil
			return
		}
		fds, err := unix.ParseUnixRights(&msgs[0])
		if err != nil || len(fds) != 1 {
			got <- nil
			return
		}
		got <- os.NewFile(uintptr(fds[0]), "console")
	}()
	return sock, got
}

// winchScript traps SIGWINCH and waits (checkWinch).
const winchScript = "#!/bin/sh\ntrap 'echo W$((3+4))' WINCH\necho T$((4+5))\nwhile :; do sleep 0.1; done\n"

// addTerminalTools adds stty, tty and the winch script to a bundle.
func addTerminalTools(t *testing.T, bundle string) {
	t.Helper()
	bin := filepath.Join(bundle, "rootfs", "bin")
	for _, a := range []string{"stty", "tty"} {
		os.Symlink("busybox", filepath.Join(bin, a))
	}
	if err := os.WriteFile(filepath.Join(bin, "winch"), []byte(winchScript), 0o755); err != nil {
		t.Fatal(err)
	}
}

// terminalBundle is a bundle whose process is an interactive busybox sh on
// a terminal.
func terminalBundle(t *testing.T) string {
	t.Helper()
	bundle := ociBundle(t, "sh")
	addTerminalTools(t, bundle)
	setConfig(t, bundle, func(c map[string]any) {
		p := c["process"].(map[string]any)
		p["terminal"] = true
		p["env"] = []any{"PATH=/bin", "TERM=xterm", "PS1=$ "}
	})
	return bundle
}

// Timeouts of the interactive steps (the machine may be loaded).
const (
	ttyStep = 20 * time.Second
	ttyTry  = 2 * time.Second
)

// checkShellReady waits for the shell to answer a command.
func checkShellReady(s *ptySession) {
	s.t.Helper()
	// $((..)) makes the answer differ from the echo of what was typed.
	s.send("echo R$((1+1))\r")
	out := s.expect(`\bR2\b`, ttyStep)
	if strings.Contains(out, "job control turned off") {
		s.t.Errorf("%s: the shell has no job control: %q", s.name, out)
	}
}

// checkStty requires `stty size` to print rows and cols.
func checkStty(s *ptySession, rows, cols int) {
	s.t.Helper()
	s.send("stty size; echo Z$((2*3))\r")
	out := s.expect(`\bZ6\b`, ttyStep)
	if !strings.Contains(out, fmt.Sprintf("%d %d", rows, cols)) {
		s.t.Errorf("%s: stty size: %q, want \"%d %d\"", s.name, out, rows, cols)
	}
}

// checkWinch resizes the terminal with resize while a foreground job traps
// SIGWINCH, which must run the trap; ^C then ends the job.
func checkWinch(s *ptySession, resize func()) {
	s.t.Helper()
	s.send("winch\r")
	s.expect(`\bT9\b`, ttyStep)
	time.Sleep(200 * time.Millisecond)
	resize()
	s.expect(`\bW7\b`, ttyStep)
	s.send("\x03")
	s.send("echo A$((2+3))\r")
	s.expect(`\bA5\b`, ttyStep)
}

// checkJobControl runs the job control script: a background job, ^Z of a
// foreground job, jobs, fg, ^C of the foreground job only.
func checkJobControl(s *ptySession) {
	s.t.Helper()
	s.send("sleep 100 &\r")
	s.send("jobs; echo J$((5+5))\r")
	out := s.expect(`\bJ10\b`, ttyStep)
	if !regexp.MustCompile(`Running\s+sleep 100`).MatchString(out) {
		s.t.Errorf("%s: jobs after sleep 100 &: %q", s.name, out)
	}

	// ^Z stops the foreground job (sent again if it came before the job
	// had the terminal).
	s.send("sleep 101\r")
	time.Sleep(500 * time.Millisecond)
	stopped := false
	for i := 0; i < 8 && !stopped; i++ {
		s.send("\x1a")
		_, stopped = s.tryExpect(`Stopped`, ttyTry)
	}
	if !stopped {
		s.t.Fatalf("%s: ^Z did not stop the foreground job: %q", s.name, s.rest())
	}
	s.send("jobs; echo K$((5+6))\r")
	out = s.expect(`\bK11\b`, ttyStep)
	if !regexp.MustCompile(`Stopped\s+sleep 101`).MatchString(out) || !regexp.MustCompile(`Running\s+sleep 100`).MatchString(out) {
		s.t.Errorf("%s: jobs after ^Z: %q", s.name, out)
	}

	// fg resumes it in the foreground; ^C kills it, not the shell nor the
	// background job.
	s.send("fg %2\r")
	s.expect(`sleep 101`, ttyStep)
	time.Sleep(500 * time.Millisecond)
	s.send("\x03")
	s.send("echo B$((3+3))\r")
	if _, ok := s.tryExpect(`\bB6\b`, 3*ttyTry); !ok {
		// The ^C came before fg gave the job the terminal.
		s.send("\x03")
		s.send("echo B$((3+3))\r")
		s.expect(`\bB6\b`, ttyStep)
	}
	s.send("jobs; echo L$((6+6))\r")
	out = s.expect(`\bL12\b`, ttyStep)
	if !regexp.MustCompile(`Running\s+sleep 100`).MatchString(out) || strings.Contains(out, "sleep 101") {
		s.t.Errorf("%s: jobs after fg and ^C: %q (want sleep 100 running, sleep 101 gone)", s.name, out)
	}
	s.send("kill %1; echo C$((7+7))\r")
	s.expect(`\bC14\b`, ttyStep)
}

// rest is the output after the mark.
func (s *ptySession) rest() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.out[s.mark:])
}

// exitShell ends the shell and waits for the terminal to close.
func (s *ptySession) exitShell() {
	s.t.Helper()
	s.send("exit\r")
	select {
	case <-s.closed:
	case <-time.After(ttyStep):
		s.t.Errorf("%s: the terminal did not close after exit: %q", s.name, s.rest())
	}
}

// TestTerminalConsoleSocket: the container's console through
// --console-socket (what docker -it and containerd use): job control and
// window size inside the container, with runc and runsc.
func TestTerminalConsoleSocket(t *testing.T) {
	rts := ociRuntimes(t)
	bundle := terminalBundle(t)
	for _, r := range rts {
		t.Run(r.name, func(t *testing.T) {
			id := ociID(t, "tty-console")
			r.cleanup(t, id)
			sock, got := receiveConsole(t)
			if res := r.call(t, "create", "--bundle", bundle, "--console-socket", sock, id); res.code != 0 {
				t.Fatalf("%s create: %v", r.name, res)
			}
			var master *os.File
			select {
			case master = <-got:
			case <-time.After(10 * time.Second):
			}
			if master == nil {
				t.Fatalf("%s: no pty master on the console socket", r.name)
			}
			s := newPtySession(t, r.name, master)
			s.setSize(24, 80)
			if res := r.call(t, "start", id); res.code != 0 {
				t.Fatalf("%s start: %v", r.name, res)
			}
			checkShellReady(s)
			checkStty(s, 24, 80)
			s.setSize(33, 77)
			checkStty(s, 33, 77)
			checkWinch(s, func() { s.setSize(40, 100) })
			checkJobControl(s)
			s.send("tty; echo Y$((4+4))\r")
			if out := s.expect(`\bY8\b`, ttyStep); !strings.Contains(out, "/dev/") {
				t.Errorf("%s: tty: %q", r.name, out)
			}
			s.send("exit\r")
			r.waitStatus(t, id, "stopped")
		})
	}
}

// TestTerminalRun: `runsc run` of a terminal bundle on a terminal the test
// owns (runsc run copies between it and the container's pty): the window
// size follows the outer terminal, ^C and ^Z reach the job inside.
func TestTerminalRun(t *testing.T) {
	rts := ociRuntimes(t)
	bundle := terminalBundle(t)
	for _, r := range rts {
		t.Run(r.name, func(t *testing.T) {
			id := ociID(t, "tty-run")
			r.cleanup(t, id)
			master, slave := openTestPty(t)
			defer slave.Close()
			s := newPtySession(t, r.name, master)
			s.setSize(30, 90)
			argv := append(append(append([]string{}, r.argv...), "--root", r.root), "run", "--bundle", bundle, id)
			cmd, exited := startOnPty(t, slave, argv...)
			checkShellReady(s)
			checkStty(s, 30, 90)
			// The outer terminal resized: runsc run (its controlling
			// process) gets SIGWINCH and resizes the container's.
			checkWinch(s, func() { s.setSize(35, 95) })
			checkStty(s, 35, 95)
			checkJobControl(s)
			s.send("exit 3\r")
			select {
			case <-exited:
				if c := cmd.ProcessState.ExitCode(); c != 3 {
					t.Errorf("%s run: exit %d, want 3", r.name, c)
				}
			case <-time.After(ttyStep):
				t.Errorf("%s run did not exit after the shell's exit: %q", r.name, s.rest())
			}
		})
	}
}

// TestTerminalExec: `runsc exec -t` of a shell in a running container, on
// a terminal the test owns.
func TestTerminalExec(t *testing.T) {
	rts := ociRuntimes(t)
	bundle := ociBundle(t, "sleep", "1000")
	addTerminalTools(t, bundle)
	for _, r := range rts {
		t.Run(r.name, func(t *testing.T) {
			id := ociID(t, "tty-exec")
			r.cleanup(t, id)
			if res := r.call(t, "run", "--detach", "--bundle", bundle, id); res.code != 0 {
				t.Fatalf("%s run --detach: %v", r.name, res)
			}
			master, slave := openTestPty(t)
			defer slave.Close()
			s := newPtySession(t, r.name, master)
			s.setSize(28, 88)
			argv := append(append(append([]string{}, r.argv...), "--root", r.root), "exec", "-t", "--env", "PS1=$ ", "--env", "TERM=xterm", id, "sh")
			startOnPty(t, slave, argv...)
			checkShellReady(s)
			checkStty(s, 28, 88)
			checkWinch(s, func() { s.setSize(31, 91) })
			checkStty(s, 31, 91)
			checkJobControl(s)
			s.send("exit\r")
			time.Sleep(200 * time.Millisecond)
		})
	}
}

// TestTerminalPodContainer: a later container of a pod with a terminal
// (its console through --console-socket, as containerd's CRI gives it):
// its proxy process relays the terminal's signals into it, so job control
// and window size work as in the pod's first container. runsc only (runc
// has no pods).
func TestTerminalPodContainer(t *testing.T) {
	r := runscOnly(t)
	sbID := ociID(t, "podsh")
	cID := sbID + "-c"
	for _, id := range []string{cID, sbID} {
		r.cleanup(t, id)
	}
	sbBundle := podBundle(t, "sb", map[string]string{"io.kubernetes.cri.container-type": "sandbox"}, "sleep", "1000")
	cBundle := podBundle(t, "c", map[string]string{
		"io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-id": sbID,
	}, "sh")
	addTerminalTools(t, cBundle)
	setConfig(t, cBundle, func(c map[string]any) {
		p := c["process"].(map[string]any)
		p["terminal"] = true
		p["env"] = []any{"PATH=/bin", "TERM=xterm", "PS1=$ "}
	})
	if res := r.call(t, "run", "--detach", "--bundle", sbBundle, sbID); res.code != 0 {
		t.Fatalf("run %s: %v", sbID, res)
	}
	sock, got := receiveConsole(t)
	if res := r.call(t, "create", "--bundle", cBundle, "--console-socket", sock, cID); res.code != 0 {
		t.Fatalf("create %s: %v", cID, res)
	}
	var master *os.File
	select {
	case master = <-got:
	case <-time.After(10 * time.Second):
	}
	if master == nil {
		t.Fatal("no pty master on the console socket")
	}
	s := newPtySession(t, "pod container", master)
	s.setSize(25, 79)
	if res := r.call(t, "start", cID); res.code != 0 {
		t.Fatalf("start %s: %v", cID, res)
	}
	checkShellReady(s)
	checkStty(s, 25, 79)
	checkWinch(s, func() { s.setSize(34, 99) })
	checkJobControl(s)
	s.send("exit\r")
	r.waitStatus(t, cID, "stopped")
	if st := r.state(t, sbID); st == nil || st["status"] != "running" {
		t.Errorf("the pod's first container after the terminal container's exit: %v; want running", st)
	}
}
