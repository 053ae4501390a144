package loopback

import (
	"encoding/binary"

	linux "golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/socket"
)

type optKey struct{ level, name int }

// Option numbers unix lacks.
const (
	tcpUserTimeout   = 18
	tcpNotsentLowat  = 25
	tcpFastopenConn  = 30
	ipBindNoPort     = 24
	ipRecvOrigDstAdr = 20
	udpSegment       = 103
	udpGRO           = 104
)

// intOpts are the integer options of IPPROTO_TCP, IPPROTO_IP,
// IPPROTO_IPV6 and IPPROTO_UDP that are recorded and reported back, with
// Linux's defaults.
var intOpts = map[optKey]int{
	{linux.IPPROTO_TCP, linux.TCP_NODELAY}:              0,
	{linux.IPPROTO_TCP, linux.TCP_CORK}:                 0,
	{linux.IPPROTO_TCP, linux.TCP_KEEPIDLE}:             7200,
	{linux.IPPROTO_TCP, linux.TCP_KEEPINTVL}:            75,
	{linux.IPPROTO_TCP, linux.TCP_KEEPCNT}:              9,
	{linux.IPPROTO_TCP, linux.TCP_SYNCNT}:               6,
	{linux.IPPROTO_TCP, linux.TCP_LINGER2}:              60,
	{linux.IPPROTO_TCP, linux.TCP_DEFER_ACCEPT}:         0,
	{linux.IPPROTO_TCP, linux.TCP_WINDOW_CLAMP}:         0,
	{linux.IPPROTO_TCP, linux.TCP_QUICKACK}:             1,
	{linux.IPPROTO_TCP, tcpUserTimeout}:                 0,
	{linux.IPPROTO_TCP, linux.TCP_FASTOPEN}:             0,
	{linux.IPPROTO_TCP, tcpNotsentLowat}:                0,
	{linux.IPPROTO_TCP, tcpFastopenConn}:                0,
	{linux.IPPROTO_TCP, linux.TCP_THIN_LINEAR_TIMEOUTS}: 0,
	{linux.IPPROTO_IP, linux.IP_TOS}:                    0,
	{linux.IPPROTO_IP, linux.IP_TTL}:                    64,
	{linux.IPPROTO_IP, linux.IP_RECVOPTS}:               0,
	{linux.IPPROTO_IP, linux.IP_RETOPTS}:                0,
	{linux.IPPROTO_IP, linux.IP_PKTINFO}:                0,
	{linux.IPPROTO_IP, linux.IP_MTU_DISCOVER}:           1,
	{linux.IPPROTO_IP, linux.IP_RECVERR}:                0,
	{linux.IPPROTO_IP, linux.IP_RECVTTL}:                0,
	{linux.IPPROTO_IP, linux.IP_RECVTOS}:                0,
	{linux.IPPROTO_IP, linux.IP_FREEBIND}:               0,
	{linux.IPPROTO_IP, linux.IP_TRANSPARENT}:            0,
	{linux.IPPROTO_IP, ipRecvOrigDstAdr}:                0,
	{linux.IPPROTO_IP, ipBindNoPort}:                    0,
	{linux.IPPROTO_IP, linux.IP_MULTICAST_TTL}:          1,
	{linux.IPPROTO_IP, linux.IP_MULTICAST_LOOP}:         1,
	{linux.IPPROTO_IP, linux.IP_MULTICAST_ALL}:          1,
	{linux.IPPROTO_IPV6, linux.IPV6_V6ONLY}:             0,
	{linux.IPPROTO_IPV6, linux.IPV6_UNICAST_HOPS}:       64,
	{linux.IPPROTO_IPV6, linux.IPV6_MULTICAST_HOPS}:     1,
	{linux.IPPROTO_IPV6, linux.IPV6_MULTICAST_LOOP}:     1,
	{linux.IPPROTO_IPV6, linux.IPV6_MULTICAST_IF}:       0,
	{linux.IPPROTO_IPV6, linux.IPV6_MTU_DISCOVER}:       1,
	{linux.IPPROTO_IPV6, linux.IPV6_RECVERR}:            0,
	{linux.IPPROTO_IPV6, linux.IPV6_RECVPKTINFO}:        0,
	{linux.IPPROTO_IPV6, linux.IPV6_RECVHOPLIMIT}:       0,
	{linux.IPPROTO_IPV6, linux.IPV6_RECVTCLASS}:         0,
	{linux.IPPROTO_IPV6, linux.IPV6_TCLASS}:             0,
	{linux.IPPROTO_UDP, linux.UDP_CORK}:                 0,
	{linux.IPPROTO_UDP, udpSegment}:                     0,
	{linux.IPPROTO_UDP, udpGRO}:                         0,
}

func cloneOpts(m map[optKey]int) map[optKey]int {
	if m == nil {
		return nil
	}
	n := make(map[optKey]int, len(m))
	for k, v := range m {
		n[k] = v
	}
	return n
}

// levelOK reports whether the socket takes options at level.
func (s *Socket) levelOK(level int) bool {
	switch level {
	case linux.IPPROTO_TCP:
		return !s.udp()
	case linux.IPPROTO_UDP:
		return s.udp()
	case linux.IPPROTO_IP:
		return true
	case linux.IPPROTO_IPV6:
		return s.v6
	}
	return false
}

// GetSockOpt implements socket.Socket.
func (s *Socket) GetSockOpt(t *kernel.Task, level, name, size int) ([]byte, error) {
	if level == linux.SOL_SOCKET {
		switch name {
		case linux.SO_ERROR:
			if err := s.TakeError(); err != nil {
				return socket.Int(int(err.(linux.Errno))), nil
			}
			if ep := s.endpoint(); ep != nil {
				return socket.Int(int(ep.TakeError())), nil
			}
			return socket.Int(0), nil
		case linux.SO_PEERCRED:
			b := make([]byte, 12)
			binary.LittleEndian.PutUint32(b[4:], 65534)
			binary.LittleEndian.PutUint32(b[8:], 65534)
			return b, nil
		case linux.SO_PASSCRED:
			return socket.Int(0), nil
		}
		mu.Lock()
		listening := s.listening
		mu.Unlock()
		return s.GetBaseOpt(t, level, name, listening)
	}
	if !s.levelOK(level) {
		return nil, linux.ENOPROTOOPT
	}
	mu.Lock()
	defer mu.Unlock()
	switch {
	case level == linux.IPPROTO_TCP && name == linux.TCP_MAXSEG:
		if s.connected {
			return socket.Int(65483), nil
		}
		return socket.Int(536), nil
	case level == linux.IPPROTO_TCP && name == linux.TCP_INFO:
		info := make([]byte, 232)
		if s.connected {
			info[0] = 1 // TCP_ESTABLISHED
		} else if s.listening {
			info[0] = 10 // TCP_LISTEN
		} else {
			info[0] = 7 // TCP_CLOSE
		}
		return info, nil
	case level == linux.IPPROTO_TCP && name == linux.TCP_CONGESTION:
		b := make([]byte, 16)
		copy(b, "cubic")
		return b, nil
	case level == linux.IPPROTO_IP && name == linux.IP_MTU, level == linux.IPPROTO_IPV6 && name == linux.IPV6_MTU:
		if !s.connected {
			return nil, linux.ENOTCONN
		}
		return socket.Int(socket.LoopbackMTU), nil
	case level == linux.IPPROTO_IP && name == linux.IP_OPTIONS:
		return []byte{}, nil
	case level == linux.IPPROTO_IPV6 && name == linux.IPV6_V6ONLY:
		return socket.Bool(s.v6only), nil
	}
	k := optKey{level, name}
	def, ok := intOpts[k]
	if !ok {
		return nil, linux.ENOPROTOOPT
	}
	if v, ok := s.opts[k]; ok {
		return socket.Int(v), nil
	}
	return socket.Int(def), nil
}

// SetSockOpt implements socket.Socket.
func (s *Socket) SetSockOpt(t *kernel.Task, level, name int, val []byte) error {
	if level == linux.SOL_SOCKET {
		if name == linux.SO_PASSCRED {
			_, err := socket.ParseInt(val)
			return err
		}
		return s.SetBaseOpt(t, level, name, val)
	}
	if !s.levelOK(level) {
		return linux.ENOPROTOOPT
	}
	if level == linux.IPPROTO_TCP && name == linux.TCP_CONGESTION {
		n := string(val)
		for i := 0; i < len(n); i++ {
			if n[i] == 0 {
				n = n[:i]
				break
			}
		}
		if n != "cubic" && n != "reno" {
			return linux.ENOENT
		}
		return nil
	}
	if level == linux.IPPROTO_IP && (name == linux.IP_ADD_MEMBERSHIP || name == linux.IP_DROP_MEMBERSHIP) ||
		level == linux.IPPROTO_IPV6 && (name == linux.IPV6_JOIN_GROUP || name == linux.IPV6_LEAVE_GROUP) {
		return linux.ENODEV
	}
	if level == linux.IPPROTO_IP && name == linux.IP_OPTIONS {
		return nil
	}
	v, err := socket.ParseInt(val)
	if err != nil {
		// Linux takes a single byte for some IP options.
		if level == linux.IPPROTO_IP && len(val) == 1 {
			v = int(val[0])
		} else {
			return err
		}
	}
	mu.Lock()
	defer mu.Unlock()
	k := optKey{level, name}
	switch {
	case level == linux.IPPROTO_IPV6 && name == linux.IPV6_V6ONLY:
		if s.bind != nil {
			return linux.EINVAL
		}
		s.v6only = v != 0
		return nil
	case level == linux.IPPROTO_TCP && name == linux.TCP_MAXSEG:
		if v != 0 && (v < 88 || v > 32767) {
			return linux.EINVAL
		}
		return nil
	case level == linux.IPPROTO_TCP && (name == linux.TCP_KEEPIDLE || name == linux.TCP_KEEPINTVL):
		if v < 1 || v > 32767 {
			return linux.EINVAL
		}
	case level == linux.IPPROTO_TCP && name == linux.TCP_KEEPCNT:
		if v < 1 || v > 127 {
			return linux.EINVAL
		}
	case level == linux.IPPROTO_IP && name == linux.IP_TTL:
		if v == -1 {
			v = 64
		} else if v < 1 || v > 255 {
			return linux.EINVAL
		}
	case level == linux.IPPROTO_IPV6 && name == linux.IPV6_UNICAST_HOPS:
		if v == -1 {
			v = 64
		} else if v < 0 || v > 255 {
			return linux.EINVAL
		}
	case level == linux.IPPROTO_TCP && (name == linux.TCP_NODELAY || name == linux.TCP_CORK || name == linux.TCP_QUICKACK):
		v = b2i(v != 0)
	}
	if _, ok := intOpts[k]; !ok {
		return linux.ENOPROTOOPT
	}
	if s.opts == nil {
		s.opts = map[optKey]int{}
	}
	s.opts[k] = v
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
