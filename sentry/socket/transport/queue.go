// Package transport holds the in-memory data paths shared by the socket
// families that connect sockets inside the sandbox (AF_UNIX, and AF_INET/
// AF_INET6 on loopback): a Queue of messages flowing one way, and
// Endpoints, the two ends of a connection built from two Queues.
//
// Nothing here blocks: operations that would have to wait return
// unix.EAGAIN, and the socket layer waits on the owners' waiter queues,
// which the Queue notifies when data arrives (EventIn, on the reader's
// queue) or room appears (EventOut, on the writer's queue and on Space).
package transport

import (
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/waiter"
)

// Creds are the credentials a message carries (SCM_CREDENTIALS) or a
// connection records (SO_PEERCRED).
type Creds struct {
	PID      int32
	UID, GID uint32
}

// Control is the ancillary data of a message.
type Control struct {
	// Rights are file descriptions in flight (SCM_RIGHTS); the holder owns
	// one reference to each.
	Rights []vfs.FileDescription
	// Creds are the sender's credentials, or nil.
	Creds *Creds
}

// Release drops the references to the rights.
func (c *Control) Release() {
	for _, f := range c.Rights {
		f.DecRef()
	}
	c.Rights = nil
}

// Clone returns a copy holding its own references.
func (c *Control) Clone() Control {
	n := Control{Creds: c.Creds}
	if len(c.Rights) > 0 {
		n.Rights = make([]vfs.FileDescription, len(c.Rights))
		for i, f := range c.Rights {
			f.IncRef()
			n.Rights[i] = f
		}
	}
	return n
}

// Message is one record of a Queue: a datagram or SEQPACKET record, or a
// segment of a byte stream.
type Message struct {
	Data []byte
	// From is the sender's address (opaque to the queue).
	From any
	// Control is the ancillary data; the queue owns its references.
	Control Control
}

// Queue is a one-way buffer of messages with a byte limit. In stream mode
// reads run across message boundaries (except where ancillary data
// starts) and writes may be partial; in message mode each read returns at
// most one message and a write is all or nothing. mu guards the fields
// below it.
type Queue struct {
	mu     sync.Mutex
	msgs   []*Message
	used   int
	limit  int
	maxMsg int
	stream bool

	// readerQ and writerQ are the owners to notify (either may be nil).
	readerQ, writerQ *waiter.Queue
	// Space is notified (EventOut) whenever room appears, for writers that
	// are not the queue's fixed writer (senders of unconnected datagrams).
	Space waiter.Queue
}

// NewQueue returns an empty queue holding at most limit bytes (and, if
// maxMsgs > 0, at most that many messages). readerQ and writerQ receive
// the notifications.
func NewQueue(stream bool, limit, maxMsgs int, readerQ, writerQ *waiter.Queue) *Queue {
	return &Queue{stream: stream, limit: limit, maxMsg: maxMsgs, readerQ: readerQ, writerQ: writerQ}
}

// SetLimit changes the byte limit.
func (q *Queue) SetLimit(n int) {
	q.mu.Lock()
	grew := n > q.limit
	q.limit = n
	q.mu.Unlock()
	if grew {
		q.notifyWriters()
	}
}

// SetWriter sets the queue notified when room appears.
func (q *Queue) SetWriter(w *waiter.Queue) {
	q.mu.Lock()
	q.writerQ = w
	q.mu.Unlock()
}

// Limit returns the byte limit.
func (q *Queue) Limit() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.limit
}

func total(src [][]byte) int {
	n := 0
	for _, s := range src {
		n += len(s)
	}
	return n
}

func gather(src [][]byte, n int) []byte {
	b := make([]byte, 0, n)
	for _, s := range src {
		if len(b)+len(s) > n {
			s = s[:n-len(b)]
		}
		b = append(b, s...)
		if len(b) == n {
			break
		}
	}
	return b
}

// Enqueue adds the bytes of src as one message from from with ctl (whose
// references are cloned, not taken). In stream mode it takes as much as
// fits and returns the count; it returns EAGAIN when nothing fits. In
// message mode the message fits whole or EAGAIN is returned.
func (q *Queue) Enqueue(src [][]byte, from any, ctl *Control) (int, error) {
	n := total(src)
	q.mu.Lock()
	if q.stream {
		room := q.limit - q.used
		if room <= 0 {
			q.mu.Unlock()
			return 0, unix.EAGAIN
		}
		n = min(n, room)
	} else if (q.used+n > q.limit && len(q.msgs) > 0) || (q.maxMsg > 0 && len(q.msgs) >= q.maxMsg) {
		q.mu.Unlock()
		return 0, unix.EAGAIN
	}
	m := &Message{Data: gather(src, n), From: from}
	if ctl != nil {
		m.Control = ctl.Clone()
	}
	q.msgs = append(q.msgs, m)
	q.used += n
	r := q.readerQ
	q.mu.Unlock()
	if r != nil {
		r.Notify(waiter.EventIn | waiter.EventRdNorm)
	}
	return n, nil
}

// Result is what Dequeue returns.
type Result struct {
	// N is the number of bytes copied, MsgLen the length of the message
	// read (message mode; N in stream mode).
	N, MsgLen int
	From      any
	// Control holds references the caller owns.
	Control Control
}

func sameCreds(a, b *Creds) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// Dequeue reads into dst. ok is false when the queue is empty (nothing is
// read then). With peek nothing is consumed (rights are duplicated).
func (q *Queue) Dequeue(dst [][]byte, peek bool) (res Result, ok bool) {
	dst = append([][]byte(nil), dst...)
	q.mu.Lock()
	if len(q.msgs) == 0 {
		q.mu.Unlock()
		return res, false
	}
	freed := 0
	if !q.stream {
		m := q.msgs[0]
		res.N = copyOut(dst, m.Data)
		res.MsgLen = len(m.Data)
		res.From = m.From
		if peek {
			res.Control = m.Control.Clone()
		} else {
			res.Control = m.Control
			q.msgs[0] = nil
			q.msgs = q.msgs[1:]
			q.used -= len(m.Data)
			freed = len(m.Data)
		}
	} else {
		i := 0
		var creds *Creds
		for i < len(q.msgs) {
			m := q.msgs[i]
			if res.N > 0 && (len(m.Control.Rights) > 0 || !sameCreds(m.Control.Creds, creds)) {
				break
			}
			if res.N == 0 {
				res.From = m.From
				creds = m.Control.Creds
				res.Control.Creds = creds
			}
			c := copyOut(dst, m.Data)
			dst = advance(dst, c)
			res.N += c
			hadRights := len(m.Control.Rights) > 0
			if hadRights {
				if peek {
					res.Control.Rights = m.Control.Clone().Rights
				} else {
					res.Control.Rights = m.Control.Rights
					m.Control.Rights = nil
				}
			}
			if peek {
				if c < len(m.Data) {
					break
				}
				i++
			} else {
				m.Data = m.Data[c:]
				q.used -= c
				freed += c
				if len(m.Data) > 0 {
					break
				}
				q.msgs[0] = nil
				q.msgs = q.msgs[1:]
			}
			if hadRights || len(dst) == 0 {
				break
			}
		}
		res.MsgLen = res.N
	}
	if len(q.msgs) == 0 {
		q.msgs = nil
	}
	q.mu.Unlock()
	if freed > 0 {
		q.notifyWriters()
	}
	return res, true
}

func (q *Queue) notifyWriters() {
	q.mu.Lock()
	w := q.writerQ
	q.mu.Unlock()
	if w != nil {
		w.Notify(waiter.EventOut | waiter.EventWrNorm)
	}
	q.Space.Notify(waiter.EventOut | waiter.EventWrNorm)
}

func copyOut(dst [][]byte, src []byte) int {
	n := 0
	for _, d := range dst {
		if len(src) == 0 {
			break
		}
		c := copy(d, src)
		src = src[c:]
		n += c
	}
	return n
}

func advance(bufs [][]byte, n int) [][]byte {
	for n > 0 && len(bufs) > 0 {
		c := min(n, len(bufs[0]))
		bufs[0] = bufs[0][c:]
		n -= c
		if len(bufs[0]) == 0 {
			bufs = bufs[1:]
		}
	}
	for len(bufs) > 0 && len(bufs[0]) == 0 {
		bufs = bufs[1:]
	}
	return bufs
}

// Empty reports whether nothing is queued.
func (q *Queue) Empty() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.msgs) == 0
}

// Used returns the bytes queued.
func (q *Queue) Used() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.used
}

// NextLen returns the size of the next message (FIONREAD on datagram
// sockets), or 0.
func (q *Queue) NextLen() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.msgs) == 0 {
		return 0
	}
	return len(q.msgs[0].Data)
}

// Full reports whether a writer would have to wait.
func (q *Queue) Full() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.used >= q.limit || (q.maxMsg > 0 && len(q.msgs) >= q.maxMsg)
}

// Purge drops everything queued (releasing rights) and reports whether
// anything was.
func (q *Queue) Purge() bool {
	q.mu.Lock()
	msgs := q.msgs
	q.msgs = nil
	q.used = 0
	q.mu.Unlock()
	for _, m := range msgs {
		m.Control.Release()
	}
	if len(msgs) > 0 {
		q.notifyWriters()
	}
	return len(msgs) > 0
}

// Readiness implements waiter.Waitable for writers waiting for room.
func (q *Queue) Readiness(mask waiter.EventMask) waiter.EventMask {
	if !q.Full() {
		return mask & (waiter.EventOut | waiter.EventWrNorm)
	}
	return 0
}

// EventRegister implements waiter.Waitable (on Space).
func (q *Queue) EventRegister(e *waiter.Entry) { q.Space.EventRegister(e) }

// EventUnregister implements waiter.Waitable.
func (q *Queue) EventUnregister(e *waiter.Entry) { q.Space.EventUnregister(e) }
