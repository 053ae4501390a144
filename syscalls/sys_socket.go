package syscalls

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/socket"
	_ "stockade.dev/sentry/socket/loopback" // AF_INET, AF_INET6
	"stockade.dev/sentry/socket/transport"
	_ "stockade.dev/sentry/socket/unix" // AF_UNIX
)

func init() {
	const families = "AF_UNIX; AF_INET/AF_INET6 on the loopback interface only (no external network); other families return EAFNOSUPPORT"
	register(map[string]impl{
		"socket":      partial(sysSocket, families),
		"socketpair":  partial(sysSocketpair, "AF_UNIX only (as Linux)"),
		"bind":        partial(sysBind, "AF_INET/AF_INET6: loopback and wildcard addresses only"),
		"listen":      full(sysListen),
		"accept":      full(sysAccept),
		"accept4":     full(sysAccept4),
		"connect":     partial(sysConnect, "AF_INET/AF_INET6: loopback destinations only, others ENETUNREACH"),
		"getsockname": full(sysGetsockname),
		"getpeername": full(sysGetpeername),
		"sendto":      partial(sysSendto, "MSG_OOB and MSG_MORE are ignored"),
		"recvfrom":    partial(sysRecvfrom, "MSG_OOB and MSG_ERRQUEUE are not supported"),
		"sendmsg":     partial(sysSendmsg, "ancillary data: SCM_RIGHTS and SCM_CREDENTIALS (AF_UNIX); IP-level control messages are ignored"),
		"recvmsg":     partial(sysRecvmsg, "ancillary data: SCM_RIGHTS and SCM_CREDENTIALS only (no timestamps, IP_PKTINFO)"),
		"sendmmsg":    partial(sysSendmmsg, "as sendmsg"),
		"recvmmsg":    partial(sysRecvmmsg, "as recvmsg"),
		"shutdown":    full(sysShutdown),
		"setsockopt":  partial(sysSetsockopt, "SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP, IPPROTO_IPV6 options are recorded and reported back; socket filters and multicast are not supported"),
		"getsockopt":  partial(sysGetsockopt, "see setsockopt"),
	})
}

// sockaddrMax is sizeof(struct sockaddr_storage).
const sockaddrMax = 128

// somaxconn is net.core.somaxconn.
const somaxconn = 4096

// getSocket returns the socket at fd with a reference (ENOTSOCK for other
// files).
func getSocket(t *kernel.Task, fd int32) (socket.Socket, error) {
	f, err := getFile(t, fd)
	if err != nil {
		return nil, err
	}
	s, ok := f.(socket.Socket)
	if !ok {
		f.DecRef()
		return nil, unix.ENOTSOCK
	}
	return s, nil
}

func copyInAddr(t *kernel.Task, addr uintptr, l int32) ([]byte, error) {
	if l < 0 || l > sockaddrMax {
		return nil, unix.EINVAL
	}
	if l == 0 {
		return nil, nil
	}
	b := make([]byte, l)
	if _, err := t.CopyIn(addr, b); err != nil {
		return nil, unix.EFAULT
	}
	return b, nil
}

// copyOutAddr stores sa at addr, truncated to the length at lenAddr, and
// the full length at lenAddr. Nothing is done when addr is NULL.
func copyOutAddr(t *kernel.Task, addr, lenAddr uintptr, sa []byte) error {
	if addr == 0 || lenAddr == 0 {
		return nil
	}
	var lb [4]byte
	if _, err := t.CopyIn(lenAddr, lb[:]); err != nil {
		return unix.EFAULT
	}
	l := int32(binary.LittleEndian.Uint32(lb[:]))
	if l < 0 {
		return unix.EINVAL
	}
	n := min(int(l), len(sa))
	if n > 0 {
		if _, err := t.CopyOut(addr, sa[:n]); err != nil {
			return unix.EFAULT
		}
	}
	binary.LittleEndian.PutUint32(lb[:], uint32(len(sa)))
	if _, err := t.CopyOut(lenAddr, lb[:]); err != nil {
		return unix.EFAULT
	}
	return nil
}

// installSocket puts a new socket in the fd table (dropping the creation
// reference).
func installSocket(t *kernel.Task, s socket.Socket, flags int32) (int32, error) {
	defer s.DecRef()
	if flags&unix.SOCK_NONBLOCK != 0 {
		s.SetStatusFlags(s.StatusFlags() | unix.O_NONBLOCK)
	}
	return t.FDTable.New(0, s, flags&unix.SOCK_CLOEXEC != 0)
}

// sockType splits socket(2)'s type into the type and its flags.
func sockType(typ int32) (int, int32, error) {
	flags := typ &^ 0xf
	if flags&^(unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC) != 0 {
		return 0, 0, unix.EINVAL
	}
	return int(typ & 0xf), flags, nil
}

func sysSocket(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	domain := a.Int(0)
	typ, flags, err := sockType(a.Int(1))
	if err != nil {
		return 0, err
	}
	if domain < 0 || domain >= unix.AF_MAX {
		return 0, unix.EAFNOSUPPORT
	}
	if typ >= 11 { // SOCK_MAX
		return 0, unix.EINVAL
	}
	fam, err := socket.Lookup(int(domain))
	if err != nil {
		return 0, err
	}
	s, err := fam.Socket(t, typ, int(a.Int(2)))
	if err != nil {
		return 0, err
	}
	fd, err := installSocket(t, s, flags)
	return uintptr(fd), err
}

func sysSocketpair(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	domain := a.Int(0)
	typ, flags, err := sockType(a.Int(1))
	if err != nil {
		return 0, err
	}
	if domain < 0 || domain >= unix.AF_MAX {
		return 0, unix.EAFNOSUPPORT
	}
	if typ >= 11 {
		return 0, unix.EINVAL
	}
	fam, err := socket.Lookup(int(domain))
	if err != nil {
		return 0, err
	}
	s1, s2, err := fam.Pair(t, typ, int(a.Int(2)))
	if err != nil {
		return 0, err
	}
	fd1, err := installSocket(t, s1, flags)
	if err != nil {
		s2.DecRef()
		return 0, err
	}
	fd2, err := installSocket(t, s2, flags)
	if err != nil {
		t.FDTable.Remove(fd1)
		return 0, err
	}
	var b [8]byte
	binary.LittleEndian.PutUint32(b[0:], uint32(fd1))
	binary.LittleEndian.PutUint32(b[4:], uint32(fd2))
	if _, err := t.CopyOut(a[3], b[:]); err != nil {
		t.FDTable.Remove(fd1)
		t.FDTable.Remove(fd2)
		return 0, unix.EFAULT
	}
	return 0, nil
}

func sysBind(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	s, err := getSocket(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer s.DecRef()
	addr, err := copyInAddr(t, a[1], a.Int(2))
	if err != nil {
		return 0, err
	}
	return 0, errnoOf(s.Bind(t, addr))
}

func sysListen(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	s, err := getSocket(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer s.DecRef()
	backlog := a.Int(1)
	if uint32(backlog) > somaxconn {
		backlog = somaxconn
	}
	return 0, errnoOf(s.Listen(t, int(backlog)))
}

func doAccept(t *kernel.Task, fd int32, addr, lenAddr uintptr, flags int32) (uintptr, error) {
	if flags&^(unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC) != 0 {
		return 0, unix.EINVAL
	}
	s, err := getSocket(t, fd)
	if err != nil {
		return 0, err
	}
	defer s.DecRef()
	ns, err := s.Accept(t, int(flags))
	if err != nil {
		return 0, errnoOf(err)
	}
	if addr != 0 {
		peer, perr := ns.PeerName()
		if perr != nil {
			peer = nil
		}
		if err := copyOutAddr(t, addr, lenAddr, peer); err != nil {
			ns.DecRef()
			return 0, err
		}
	}
	nfd, err := installSocket(t, ns, flags)
	return uintptr(nfd), err
}

func sysAccept(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doAccept(t, a.Int(0), a[1], a[2], 0)
}

func sysAccept4(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doAccept(t, a.Int(0), a[1], a[2], a.Int(3))
}

func sysConnect(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	s, err := getSocket(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer s.DecRef()
	addr, err := copyInAddr(t, a[1], a.Int(2))
	if err != nil {
		return 0, err
	}
	return 0, errnoOf(s.Connect(t, addr))
}

func sysGetsockname(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	s, err := getSocket(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer s.DecRef()
	return 0, copyOutAddr(t, a[1], a[2], s.SockName())
}

func sysGetpeername(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	s, err := getSocket(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer s.DecRef()
	p, err := s.PeerName()
	if err != nil {
		return 0, errnoOf(err)
	}
	return 0, copyOutAddr(t, a[1], a[2], p)
}

func sysShutdown(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	s, err := getSocket(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer s.DecRef()
	return 0, errnoOf(s.Shutdown(t, int(a.Int(1))))
}

// optMax bounds option values copied in.
const optMax = 1 << 16

func sysSetsockopt(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	s, err := getSocket(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer s.DecRef()
	l := a.Int(4)
	if l < 0 {
		return 0, unix.EINVAL
	}
	val := make([]byte, min(int(l), optMax))
	if len(val) > 0 {
		if a[3] == 0 {
			return 0, unix.EFAULT
		}
		if _, err := t.CopyIn(a[3], val); err != nil {
			return 0, unix.EFAULT
		}
	}
	return 0, errnoOf(s.SetSockOpt(t, int(a.Int(1)), int(a.Int(2)), val))
}

func sysGetsockopt(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	s, err := getSocket(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer s.DecRef()
	var lb [4]byte
	if _, err := t.CopyIn(a[4], lb[:]); err != nil {
		return 0, unix.EFAULT
	}
	l := int32(binary.LittleEndian.Uint32(lb[:]))
	if l < 0 {
		return 0, unix.EINVAL
	}
	val, err := s.GetSockOpt(t, int(a.Int(1)), int(a.Int(2)), int(l))
	if err != nil {
		return 0, errnoOf(err)
	}
	n := min(int(l), len(val))
	if n > 0 {
		if _, err := t.CopyOut(a[3], val[:n]); err != nil {
			return 0, unix.EFAULT
		}
	}
	binary.LittleEndian.PutUint32(lb[:], uint32(n))
	if _, err := t.CopyOut(a[4], lb[:]); err != nil {
		return 0, unix.EFAULT
	}
	return 0, nil
}

// msghdr is struct msghdr (amd64).
type msghdr struct {
	Name       uint64
	NameLen    uint32
	_          uint32
	Iov        uint64
	IovLen     uint64
	Control    uint64
	ControlLen uint64
	Flags      int32
	_          uint32
}

const (
	msghdrSize  = 56
	mmsghdrSize = 64
	cmsgHdrLen  = 16
	// scmMaxFD is SCM_MAX_FD.
	scmMaxFD = 253
	// optmemMax is net.core.optmem_max: the largest control buffer.
	optmemMax = 131072
)

func cmsgAlign(n int) int { return (n + 7) &^ 7 }

func readMsghdr(t *kernel.Task, addr uintptr) (msghdr, error) {
	var m msghdr
	if _, err := t.CopyIn(addr, structBytes(&m)); err != nil {
		return m, unix.EFAULT
	}
	return m, nil
}

// parseControl decodes the ancillary data of a sendmsg. The returned
// rights hold references the caller must release.
func parseControl(t *kernel.Task, s socket.Socket, buf []byte) (transport.Control, error) {
	var ctl transport.Control
	for len(buf) >= cmsgHdrLen {
		clen := binary.LittleEndian.Uint64(buf[0:])
		level := int32(binary.LittleEndian.Uint32(buf[8:]))
		typ := int32(binary.LittleEndian.Uint32(buf[12:]))
		if clen < cmsgHdrLen || clen > uint64(len(buf)) {
			ctl.Release()
			return ctl, unix.EINVAL
		}
		data := buf[cmsgHdrLen:clen]
		if level == unix.SOL_SOCKET {
			if s.Family() != unix.AF_UNIX {
				ctl.Release()
				return ctl, unix.EINVAL
			}
			switch typ {
			case unix.SCM_RIGHTS:
				n := len(data) / 4
				if len(ctl.Rights)+n > scmMaxFD {
					ctl.Release()
					return ctl, unix.EINVAL
				}
				for i := 0; i < n; i++ {
					f, err := getFile(t, int32(binary.LittleEndian.Uint32(data[4*i:])))
					if err != nil {
						ctl.Release()
						return ctl, unix.EBADF
					}
					ctl.Rights = append(ctl.Rights, f)
				}
			case unix.SCM_CREDENTIALS:
				if len(data) != 12 {
					ctl.Release()
					return ctl, unix.EINVAL
				}
				cr := transport.Creds{
					PID: int32(binary.LittleEndian.Uint32(data[0:])),
					UID: binary.LittleEndian.Uint32(data[4:]),
					GID: binary.LittleEndian.Uint32(data[8:]),
				}
				c := t.Creds
				// Another pid needs CAP_SYS_ADMIN, another uid
				// CAP_SETUID, another gid CAP_SETGID.
				if (cr.PID != t.PID() && !c.HasCap(unix.CAP_SYS_ADMIN)) ||
					(cr.UID != c.RealUID && cr.UID != c.EffectiveUID && cr.UID != c.SavedUID && !c.HasCap(unix.CAP_SETUID)) ||
					(cr.GID != c.RealGID && cr.GID != c.EffectiveGID && cr.GID != c.SavedGID && !c.HasCap(unix.CAP_SETGID)) {
					ctl.Release()
					return ctl, unix.EPERM
				}
				ctl.Creds = &cr
			default:
				ctl.Release()
				return ctl, unix.EINVAL
			}
		}
		adv := cmsgAlign(int(clen))
		if adv >= len(buf) {
			break
		}
		buf = buf[adv:]
	}
	return ctl, nil
}

// doSendmsg implements one sendmsg.
func doSendmsg(t *kernel.Task, s socket.Socket, m *msghdr, flags int) (int, error) {
	if m.IovLen > 1024 {
		return 0, unix.EMSGSIZE
	}
	var o socket.SendOpts
	o.Flags = flags
	if m.Name != 0 && m.NameLen > 0 {
		to, err := copyInAddr(t, uintptr(m.Name), int32(m.NameLen))
		if err != nil {
			return 0, err
		}
		o.To = to
	}
	if m.ControlLen > 0 && m.Control != 0 {
		if m.ControlLen > optmemMax {
			return 0, unix.ENOBUFS
		}
		cbuf := make([]byte, m.ControlLen)
		if _, err := t.CopyIn(uintptr(m.Control), cbuf); err != nil {
			return 0, unix.EFAULT
		}
		ctl, err := parseControl(t, s, cbuf)
		if err != nil {
			return 0, err
		}
		defer ctl.Release()
		o.Control = ctl
	}
	bufs, err := iovecBlocks(t, uintptr(m.Iov), int32(m.IovLen), false)
	if err != nil {
		return 0, err
	}
	return sendChecked(t, s, bufs, &o)
}

// sendChecked sends and raises SIGPIPE for EPIPE on stream sockets unless
// MSG_NOSIGNAL.
func sendChecked(t *kernel.Task, s socket.Socket, bufs [][]byte, o *socket.SendOpts) (int, error) {
	n, err := s.Send(t, bufs, o)
	if err == unix.EPIPE && o.Flags&unix.MSG_NOSIGNAL == 0 && s.Type() == unix.SOCK_STREAM {
		t.SendSignal(kernel.SigInfo{Signo: int(unix.SIGPIPE), PID: t.PID(), UID: t.Creds.RealUID})
	}
	if n > 0 {
		return n, nil
	}
	return 0, errnoOf(err)
}

func sysSendto(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	s, err := getSocket(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer s.DecRef()
	n := min(a[2], maxRW)
	var bufs [][]byte
	if n > 0 {
		bufs, err = t.MM.Blocks(nil, a[1], int(n), false)
		if err != nil {
			return 0, err
		}
	}
	o := socket.SendOpts{Flags: int(a.Int(3))}
	if a[4] != 0 {
		to, err := copyInAddr(t, a[4], a.Int(5))
		if err != nil {
			return 0, err
		}
		o.To = to
	}
	r, err := sendChecked(t, s, bufs, &o)
	return uintptr(r), err
}

func sysSendmsg(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	s, err := getSocket(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer s.DecRef()
	m, err := readMsghdr(t, a[1])
	if err != nil {
		return 0, err
	}
	n, err := doSendmsg(t, s, &m, int(a.Int(2)))
	return uintptr(n), err
}

func sysSendmmsg(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	s, err := getSocket(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer s.DecRef()
	vlen := min(a.Uint(2), 1024)
	flags := int(a.Int(3))
	var i uint32
	for i = 0; i < vlen; i++ {
		addr := a[1] + uintptr(i)*mmsghdrSize
		m, err := readMsghdr(t, addr)
		if err == nil {
			var n int
			n, err = doSendmsg(t, s, &m, flags)
			if err == nil {
				var lb [4]byte
				binary.LittleEndian.PutUint32(lb[:], uint32(n))
				if _, cerr := t.CopyOut(addr+msghdrSize, lb[:]); cerr != nil {
					err = unix.EFAULT
				}
			}
		}
		if err != nil {
			if i > 0 {
				return uintptr(i), nil
			}
			return 0, err
		}
	}
	return uintptr(i), nil
}

func sysRecvfrom(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	s, err := getSocket(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer s.DecRef()
	n := min(a[2], maxRW)
	var bufs [][]byte
	if n > 0 {
		bufs, err = t.MM.Blocks(nil, a[1], int(n), true)
		if err != nil {
			return 0, err
		}
	}
	flags := int(a.Int(3))
	res, err := s.Recv(t, bufs, flags)
	res.Control.Release()
	if err != nil {
		return 0, errnoOf(err)
	}
	if a[4] != 0 {
		if err := copyOutAddr(t, a[4], a[5], res.From); err != nil {
			return 0, err
		}
	}
	return uintptr(recvCount(s, &res, flags)), nil
}

// recvCount is what a receive returns: the real length of a datagram with
// MSG_TRUNC.
func recvCount(s socket.Socket, res *socket.RecvResult, flags int) int {
	if flags&unix.MSG_TRUNC != 0 && s.Type() != unix.SOCK_STREAM {
		return res.MsgLen
	}
	return res.N
}

// putCmsg appends one control message to buf, which may hold at most
// room bytes, as Linux's put_cmsg: a message that does not fit is
// truncated and MSG_CTRUNC reported.
func putCmsg(buf []byte, room int, level, typ int32, data []byte) ([]byte, bool) {
	if room-len(buf) < cmsgHdrLen {
		return buf, true
	}
	cmlen := cmsgHdrLen + len(data)
	trunc := false
	if cmlen > room-len(buf) {
		trunc = true
		cmlen = room - len(buf)
	}
	h := make([]byte, cmsgHdrLen, cmsgHdrLen+len(data))
	binary.LittleEndian.PutUint64(h[0:], uint64(cmsgHdrLen+len(data)))
	binary.LittleEndian.PutUint32(h[8:], uint32(level))
	binary.LittleEndian.PutUint32(h[12:], uint32(typ))
	h = append(h, data...)
	buf = append(buf, h[:cmlen]...)
	if pad := min(cmsgAlign(cmlen), room-len(buf)+cmlen) - cmlen; pad > 0 && !trunc {
		buf = append(buf, make([]byte, pad)...)
	}
	return buf, trunc
}

// buildControl turns received ancillary data into control messages of at
// most room bytes, installing received files in t's fd table.
func buildControl(t *kernel.Task, s socket.Socket, ctl *transport.Control, room int, cloexec bool) ([]byte, int) {
	var buf []byte
	flags := 0
	if ctl.Creds != nil && s.Family() == unix.AF_UNIX {
		if pc, err := s.GetSockOpt(t, unix.SOL_SOCKET, unix.SO_PASSCRED, 4); err == nil && pc[0] != 0 {
			d := make([]byte, 12)
			binary.LittleEndian.PutUint32(d[0:], uint32(ctl.Creds.PID))
			binary.LittleEndian.PutUint32(d[4:], ctl.Creds.UID)
			binary.LittleEndian.PutUint32(d[8:], ctl.Creds.GID)
			var tr bool
			buf, tr = putCmsg(buf, room, unix.SOL_SOCKET, unix.SCM_CREDENTIALS, d)
			if tr {
				flags |= unix.MSG_CTRUNC
			}
		}
	}
	if len(ctl.Rights) > 0 {
		left := room - len(buf)
		fdmax := 0
		if left > cmsgHdrLen {
			fdmax = (left - cmsgHdrLen) / 4
		}
		var fds []byte
		i := 0
		for ; i < len(ctl.Rights) && i < fdmax; i++ {
			fd, err := t.FDTable.New(0, ctl.Rights[i], cloexec)
			if err != nil {
				break
			}
			fds = binary.LittleEndian.AppendUint32(fds, uint32(fd))
		}
		if i < len(ctl.Rights) {
			flags |= unix.MSG_CTRUNC
		}
		if i > 0 {
			buf, _ = putCmsg(buf, room, unix.SOL_SOCKET, unix.SCM_RIGHTS, fds)
		}
	}
	return buf, flags
}

// doRecvmsg implements one recvmsg into the msghdr at addr.
func doRecvmsg(t *kernel.Task, s socket.Socket, addr uintptr, flags int) (int, error) {
	m, err := readMsghdr(t, addr)
	if err != nil {
		return 0, err
	}
	if m.IovLen > 1024 {
		return 0, unix.EMSGSIZE
	}
	bufs, err := iovecBlocks(t, uintptr(m.Iov), int32(m.IovLen), true)
	if err != nil {
		return 0, err
	}
	res, err := s.Recv(t, bufs, flags)
	defer res.Control.Release()
	if err != nil {
		return 0, errnoOf(err)
	}
	if m.Name != 0 {
		n := min(int(m.NameLen), len(res.From))
		if int32(m.NameLen) < 0 {
			return 0, unix.EINVAL
		}
		if n > 0 {
			if _, err := t.CopyOut(uintptr(m.Name), res.From[:n]); err != nil {
				return 0, unix.EFAULT
			}
		}
		m.NameLen = uint32(len(res.From))
	} else {
		m.NameLen = 0
	}
	room := 0
	if m.Control != 0 {
		room = int(min(m.ControlLen, optmemMax))
	}
	cbuf, cflags := buildControl(t, s, &res.Control, room, flags&unix.MSG_CMSG_CLOEXEC != 0)
	if len(cbuf) > 0 {
		if _, err := t.CopyOut(uintptr(m.Control), cbuf); err != nil {
			return 0, unix.EFAULT
		}
	}
	m.ControlLen = uint64(len(cbuf))
	m.Flags = int32(res.Flags | cflags)
	if _, err := t.CopyOut(addr, structBytes(&m)); err != nil {
		return 0, unix.EFAULT
	}
	return recvCount(s, &res, flags), nil
}

func sysRecvmsg(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	s, err := getSocket(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer s.DecRef()
	n, err := doRecvmsg(t, s, a[1], int(a.Int(2)))
	return uintptr(n), err
}

func sysRecvmmsg(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	s, err := getSocket(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer s.DecRef()
	vlen := min(a.Uint(2), 1024)
	flags := int(a.Int(3))
	var deadline time.Time
	if a[4] != 0 {
		var ts unix.Timespec
		if _, err := t.CopyIn(a[4], structBytes(&ts)); err != nil {
			return 0, unix.EFAULT
		}
		if ts.Sec < 0 || ts.Nsec < 0 || ts.Nsec >= 1e9 {
			return 0, unix.EINVAL
		}
		deadline = time.Now().Add(time.Duration(ts.Sec)*time.Second + time.Duration(ts.Nsec))
	}
	var i uint32
	for i = 0; i < vlen; i++ {
		addr := a[1] + uintptr(i)*mmsghdrSize
		n, err := doRecvmsg(t, s, addr, flags)
		if err == nil {
			var lb [4]byte
			binary.LittleEndian.PutUint32(lb[:], uint32(n))
			if _, cerr := t.CopyOut(addr+msghdrSize, lb[:]); cerr != nil {
				err = unix.EFAULT
			}
		}
		if err != nil {
			if i > 0 {
				return uintptr(i), nil
			}
			return 0, err
		}
		if flags&unix.MSG_WAITFORONE != 0 {
			flags |= unix.MSG_DONTWAIT
		}
		if !deadline.IsZero() && time.Now().After(deadline) {
			i++
			break
		}
	}
	return uintptr(i), nil
}

// ioTimeouter is a file with I/O timeouts (sockets: SO_RCVTIMEO,
// SO_SNDTIMEO).
type ioTimeouter interface {
	Deadline(send bool) time.Time
}

// blockIO is Task.Block for the generic read and write paths: a file with
// an I/O timeout bounds the wait, and its expiry is EAGAIN (as a socket
// timeout is), an interrupted timed wait EINTR.
func blockIO(t *kernel.Task, ch <-chan struct{}, f vfs.FileDescription, write bool, deadline time.Time) error {
	ft, ok := f.(ioTimeouter)
	if !ok {
		return t.Block(ch, deadline)
	}
	if d := ft.Deadline(write); !d.IsZero() {
		err := t.Block(ch, d)
		if err == kernel.ErrTimedOut {
			return unix.EAGAIN
		}
		if err != nil {
			return unix.EINTR
		}
		return nil
	}
	return t.Block(ch, deadline)
}
