package unix

import (
	"encoding/binary"

	linux "golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/socket"
	"stockade.dev/sentry/socket/transport"
	"stockade.dev/sentry/waiter"
)

// Send implements socket.Socket.
func (s *Socket) Send(t *kernel.Task, src [][]byte, o *socket.SendOpts) (int, error) {
	if o == nil {
		o = &socket.SendOpts{}
	}
	ctl := o.Control
	if ctl.Creds == nil {
		cr := s.owner
		if t != nil {
			cr = socket.Creds(t, false)
		}
		ctl.Creds = &cr
	}
	nonblock := t == nil || s.Nonblocking(o.Flags)
	total := socket.Total(src)
	snd, _ := s.Bufs()
	switch s.Type() {
	case linux.SOCK_DGRAM:
		return s.sendDgram(t, src, o.To, &ctl, nonblock)
	case linux.SOCK_SEQPACKET:
		if total > snd-32 {
			return 0, linux.EMSGSIZE
		}
	case linux.SOCK_STREAM:
		if len(o.To) > 0 {
			if s.endpoint() != nil {
				return 0, linux.EISCONN
			}
			return 0, linux.EOPNOTSUPP
		}
	}
	ep := s.endpoint()
	if ep == nil {
		return 0, linux.ENOTCONN
	}
	from := s.SockName()
	sent := 0
	err := socket.Wait(t, s, waiter.EventOut, nonblock, s.Deadline(true), func() error {
		n, err := ep.Send(socket.Skip(src, sent), from, &ctl)
		if n > 0 || total == 0 {
			ctl.Rights = nil // the rights go with the first part only
		}
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
	return 0, err
}

func (s *Socket) sendDgram(t *kernel.Task, src [][]byte, to []byte, ctl *transport.Control, nonblock bool) (int, error) {
	snd, _ := s.Bufs()
	if socket.Total(src) > snd-32 {
		return 0, linux.EMSGSIZE
	}
	var target *Socket
	if len(to) > 0 {
		o, err := lookup(t, to)
		if err != nil {
			return 0, err
		}
		if o.Type() != s.Type() {
			return 0, linux.EPROTOTYPE
		}
		target = o
	}
	connMu.Lock()
	if target == nil {
		target = s.peer
	}
	if target == nil {
		connMu.Unlock()
		return 0, linux.ENOTCONN
	}
	if s.addr == nil && (s.PassCred() || target.PassCred()) {
		s.autobindLocked()
	}
	connMu.Unlock()
	n := 0
	err := socket.Wait(t, target.recvQ, waiter.EventOut, nonblock, s.Deadline(true), func() error {
		connMu.Lock()
		defer connMu.Unlock()
		if s.shutWR {
			return linux.EPIPE
		}
		if target.closed {
			if s.peer == target {
				s.disconnectDgramLocked()
			}
			return linux.ECONNREFUSED
		}
		if target.peer != nil && target.peer != s {
			return linux.EPERM
		}
		if target.shutRD {
			return linux.EPIPE
		}
		var from []byte
		if s.addr != nil {
			from = s.addr
		}
		var err error
		n, err = target.recvQ.Enqueue(src, from, ctl)
		return err
	})
	return n, err
}

// Recv implements socket.Socket.
func (s *Socket) Recv(t *kernel.Task, dst [][]byte, flags int) (socket.RecvResult, error) {
	var res socket.RecvResult
	nonblock := t == nil || s.Nonblocking(flags)
	peek := flags&linux.MSG_PEEK != 0
	if s.Type() == linux.SOCK_DGRAM {
		err := socket.Wait(t, s, waiter.EventIn, nonblock, s.Deadline(false), func() error {
			r, ok := s.recvQ.Dequeue(dst, peek)
			if !ok {
				if err := s.TakeError(); err != nil {
					return err
				}
				connMu.Lock()
				shut := s.shutRD
				connMu.Unlock()
				if shut {
					return nil
				}
				return linux.EAGAIN
			}
			res = result(r)
			return nil
		})
		return res, err
	}
	ep := s.endpoint()
	if ep == nil {
		return res, linux.EINVAL
	}
	stream := s.Type() == linux.SOCK_STREAM
	waitall := flags&linux.MSG_WAITALL != 0 && stream && !peek
	want := socket.Total(dst)
	err := socket.Wait(t, s, waiter.EventIn, nonblock, s.Deadline(false), func() error {
		r, eof, err := ep.Recv(socket.Skip(dst, res.N), peek)
		if err != nil {
			return err
		}
		if eof {
			return nil
		}
		rr := result(r)
		if res.N == 0 {
			res = rr
		} else {
			res.N += rr.N
			res.MsgLen = res.N
			socket.MergeControl(&res.Control, rr.Control)
		}
		if waitall && res.N < want && len(rr.Control.Rights) == 0 {
			return linux.EAGAIN
		}
		return nil
	})
	if res.N > 0 {
		return res, nil
	}
	return res, err
}

func result(r transport.Result) socket.RecvResult {
	res := socket.RecvResult{N: r.N, MsgLen: r.MsgLen, Control: r.Control}
	if from, ok := r.From.([]byte); ok {
		res.From = from
	}
	if r.MsgLen > r.N {
		res.Flags |= linux.MSG_TRUNC
	}
	return res
}

// Read implements vfs.FileDescription.
func (s *Socket) Read(dst [][]byte, off int64) (int, error) {
	if off >= 0 {
		return 0, linux.ESPIPE
	}
	res, err := s.Recv(nil, dst, 0)
	res.Control.Release()
	return res.N, err
}

// Write implements vfs.FileDescription.
func (s *Socket) Write(src [][]byte, off int64) (int, error) {
	if off >= 0 {
		return 0, linux.ESPIPE
	}
	return s.Send(nil, src, nil)
}

// Readiness implements waiter.Waitable, as Linux's unix_poll and
// unix_dgram_poll.
func (s *Socket) Readiness(mask waiter.EventMask) waiter.EventMask {
	var r waiter.EventMask
	if s.HasError() {
		r |= waiter.EventErr
	}
	connMu.Lock()
	ep, listening, peer := s.ep, s.listening, s.peer
	backlog := len(s.backlog)
	shutRD, shutWR := s.shutRD, s.shutWR
	connMu.Unlock()
	if s.Type() == linux.SOCK_DGRAM {
		if shutRD {
			r |= waiter.EventRdHUp | waiter.EventIn | waiter.EventRdNorm
		}
		if shutRD && shutWR {
			r |= waiter.EventHUp
		}
		if !s.recvQ.Empty() {
			r |= waiter.EventIn | waiter.EventRdNorm
		}
		if peer == nil || !peer.recvQ.Full() {
			r |= waiter.EventOut | waiter.EventWrNorm
		}
		return r & mask
	}
	switch {
	case ep != nil:
		r |= ep.Readiness(mask)
	case listening:
		if backlog > 0 {
			r |= waiter.EventIn | waiter.EventRdNorm
		}
	default:
		r |= waiter.EventHUp | waiter.EventOut | waiter.EventWrNorm
	}
	return r & mask
}

// Ioctl implements vfs.FileDescription: FIONREAD (SIOCINQ) and SIOCOUTQ.
func (s *Socket) Ioctl(m vfs.Memory, req, arg uintptr) (uintptr, error) {
	switch req {
	case socket.FIONREAD:
		if s.Type() == linux.SOCK_DGRAM {
			return socket.PutInt(m, arg, s.recvQ.NextLen())
		}
		connMu.Lock()
		ep, listening := s.ep, s.listening
		connMu.Unlock()
		if listening {
			return 0, linux.EINVAL
		}
		if ep == nil {
			return socket.PutInt(m, arg, 0)
		}
		if s.Type() == linux.SOCK_SEQPACKET {
			return socket.PutInt(m, arg, ep.NextLen())
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

// GetSockOpt implements socket.Socket.
func (s *Socket) GetSockOpt(t *kernel.Task, level, name, size int) ([]byte, error) {
	if level == linux.SOL_SOCKET {
		switch name {
		case linux.SO_PEERCRED:
			connMu.Lock()
			cr, ok := s.peerCreds, s.hasPeerCreds
			if s.listening {
				cr, ok = s.listenCreds, true
			}
			connMu.Unlock()
			if !ok {
				cr = transport.Creds{PID: 0, UID: 65534, GID: 65534}
			}
			b := make([]byte, 12)
			binary.LittleEndian.PutUint32(b[0:], uint32(cr.PID))
			binary.LittleEndian.PutUint32(b[4:], cr.UID)
			binary.LittleEndian.PutUint32(b[8:], cr.GID)
			return b, nil
		case linux.SO_ERROR:
			if err := s.TakeError(); err != nil {
				return socket.Int(int(err.(linux.Errno))), nil
			}
			if ep := s.endpoint(); ep != nil {
				return socket.Int(int(ep.TakeError())), nil
			}
			return socket.Int(0), nil
		case linux.SO_PEERSEC:
			return nil, linux.ENOPROTOOPT
		}
		connMu.Lock()
		listening := s.listening
		connMu.Unlock()
		return s.GetBaseOpt(t, level, name, listening)
	}
	return nil, linux.EOPNOTSUPP
}

// SetSockOpt implements socket.Socket.
func (s *Socket) SetSockOpt(t *kernel.Task, level, name int, val []byte) error {
	if level != linux.SOL_SOCKET {
		return linux.EOPNOTSUPP
	}
	err := s.SetBaseOpt(t, level, name, val)
	if err == nil && name == linux.SO_RCVBUF && s.recvQ != nil {
		_, rcv := s.Bufs()
		s.recvQ.SetLimit(rcv)
	}
	return err
}
