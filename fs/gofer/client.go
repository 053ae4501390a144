package gofer

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"stockade.dev/gofer/proto"
)

// Client is the sentry's end of a gofer connection: a pool of channels
// (SOCK_SEQPACKET connections), each carrying one request at a time.
type Client struct {
	pool     chan *conn
	conns    atomic.Int32
	maxConns int32
	nextID   atomic.Uint64
	dead     atomic.Bool

	relMu   sync.Mutex
	release []uint64
}

type conn struct {
	sock int
	rbuf []byte
	oob  []byte
	wbuf []byte
}

func newConn(sock int) *conn {
	return &conn{sock: sock, rbuf: make([]byte, proto.MaxMessage), oob: make([]byte, proto.OOBSize), wbuf: make([]byte, 0, 512)}
}

// DefaultChannels is how many connections a client opens at most.
const DefaultChannels = 8

// NewClient returns a client on the connected socket sock (which it owns).
// More channels (up to maxConns; 0 means DefaultChannels) are opened on
// demand when requests run concurrently.
func NewClient(sock int, maxConns int) *Client {
	if maxConns <= 0 {
		maxConns = DefaultChannels
	}
	c := &Client{pool: make(chan *conn, maxConns), maxConns: int32(maxConns)}
	c.conns.Store(1)
	c.pool <- newConn(sock)
	return c
}

// get takes a free channel, opening a new one when all are busy.
func (c *Client) get() *conn {
	select {
	case x := <-c.pool:
		return x
	default:
	}
	if c.conns.Add(1) <= c.maxConns {
		x := <-c.pool
		_, fd, err := c.callOn(x, proto.OpChannel, nil, nil, false)
		if err == nil && fd >= 0 {
			c.pool <- x
			return newConn(fd)
		}
		c.conns.Add(-1)
		return x
	}
	c.conns.Add(-1)
	return <-c.pool
}

// Call sends one request and waits for its response, decoded into resp.
// It returns the host fd the response carried (or -1) and the errno as an
// error. With partial, a response with ENOENT still has its body decoded
// (walk).
func (c *Client) Call(op proto.Op, req, resp proto.Message, partial bool) (int, error) {
	if c.dead.Load() {
		return -1, unix.EIO
	}
	x := c.get()
	ok, fd, err := c.callOn(x, op, req, resp, partial)
	if !ok && x.sock >= 0 {
		// The gofer is gone or spoke nonsense: this client answers EIO
		// from now on. The broken channel goes back to the pool so that
		// callers waiting for one get their EIO too.
		unix.Close(x.sock)
		x.sock = -1
		c.dead.Store(true)
	}
	c.pool <- x
	return fd, err
}

// callOn does one round trip on x. ok reports whether x is still usable.
func (c *Client) callOn(x *conn, op proto.Op, req, resp proto.Message, partial bool) (ok bool, fd int, err error) {
	if x.sock < 0 {
		return false, -1, unix.EIO
	}
	id := c.nextID.Add(1)
	x.wbuf = proto.AppendRequest(x.wbuf[:0], op, id, req)
	if err := proto.Send(x.sock, x.wbuf, -1); err != nil {
		return false, -1, unix.EIO
	}
	msg, fd, err := proto.Recv(x.sock, x.rbuf, x.oob)
	if err != nil || len(msg) == 0 {
		return false, -1, unix.EIO
	}
	h, err := proto.ParseHeader(msg)
	if err != nil || h.ID != id || h.Op != op || h.Flags&proto.FlagResponse == 0 || h.Version != proto.Version {
		if fd >= 0 {
			unix.Close(fd)
		}
		return false, -1, unix.EIO
	}
	errno, err := proto.DecodeResponse(msg, resp, partial)
	if err != nil {
		if fd >= 0 {
			unix.Close(fd)
		}
		return false, -1, unix.EIO
	}
	if errno != 0 {
		if fd >= 0 {
			unix.Close(fd)
		}
		return true, -1, errno
	}
	return true, fd, nil
}

// Release queues handle h for closing; handles go to the gofer in
// batches.
func (c *Client) Release(h uint64) {
	c.relMu.Lock()
	c.release = append(c.release, h)
	var batch []uint64
	if len(c.release) >= 64 {
		batch, c.release = c.release, nil
	}
	c.relMu.Unlock()
	if batch != nil {
		c.Call(proto.OpClose, &proto.CloseReq{Handles: batch}, nil, false)
	}
}

// Flush sends the queued releases.
func (c *Client) Flush() {
	c.relMu.Lock()
	batch := c.release
	c.release = nil
	c.relMu.Unlock()
	for len(batch) > 0 {
		k := min(len(batch), proto.MaxClose)
		c.Call(proto.OpClose, &proto.CloseReq{Handles: batch[:k]}, nil, false)
		batch = batch[k:]
	}
}

// Close closes the channels once idle; later calls fail with EIO.
func (c *Client) Close() {
	c.dead.Store(true)
	var idle []*conn
	for range c.conns.Load() {
		x := <-c.pool
		if x.sock >= 0 {
			unix.Close(x.sock)
			x.sock = -1
		}
		idle = append(idle, x)
	}
	for _, x := range idle {
		c.pool <- x
	}
}
