package devpts

import (
	"golang.org/x/sys/unix"
)

// The line discipline of a pty (Linux's N_TTY, the parts programs rely
// on): it turns what the master writes into what the slave reads (input
// flags, signal characters, canonical line editing, echo) and what the
// slave writes into what the master reads (output processing).
//
// ldisc is not locked: the pty's mutex guards it.

// inBufSize is the input buffer size (N_TTY_BUF_SIZE): the slave's unread
// input plus the line being edited hold at most inBufSize-1 bytes.
const inBufSize = 4096

// outBufSize bounds what the slave wrote and the master has not read yet;
// a slave write blocks beyond it.
const outBufSize = 16384

// Termios c_cc indexes and flags unix lacks.
const (
	vintr    = unix.VINTR
	vquit    = unix.VQUIT
	verase   = unix.VERASE
	vkill    = unix.VKILL
	veof     = unix.VEOF
	vtime    = unix.VTIME
	vmin     = unix.VMIN
	vstart   = unix.VSTART
	vstop    = unix.VSTOP
	vsusp    = unix.VSUSP
	veol     = unix.VEOL
	vreprint = unix.VREPRINT
	vwerase  = unix.VWERASE
	vlnext   = unix.VLNEXT
	veol2    = unix.VEOL2

	// disabledChar (_POSIX_VDISABLE) disables a special character.
	disabledChar = 0
)

// defaultTermios is a pty slave's initial termios (Linux's tty_std_termios
// with the pty driver's c_cflag).
func defaultTermios() unix.Termios {
	t := unix.Termios{
		Iflag:  unix.ICRNL | unix.IXON,
		Oflag:  unix.OPOST | unix.ONLCR,
		Cflag:  unix.B38400 | unix.CS8 | unix.CREAD,
		Lflag:  unix.ISIG | unix.ICANON | unix.ECHO | unix.ECHOE | unix.ECHOK | unix.ECHOCTL | unix.ECHOKE | unix.IEXTEN,
		Ispeed: 38400,
		Ospeed: 38400,
	}
	cc := map[int]byte{
		vintr: 3, vquit: 28, verase: 0x7f, vkill: 21, veof: 4, vtime: 0, vmin: 1,
		vstart: 17, vstop: 19, vsusp: 26, veol: 0, vreprint: 18, unix.VDISCARD: 15,
		vwerase: 23, vlnext: 22, veol2: 0,
	}
	for i, c := range cc {
		t.Cc[i] = c
	}
	return t
}

// ldisc is the state of one pty's line discipline.
type ldisc struct {
	t unix.Termios

	// in is the input the slave may read. In canonical mode lines are the
	// ends (exclusive offsets into in) of the complete lines; a line of
	// length zero (an end equal to the previous one) is an end of file.
	in    []byte
	lines []int
	// edit is the line being edited in canonical mode.
	edit []byte
	// lnext is set after VLNEXT: the next character is taken literally.
	lnext bool

	// out is the output the master may read.
	out []byte
	// column is the output column (for tabs and erase echo).
	column int
	// stopped is set while output is stopped (VSTOP with IXON, TCOOFF).
	stopped bool
}

func newLdisc() ldisc { return ldisc{t: defaultTermios()} }

func (l *ldisc) lflag(f uint32) bool { return l.t.Lflag&f != 0 }
func (l *ldisc) iflag(f uint32) bool { return l.t.Iflag&f != 0 }
func (l *ldisc) oflag(f uint32) bool { return l.t.Oflag&f != 0 }

// canonical reports ICANON.
func (l *ldisc) canonical() bool { return l.lflag(unix.ICANON) }

// isChar reports whether c is the enabled special character cc[i].
func (l *ldisc) isChar(c byte, i int) bool {
	v := l.t.Cc[i]
	return v != disabledChar && c == v
}

// setTermios installs t, converting buffered input between canonical and
// raw modes as Linux does: input becomes raw data, or pending raw data one
// line.
func (l *ldisc) setTermios(t unix.Termios) {
	was := l.canonical()
	l.t = t
	now := l.canonical()
	switch {
	case was && !now:
		l.in = append(l.in, l.edit...)
		l.edit = nil
		l.lines = nil
	case !was && now:
		l.lines = nil
		if len(l.in) > 0 {
			l.lines = []int{len(l.in)}
		}
	}
	if !l.iflag(unix.IXON) {
		l.stopped = false
	}
}

// flushIn discards unread input and the line being edited.
func (l *ldisc) flushIn() {
	l.in, l.lines, l.edit, l.lnext = nil, nil, nil, false
}

// flushOut discards output the master has not read.
func (l *ldisc) flushOut() { l.out = nil }

// inAvailable returns how many bytes a slave read could return now (what
// FIONREAD reports): the complete lines in canonical mode.
func (l *ldisc) inAvailable() int {
	if !l.canonical() {
		return len(l.in)
	}
	if len(l.lines) == 0 {
		return 0
	}
	return l.lines[len(l.lines)-1]
}

// readable reports whether a read would return something (possibly an end
// of file).
func (l *ldisc) readable() bool {
	if l.canonical() {
		return len(l.lines) > 0
	}
	return len(l.in) > 0
}

// readIn moves input into dst: one line at most in canonical mode. ok is
// false if there is nothing to read; n == 0 with ok is an end of file.
func (l *ldisc) readIn(dst [][]byte) (n int, ok bool) {
	limit := len(l.in)
	if l.canonical() {
		if len(l.lines) == 0 {
			return 0, false
		}
		limit = l.lines[0]
		if limit == 0 {
			l.lines = l.lines[1:]
			return 0, true
		}
	} else if limit == 0 {
		return 0, false
	}
	for _, d := range dst {
		c := copy(d, l.in[n:limit])
		n += c
		if n == limit {
			break
		}
	}
	l.consumeIn(n)
	return n, true
}

// consumeIn drops the first n input bytes.
func (l *ldisc) consumeIn(n int) {
	if n == 0 {
		return
	}
	l.in = l.in[n:]
	if len(l.in) == 0 {
		l.in = nil
	}
	if len(l.lines) > 0 {
		if l.lines[0] == n {
			l.lines = l.lines[1:]
		}
		for i := range l.lines {
			l.lines[i] -= n
		}
	}
}

// inRoom reports whether one more input byte fits.
func (l *ldisc) inRoom() bool { return len(l.in)+len(l.edit) < inBufSize-1 }

// receive processes bytes the master wrote. It returns how many it took
// (fewer than len(src) when the slave's input is full) and the signals
// ISIG characters raise for the foreground process group.
func (l *ldisc) receive(src []byte) (n int, sigs []unix.Signal) {
	for n < len(src) {
		if !l.inRoom() && !l.canonical() {
			break
		}
		if !l.inRoom() && len(l.lines) > 0 {
			// Wait for the reader to take the complete lines.
			break
		}
		if s, ok := l.receiveByte(src[n]); ok {
			sigs = append(sigs, s)
		}
		n++
	}
	return n, sigs
}

// receiveByte processes one input byte; it reports a signal to raise.
func (l *ldisc) receiveByte(c byte) (unix.Signal, bool) {
	if l.iflag(unix.ISTRIP) {
		c &= 0x7f
	}
	if l.lnext {
		l.lnext = false
		if l.lflag(unix.ECHO) && l.lflag(unix.ECHOCTL) {
			// Erase the "^" shown for VLNEXT.
			l.echoRaw('\b')
		}
		l.putLiteral(c)
		return 0, false
	}
	if l.iflag(unix.IXON) {
		switch {
		case l.isChar(c, vstop):
			l.stopped = true
			return 0, false
		case l.isChar(c, vstart):
			l.stopped = false
			return 0, false
		case l.stopped && l.iflag(unix.IXANY):
			l.stopped = false
		}
	}
	if l.lflag(unix.ISIG) {
		var sig unix.Signal
		switch {
		case l.isChar(c, vintr):
			sig = unix.SIGINT
		case l.isChar(c, vquit):
			sig = unix.SIGQUIT
		case l.isChar(c, vsusp):
			sig = unix.SIGTSTP
		}
		if sig != 0 {
			if !l.lflag(unix.NOFLSH) {
				l.flushIn()
			}
			if l.iflag(unix.IXON) {
				l.stopped = false
			}
			if l.lflag(unix.ECHO) {
				l.echo(c)
			}
			return sig, true
		}
	}
	switch c {
	case '\r':
		if l.iflag(unix.IGNCR) {
			return 0, false
		}
		if l.iflag(unix.ICRNL) {
			c = '\n'
		}
	case '\n':
		if l.iflag(unix.INLCR) {
			c = '\r'
		}
	}
	if l.iflag(unix.IUCLC) && l.lflag(unix.IEXTEN) && c >= 'A' && c <= 'Z' {
		c += 'a' - 'A'
	}
	if !l.canonical() {
		l.in = append(l.in, c)
		if l.lflag(unix.ECHO) {
			l.echo(c)
		} else if c == '\n' && l.lflag(unix.ECHONL) {
			l.echo(c)
		}
		return 0, false
	}
	iexten := l.lflag(unix.IEXTEN)
	switch {
	case l.isChar(c, verase), iexten && l.isChar(c, vwerase), l.isChar(c, vkill):
		l.erase(c)
		return 0, false
	case iexten && l.isChar(c, vlnext):
		l.lnext = true
		if l.lflag(unix.ECHO) && l.lflag(unix.ECHOCTL) {
			l.echoRaw('^')
		}
		return 0, false
	case iexten && l.isChar(c, vreprint):
		if l.lflag(unix.ECHO) {
			l.echo(c)
			l.echoRaw('\n')
			for _, b := range l.edit {
				l.echo(b)
			}
		}
		return 0, false
	case c == '\n', l.isChar(c, veol), iexten && l.isChar(c, veol2):
		if len(l.in)+len(l.edit) >= inBufSize {
			return 0, false
		}
		if l.lflag(unix.ECHO) || c == '\n' && l.lflag(unix.ECHONL) {
			l.echo(c)
		}
		l.edit = append(l.edit, c)
		l.pushLine()
		return 0, false
	case l.isChar(c, veof):
		l.pushLine()
		return 0, false
	}
	l.putLiteral(c)
	return 0, false
}

// putLiteral stores an ordinary character (dropped when the buffer is
// full), echoing it.
func (l *ldisc) putLiteral(c byte) {
	if !l.canonical() {
		l.in = append(l.in, c)
		if l.lflag(unix.ECHO) {
			l.echo(c)
		}
		return
	}
	if !l.inRoom() {
		return
	}
	l.edit = append(l.edit, c)
	if l.lflag(unix.ECHO) {
		l.echo(c)
	}
}

// pushLine makes the edited line readable.
func (l *ldisc) pushLine() {
	l.in = append(l.in, l.edit...)
	l.edit = nil
	l.lines = append(l.lines, len(l.in))
}

// erase handles VERASE, VWERASE and VKILL in canonical mode.
func (l *ldisc) erase(c byte) {
	if len(l.edit) == 0 {
		return
	}
	echo := l.lflag(unix.ECHO)
	kill := l.isChar(c, vkill)
	word := !kill && !l.isChar(c, verase)
	if kill && (!echo || !l.lflag(unix.ECHOK) || !l.lflag(unix.ECHOKE) || !l.lflag(unix.ECHOE)) {
		l.edit = nil
		if echo {
			l.echo(c)
			if l.lflag(unix.ECHOK) {
				l.echoRaw('\n')
			}
		}
		return
	}
	seenWord := false
	for len(l.edit) > 0 {
		// One character, with its UTF-8 continuation bytes.
		i := len(l.edit) - 1
		if l.iflag(unix.IUTF8) {
			for i > 0 && l.edit[i]&0xc0 == 0x80 {
				i--
			}
		}
		ch := l.edit[i]
		if word {
			space := ch == ' ' || ch == '\t'
			if space && seenWord {
				break
			}
			if !space {
				seenWord = true
			}
		}
		l.edit = l.edit[:i]
		if echo {
			if l.lflag(unix.ECHOE) {
				w := 1
				if l.lflag(unix.ECHOCTL) && isControl(ch) {
					w = 2
				}
				for ; w > 0; w-- {
					l.echoRaw('\b')
					l.echoRaw(' ')
					l.echoRaw('\b')
				}
			} else if !kill {
				l.echo(c)
			}
		}
		if !kill && !word {
			break
		}
	}
}

// isControl reports a character ECHOCTL shows as ^X.
func isControl(c byte) bool {
	return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f
}

// echo echoes an input character (^X for control characters with
// ECHOCTL).
func (l *ldisc) echo(c byte) {
	if l.lflag(unix.ECHOCTL) && isControl(c) {
		l.echoRaw('^')
		l.echoRaw(c ^ 0x40)
		return
	}
	l.echoRaw(c)
}

// echoRaw sends c to the master through output processing. Echoes are
// dropped when the master's queue is full.
func (l *ldisc) echoRaw(c byte) {
	if len(l.out) >= outBufSize {
		return
	}
	l.out = l.opost(l.out, c)
}

// writeOut processes what the slave wrote into the master's queue. It
// returns how many bytes of src it took (0 when output is stopped or the
// queue is full).
func (l *ldisc) writeOut(src []byte) int {
	n := 0
	for n < len(src) && !l.stopped && len(l.out)+8 <= outBufSize {
		l.out = l.opost(l.out, src[n])
		n++
	}
	return n
}

// opost appends c to out after output processing.
func (l *ldisc) opost(out []byte, c byte) []byte {
	if !l.oflag(unix.OPOST) {
		return append(out, c)
	}
	switch c {
	case '\n':
		if l.oflag(unix.ONLCR) {
			l.column = 0
			return append(out, '\r', '\n')
		}
		if l.oflag(unix.ONLRET) {
			l.column = 0
		}
		return append(out, c)
	case '\r':
		if l.oflag(unix.ONOCR) && l.column == 0 {
			return out
		}
		if l.oflag(unix.OCRNL) {
			if l.oflag(unix.ONLRET) {
				l.column = 0
			}
			return append(out, '\n')
		}
		l.column = 0
		return append(out, c)
	case '\t':
		spaces := 8 - l.column&7
		if l.t.Oflag&unix.TABDLY == unix.XTABS {
			l.column += spaces
			for ; spaces > 0; spaces-- {
				out = append(out, ' ')
			}
			return out
		}
		l.column += spaces
		return append(out, c)
	case '\b':
		if l.column > 0 {
			l.column--
		}
		return append(out, c)
	}
	if l.oflag(unix.OLCUC) && c >= 'a' && c <= 'z' {
		c -= 'a' - 'A'
	}
	if c >= 0x20 && c != 0x7f && (!l.iflag(unix.IUTF8) || c&0xc0 != 0x80) {
		l.column++
	}
	return append(out, c)
}

// readOut moves output into dst for the master.
func (l *ldisc) readOut(dst [][]byte) int {
	n := 0
	for _, d := range dst {
		c := copy(d, l.out[n:])
		n += c
		if n == len(l.out) {
			break
		}
	}
	l.out = l.out[n:]
	if len(l.out) == 0 {
		l.out = nil
	}
	return n
}
