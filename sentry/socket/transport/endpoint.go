package transport

import (
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/waiter"
)

// allEvents are the events a state change (shutdown, close, reset) may
// make ready.
const allEvents = waiter.EventIn | waiter.EventRdNorm | waiter.EventOut | waiter.EventWrNorm |
	waiter.EventErr | waiter.EventHUp | waiter.EventRdHUp

// Endpoint is one end of a connection: it reads its own Queue and writes
// the peer's. Both ends share one lock (pair).
type Endpoint struct {
	pair *sync.Mutex
	q    *waiter.Queue
	recv *Queue
	peer *Endpoint
	// tcp selects TCP's answers where they differ from AF_UNIX's: a
	// peer's SHUT_RD does not fail writes (the data is dropped), and the
	// first write after the peer closed succeeds (EPIPE comes after).
	tcp bool

	shutRD, shutWR bool
	closed         bool
	// err is the pending error (ECONNRESET after the peer reset).
	err unix.Errno
	// wroteToClosed marks the one write TCP lets through after the peer
	// closed.
	wroteToClosed bool
}

// PairOptions configure NewPair.
type PairOptions struct {
	// Stream selects byte-stream queues (else records, SEQPACKET).
	Stream bool
	// LimitA and LimitB are the byte limits of A's and B's receive queues.
	LimitA, LimitB int
	// TCP selects TCP semantics (see Endpoint.tcp).
	TCP bool
}

// NewPair connects two endpoints whose owners' waiter queues are qa and qb.
func NewPair(qa, qb *waiter.Queue, o PairOptions) (a, b *Endpoint) {
	mu := &sync.Mutex{}
	a = &Endpoint{pair: mu, q: qa, tcp: o.TCP}
	b = &Endpoint{pair: mu, q: qb, tcp: o.TCP}
	a.recv = NewQueue(o.Stream, o.LimitA, 0, qa, qb)
	b.recv = NewQueue(o.Stream, o.LimitB, 0, qb, qa)
	a.peer, b.peer = b, a
	return a, b
}

// Send writes src to the peer: as much as fits in stream mode (EAGAIN if
// nothing does), the whole record otherwise. ctl is cloned.
func (e *Endpoint) Send(src [][]byte, from any, ctl *Control) (int, error) {
	e.pair.Lock()
	defer e.pair.Unlock()
	if e.shutWR || e.closed {
		return 0, unix.EPIPE
	}
	p := e.peer
	if p.closed || p.shutRD {
		if !e.tcp {
			return 0, unix.EPIPE
		}
		if p.shutRD && !p.closed {
			return total(src), nil // dropped
		}
		if !e.wroteToClosed {
			e.wroteToClosed = true
			return total(src), nil
		}
		return 0, unix.EPIPE
	}
	if e.recv.stream && total(src) == 0 {
		return 0, nil
	}
	return p.recv.Enqueue(src, from, ctl)
}

// Recv reads from the endpoint's queue. At end of stream it returns a
// zero Result with eof set; with nothing to read yet, EAGAIN.
func (e *Endpoint) Recv(dst [][]byte, peek bool) (res Result, eof bool, err error) {
	e.pair.Lock()
	defer e.pair.Unlock()
	if r, ok := e.recv.Dequeue(dst, peek); ok {
		return r, false, nil
	}
	if e.err != 0 {
		err := e.err
		e.err = 0
		return res, false, err
	}
	if e.shutRD || e.peer.shutWR || e.peer.closed {
		return res, true, nil
	}
	return res, false, unix.EAGAIN
}

// Shutdown stops reading and/or writing.
func (e *Endpoint) Shutdown(rd, wr bool) {
	e.pair.Lock()
	e.shutRD = e.shutRD || rd
	e.shutWR = e.shutWR || wr
	e.pair.Unlock()
	e.q.Notify(allEvents)
	e.peer.q.Notify(allEvents)
}

// Close ends the endpoint. With unread data (or reset) the peer sees
// ECONNRESET once its queue is drained.
func (e *Endpoint) Close(reset bool) {
	e.pair.Lock()
	if e.closed {
		e.pair.Unlock()
		return
	}
	e.closed = true
	if !e.recv.Empty() || reset {
		if !e.peer.closed {
			e.peer.err = unix.ECONNRESET
		}
	}
	e.recv.Purge()
	e.pair.Unlock()
	e.peer.q.Notify(allEvents)
}

// TakeError returns and clears the pending error.
func (e *Endpoint) TakeError() unix.Errno {
	e.pair.Lock()
	defer e.pair.Unlock()
	err := e.err
	e.err = 0
	return err
}

// PendingError returns the pending error without clearing it.
func (e *Endpoint) PendingError() unix.Errno {
	e.pair.Lock()
	defer e.pair.Unlock()
	return e.err
}

// Readiness returns the ready events in mask, as Linux's unix_poll and
// tcp_poll compute them.
func (e *Endpoint) Readiness(mask waiter.EventMask) waiter.EventMask {
	e.pair.Lock()
	defer e.pair.Unlock()
	var r waiter.EventMask
	p := e.peer
	if e.err != 0 {
		r |= waiter.EventErr
	}
	rcvShut := e.shutRD || p.shutWR || p.closed
	sndShut := e.shutWR || p.closed || (p.shutRD && !e.tcp)
	if rcvShut && sndShut {
		r |= waiter.EventHUp
	}
	if rcvShut {
		r |= waiter.EventRdHUp | waiter.EventIn | waiter.EventRdNorm
	}
	if !e.recv.Empty() {
		r |= waiter.EventIn | waiter.EventRdNorm
	}
	if sndShut || !p.recv.Full() {
		r |= waiter.EventOut | waiter.EventWrNorm
	}
	return r & mask
}

// Queued returns the bytes waiting to be read (FIONREAD).
func (e *Endpoint) Queued() int { return e.recv.Used() }

// NextLen returns the size of the next record (FIONREAD on SEQPACKET).
func (e *Endpoint) NextLen() int { return e.recv.NextLen() }

// Unsent returns the bytes written but not yet read by the peer
// (SIOCOUTQ).
func (e *Endpoint) Unsent() int { return e.peer.recv.Used() }

// SetRecvLimit changes the limit of the endpoint's receive queue.
func (e *Endpoint) SetRecvLimit(n int) { e.recv.SetLimit(n) }

// SetSendLimit changes the limit of the peer's receive queue (what this
// end may have in flight).
func (e *Endpoint) SetSendLimit(n int) { e.peer.recv.SetLimit(n) }
