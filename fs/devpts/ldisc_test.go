package devpts

import (
	"testing"

	"golang.org/x/sys/unix"
)

// feed passes input through the line discipline and returns what a slave
// read (with a large buffer) gets, what the master reads (echo), and the
// signals raised.
func feed(l *ldisc, in string) []unix.Signal {
	_, sigs := l.receive([]byte(in))
	return sigs
}

func readSlave(l *ldisc) (string, bool) {
	buf := make([]byte, 8192)
	n, ok := l.readIn([][]byte{buf})
	return string(buf[:n]), ok
}

func readMaster(l *ldisc) string {
	buf := make([]byte, 8192)
	n := l.readOut([][]byte{buf})
	return string(buf[:n])
}

func TestCanonicalEditing(t *testing.T) {
	for _, c := range []struct {
		name, in, line, echo string
	}{
		{"plain", "hello\r", "hello\n", "hello\r\n"},
		{"erase", "abc\x7fd\n", "abd\n", "abc\b \bd\r\n"},
		{"kill", "abc\x15xy\n", "xy\n", "abc\b \b\b \b\b \bxy\r\n"},
		{"werase", "one two\x17three\n", "one three\n", "one two\b \b\b \b\b \bthree\r\n"},
		{"erase control char", "a\x01\x7f\n", "a\n", "a^A\b \b\b \b\r\n"},
		{"erase empty", "\x7f\x7fz\n", "z\n", "z\r\n"},
		{"lnext", "a\x16\x7fb\n", "a\x7fb\n", "a^\b^?b\r\n"},
		{"utf8 erase", "h\xc3\xa9\x7f\n", "h\n", "h\xc3\xa9\b \b\r\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := newLdisc()
			l.t.Iflag |= unix.IUTF8
			feed(&l, c.in)
			got, ok := readSlave(&l)
			if !ok || got != c.line {
				t.Errorf("slave read %q (ok %v), want %q", got, ok, c.line)
			}
			if e := readMaster(&l); e != c.echo {
				t.Errorf("echo %q, want %q", e, c.echo)
			}
		})
	}
}

func TestCanonicalLinesAndEOF(t *testing.T) {
	l := newLdisc()
	if _, ok := readSlave(&l); ok {
		t.Fatal("read with no input succeeded")
	}
	feed(&l, "partial")
	if _, ok := readSlave(&l); ok {
		t.Fatal("an unterminated line is readable")
	}
	if n := l.inAvailable(); n != 0 {
		t.Errorf("FIONREAD %d with no complete line", n)
	}
	feed(&l, "\nsecond\n\x04tail\x04")
	if n := l.inAvailable(); n != 19 {
		t.Errorf("FIONREAD %d, want 19", n)
	}
	// A small buffer takes part of a line; the rest follows.
	small := make([]byte, 3)
	n, ok := l.readIn([][]byte{small})
	if !ok || string(small[:n]) != "par" {
		t.Fatalf("short read %q", small[:n])
	}
	for _, want := range []string{"tial\n", "second\n", "", "tail"} {
		got, ok := readSlave(&l)
		if !ok || got != want {
			t.Fatalf("read %q (ok %v), want %q", got, ok, want)
		}
	}
	if _, ok := readSlave(&l); ok {
		t.Fatal("read past the input succeeded")
	}
}

func TestNoncanonical(t *testing.T) {
	l := newLdisc()
	feed(&l, "ab")
	tm := l.t
	tm.Lflag &^= unix.ICANON | unix.ECHO
	l.setTermios(tm)
	// The line being edited becomes readable.
	feed(&l, "c\rd")
	if got, ok := readSlave(&l); !ok || got != "abc\nd" {
		t.Errorf("raw read %q, want %q", got, "abc\nd")
	}
	if e := readMaster(&l); e != "ab" {
		t.Errorf("echo %q, want the echo from canonical mode only", e)
	}
	// Back to canonical: pending raw data is one line.
	feed(&l, "xyz")
	tm.Lflag |= unix.ICANON
	l.setTermios(tm)
	if got, ok := readSlave(&l); !ok || got != "xyz" {
		t.Errorf("read %q after switching back", got)
	}
}

func TestSignals(t *testing.T) {
	l := newLdisc()
	feed(&l, "junk")
	sigs := feed(&l, "\x03\x1c\x1a")
	want := []unix.Signal{unix.SIGINT, unix.SIGQUIT, unix.SIGTSTP}
	if len(sigs) != 3 || sigs[0] != want[0] || sigs[1] != want[1] || sigs[2] != want[2] {
		t.Errorf("signals %v, want %v", sigs, want)
	}
	if len(l.edit) != 0 {
		t.Errorf("input not flushed: %q", l.edit)
	}
	if e := readMaster(&l); e != "junk^C^\\^Z" {
		t.Errorf("echo %q", e)
	}
	tm := l.t
	tm.Lflag &^= unix.ISIG
	l.setTermios(tm)
	if sigs := feed(&l, "\x03\n"); len(sigs) != 0 {
		t.Errorf("signals without ISIG: %v", sigs)
	}
	if got, _ := readSlave(&l); got != "\x03\n" {
		t.Errorf("read %q", got)
	}
}

func TestOutputProcessing(t *testing.T) {
	l := newLdisc()
	if n := l.writeOut([]byte("a\nb\tc\r")); n != 6 {
		t.Fatalf("wrote %d", n)
	}
	if got := readMaster(&l); got != "a\r\nb\tc\r" {
		t.Errorf("ONLCR output %q", got)
	}
	l.t.Oflag |= unix.XTABS | unix.OCRNL
	l.writeOut([]byte("ab\tc\r"))
	if got := readMaster(&l); got != "ab      c\n" {
		t.Errorf("XTABS/OCRNL output %q", got)
	}
	l.t.Oflag &^= unix.OPOST
	l.writeOut([]byte("x\n"))
	if got := readMaster(&l); got != "x\n" {
		t.Errorf("raw output %q", got)
	}
}

func TestFlowControlAndLimits(t *testing.T) {
	l := newLdisc()
	feed(&l, "\x13")
	if n := l.writeOut([]byte("x")); n != 0 {
		t.Errorf("wrote %d while stopped", n)
	}
	feed(&l, "\x11")
	if n := l.writeOut([]byte("x")); n != 1 {
		t.Errorf("wrote %d after start", n)
	}
	// Output is bounded.
	big := make([]byte, 2*outBufSize)
	if n := l.writeOut(big); n >= outBufSize {
		t.Errorf("wrote %d into a %d-byte queue", n, outBufSize)
	}
	// A canonical line longer than the buffer is truncated, not blocking.
	l = newLdisc()
	tm := l.t
	tm.Lflag &^= unix.ECHO
	l.setTermios(tm)
	long := make([]byte, 5000)
	for i := range long {
		long[i] = 'a'
	}
	if n, _ := l.receive(long); n != len(long) {
		t.Errorf("canonical receive took %d of %d", n, len(long))
	}
	feed(&l, "\n")
	if got, _ := readSlave(&l); len(got) != inBufSize-1+1 {
		t.Errorf("line of %d bytes, want %d", len(got), inBufSize)
	}
	// Raw input applies back-pressure.
	tm.Lflag &^= unix.ICANON
	l.setTermios(tm)
	if n, _ := l.receive(long); n != inBufSize-1 {
		t.Errorf("raw receive took %d, want %d", n, inBufSize-1)
	}
}

func TestTermiosABI(t *testing.T) {
	tm := defaultTermios()
	b := termiosBytes(&tm)
	var back unix.Termios
	setTermiosBytes(&back, b)
	if back != tm {
		t.Errorf("termios round trip: %+v != %+v", back, tm)
	}
	// struct termios is 36 bytes: c_cc[VMIN] at offset 17+6.
	if b[17+unix.VMIN] != 1 || b[17+unix.VEOF] != 4 {
		t.Errorf("c_cc layout: %v", b[17:36])
	}
	ws := unix.Winsize{Row: 1, Col: 2, Xpixel: 3, Ypixel: 4}
	var ws2 unix.Winsize
	setWinsizeBytes(&ws2, winsizeBytes(&ws))
	if ws != ws2 {
		t.Errorf("winsize round trip %+v", ws2)
	}
}
