package pipe

import (
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/waiter"
)

// Named pipes (FIFOs). A filesystem's FIFO inode owns a Pipe made by
// NewFIFO and opens any number of ends on it with OpenEnd; the pipe counts
// readers and writers as they open and close. Blocking in open(2) until the
// other side appears is the filesystem's business (see fs/tmpfs).

// NewFIFO returns a pipe with no ends open, owned by uid/gid.
func NewFIFO(uid, gid uint32) *Pipe {
	now := time.Now()
	return &Pipe{
		ino: lastIno.Add(1), uid: uid, gid: gid,
		slots: DefaultSize / PageSize, atime: now, mtime: now,
		fifoEnds: map[*End]struct{}{},
	}
}

// OpenEnd opens a new read or write end of a pipe made by NewFIFO, with
// one reference and the given status flags.
func (p *Pipe) OpenEnd(read bool, flags uint32) *End {
	e := &End{p: p, read: read, flags: unix.O_WRONLY}
	if read {
		e.flags = unix.O_RDONLY
	}
	e.flags |= flags &^ unix.O_ACCMODE
	e.InitRefs()
	e.Release = e.release
	p.mu.Lock()
	if read {
		p.readers++
	} else {
		p.writers++
	}
	p.mu.Unlock()
	p.fifoMu.Lock()
	p.fifoEnds[e] = struct{}{}
	p.fifoMu.Unlock()
	p.notify(waiter.EventIn | waiter.EventRdNorm | waiter.EventOut | waiter.EventWrNorm)
	return e
}

// Counts returns the number of open read and write ends.
func (p *Pipe) Counts() (readers, writers int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.readers, p.writers
}

func (p *Pipe) notifyFIFO(mask waiter.EventMask) {
	if p.fifoEnds == nil {
		return
	}
	p.fifoMu.Lock()
	ends := make([]*End, 0, len(p.fifoEnds))
	for e := range p.fifoEnds {
		ends = append(ends, e)
	}
	p.fifoMu.Unlock()
	for _, e := range ends {
		e.q.Notify(mask)
	}
}

func (p *Pipe) forgetFIFOEnd(e *End) {
	if p.fifoEnds == nil {
		return
	}
	p.fifoMu.Lock()
	delete(p.fifoEnds, e)
	p.fifoMu.Unlock()
}
