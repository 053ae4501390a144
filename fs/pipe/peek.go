package pipe

// Peek copies up to len(dst) unread bytes without consuming them (tee(2)).
// It returns the count, and whether the pipe is empty with no writers
// left (end of file).
func (p *Pipe) Peek(dst []byte) (n int, eof bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range p.bufs {
		if n == len(dst) {
			break
		}
		c := copy(dst[n:], b.data[b.off:b.off+b.len])
		n += c
		if b.packet {
			break
		}
	}
	return n, n == 0 && p.writers == 0
}

// HasWriters reports whether a write end is still open.
func (p *Pipe) HasWriters() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.writers > 0
}
