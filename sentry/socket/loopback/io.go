package loopback

import (
	"net/netip"

	linux "golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/socket"
	"stockade.dev/sentry/socket/transport"
	"stockade.dev/sentry/waiter"
)

func (s *Socket) endpoint() *transport.Endpoint {
	mu.Lock()
	defer mu.Unlock()
	return s.ep
}

// Send implements socket.Socket.
func (s *Socket) Send(t *kernel.Task, src [][]byte, o *socket.SendOpts) (int, error) {
	if o == nil {
		o = &socket.SendOpts{}
	}
	nonblock := t == nil || s.Nonblocking(o.Flags)
	if s.udp() {
		return s.sendUDP(t, src, o)
	}
	ep := s.endpoint()
	if ep == nil {
		if err := s.TakeError(); err != nil {
			return 0, err
		}
		return 0, linux.EPIPE
	}
	total := socket.Total(src)
	sent := 0
	err := socket.Wait(t, s, waiter.EventOut, nonblock, s.Deadline(true), func() error {
		n, err := ep.Send(socket.Skip(src, sent), nil, nil)
		sent += n
		if err != nil {
			return err
		}
		if sent < total {
			return linux.EAGAIN
		}
		return nil
	})
	if sent > 0 {
		return sent, nil
	}
	if err == linux.EPIPE {
		if e := ep.TakeError(); e != 0 {
			return 0, e
		}
	}
	return 0, err
}

func (s *Socket) sendUDP(t *kernel.Task, src [][]byte, o *socket.SendOpts) (int, error) {
	total := socket.Total(src)
	if total > maxUDP || s.v6 && total > maxUDP+20 {
		return 0, linux.EMSGSIZE
	}
	mu.Lock()
	var dst netip.AddrPort
	if len(o.To) > 0 {
		sa, err := parse(s.v6, o.To)
		if err != nil {
			mu.Unlock()
			return 0, err
		}
		if sa.unspec && s.connected {
			dst = s.remote
		} else {
			if dst, err = s.destinationLocked(sa); err != nil {
				mu.Unlock()
				return 0, err
			}
			if dst.Port() == 0 {
				mu.Unlock()
				return 0, linux.EINVAL
			}
		}
	} else if !s.connected {
		mu.Unlock()
		return 0, linux.EDESTADDRREQ
	} else {
		dst = s.remote
	}
	if s.shutWR {
		mu.Unlock()
		return 0, linux.EPIPE
	}
	if err := s.autobindLocked(t); err != nil {
		mu.Unlock()
		return 0, err
	}
	if err := s.TakeError(); err != nil {
		mu.Unlock()
		return 0, err
	}
	from := netip.AddrPortFrom(s.sourceForLocked(dst.Addr()), s.bind.port)
	target := findUDPLocked(dst, from)
	if target != nil && !target.shutRD {
		target.recvQ.Enqueue(src, from, nil) // dropped when full, as UDP
	}
	connected := s.connected
	mu.Unlock()
	if target == nil && connected {
		// The port unreachable error of a connected socket.
		s.SetError(linux.ECONNREFUSED)
	}
	return total, nil
}

// findUDPLocked returns the socket receiving datagrams for dst from src.
func findUDPLocked(dst, src netip.AddrPort) *Socket {
	var best *Socket
	score := -1
	for _, b := range ports[portKey{true, dst.Port()}] {
		if !b.accepts(dst.Addr()) {
			continue
		}
		sc := 0
		if !b.any {
			sc += 2
		}
		if b.s.connected {
			if b.s.remote != src {
				continue
			}
			sc++
		}
		if sc > score {
			best, score = b.s, sc
		}
	}
	return best
}

// Recv implements socket.Socket.
func (s *Socket) Recv(t *kernel.Task, dst [][]byte, flags int) (socket.RecvResult, error) {
	var res socket.RecvResult
	nonblock := t == nil || s.Nonblocking(flags)
	peek := flags&linux.MSG_PEEK != 0
	if s.udp() {
		err := socket.Wait(t, s, waiter.EventIn, nonblock, s.Deadline(false), func() error {
			if err := s.TakeError(); err != nil {
				return err
			}
			r, ok := s.recvQ.Dequeue(dst, peek)
			if !ok {
				mu.Lock()
				shut := s.shutRD
				mu.Unlock()
				if shut {
					return nil
				}
				return linux.EAGAIN
			}
			res = socket.RecvResult{N: r.N, MsgLen: r.MsgLen}
			if from, ok := r.From.(netip.AddrPort); ok {
				res.From = encode(s.v6, from)
			}
			if r.MsgLen > r.N {
				res.Flags |= linux.MSG_TRUNC
			}
			return nil
		})
		return res, err
	}
	ep := s.endpoint()
	if ep == nil {
		return res, linux.ENOTCONN
	}
	waitall := flags&linux.MSG_WAITALL != 0 && !peek
	want := socket.Total(dst)
	err := socket.Wait(t, s, waiter.EventIn, nonblock, s.Deadline(false), func() error {
		r, eof, err := ep.Recv(socket.Skip(dst, res.N), peek)
		if err != nil {
			return err
		}
		if eof {
			return nil
		}
		res.N += r.N
		res.MsgLen = res.N
		if waitall && res.N < want {
			return linux.EAGAIN
		}
		return nil
	})
	if res.N > 0 {
		return res, nil
	}
	return res, err
}

// Read implements vfs.FileDescription.
func (s *Socket) Read(dst [][]byte, off int64) (int, error) {
	if off >= 0 {
		return 0, linux.ESPIPE
	}
	res, err := s.Recv(nil, dst, 0)
	return res.N, err
}

// Write implements vfs.FileDescription.
func (s *Socket) Write(src [][]byte, off int64) (int, error) {
	if off >= 0 {
		return 0, linux.ESPIPE
	}
	return s.Send(nil, src, nil)
}

// Readiness implements waiter.Waitable, as tcp_poll and udp_poll.
func (s *Socket) Readiness(mask waiter.EventMask) waiter.EventMask {
	var r waiter.EventMask
	if s.HasError() {
		r |= waiter.EventErr
	}
	mu.Lock()
	ep, listening, refused := s.ep, s.listening, s.refused
	backlog := len(s.backlog)
	shutRD, shutWR := s.shutRD, s.shutWR
	mu.Unlock()
	if s.udp() {
		if shutRD {
			r |= waiter.EventRdHUp | waiter.EventIn | waiter.EventRdNorm
		}
		if shutRD && shutWR {
			r |= waiter.EventHUp
		}
		if !s.recvQ.Empty() {
			r |= waiter.EventIn | waiter.EventRdNorm
		}
		return (r | waiter.EventOut | waiter.EventWrNorm) & mask
	}
	switch {
	case listening:
		if backlog > 0 {
			r |= waiter.EventIn | waiter.EventRdNorm
		}
	case ep != nil:
		r |= ep.Readiness(mask)
		if ep.PendingError() != 0 {
			r |= waiter.EventErr
		}
	case refused:
		r |= waiter.EventOut | waiter.EventWrNorm | waiter.EventHUp
	default:
		r |= waiter.EventOut | waiter.EventWrNorm | waiter.EventHUp
	}
	return r & mask
}

// Ioctl implements vfs.FileDescription: FIONREAD, SIOCOUTQ and the
// interface queries for lo.
func (s *Socket) Ioctl(m vfs.Memory, req, arg uintptr) (uintptr, error) {
	switch req {
	case socket.FIONREAD:
		if s.udp() {
			return socket.PutInt(m, arg, s.recvQ.NextLen())
		}
		mu.Lock()
		ep, listening := s.ep, s.listening
		mu.Unlock()
		if listening {
			return 0, linux.EINVAL
		}
		if ep == nil {
			return socket.PutInt(m, arg, 0)
		}
		return socket.PutInt(m, arg, ep.Queued())
	case socket.SIOCOUTQ:
		ep := s.endpoint()
		if ep == nil {
			return socket.PutInt(m, arg, 0)
		}
		return socket.PutInt(m, arg, ep.Unsent())
	}
	return socket.InterfaceIoctl(m, req, arg)
}
