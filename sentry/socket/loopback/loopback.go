// Package loopback implements AF_INET and AF_INET6 sockets restricted to
// the loopback interface (--network=none): TCP connections and UDP
// datagrams between sockets of the sandbox are in-memory endpoints
// (sentry/socket/transport); no packets exist. Addresses are those of
// Linux's lo: 127.0.0.0/8 and ::1 (and ::ffff:127.0.0.0/104 for dual-stack
// AF_INET6 sockets); any other destination is unreachable.
package loopback

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"sync"

	linux "golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/socket"
)

func init() {
	socket.Register(linux.AF_INET, family{v6: false})
	socket.Register(linux.AF_INET6, family{v6: true})
}

type family struct{ v6 bool }

// Socket implements socket.Family.
func (f family) Socket(t *kernel.Task, typ, protocol int) (socket.Socket, error) {
	switch typ {
	case linux.SOCK_STREAM:
		if protocol != 0 && protocol != linux.IPPROTO_TCP {
			return nil, linux.EPROTONOSUPPORT
		}
		return newSocket(t, f.v6, typ, linux.IPPROTO_TCP), nil
	case linux.SOCK_DGRAM:
		if protocol != 0 && protocol != linux.IPPROTO_UDP {
			return nil, linux.EPROTONOSUPPORT
		}
		return newSocket(t, f.v6, typ, linux.IPPROTO_UDP), nil
	case linux.SOCK_RAW:
		if t != nil && !t.HasCap(linux.CAP_NET_RAW) {
			return nil, linux.EPERM
		}
		return nil, linux.EPROTONOSUPPORT
	}
	return nil, linux.ESOCKTNOSUPPORT
}

// Pair implements socket.Family: Linux has no socketpair for IP.
func (family) Pair(*kernel.Task, int, int) (socket.Socket, socket.Socket, error) {
	return nil, nil, linux.EOPNOTSUPP
}

// mu guards the port table and the connection state of every socket.
var mu sync.Mutex

// Ephemeral ports (net.ipv4.ip_local_port_range).
const (
	ephemeralLow  = 32768
	ephemeralHigh = 60999
)

type portKey struct {
	udp  bool
	port uint16
}

// binding is a socket's claim on a port.
type binding struct {
	s    *Socket
	port uint16
	// any is a wildcard address; else addr (v4 unmapped, or v6).
	any  bool
	addr netip.Addr
	// v4 and v6 are the address families it accepts.
	v4, v6               bool
	reuseAddr, reusePort bool
	uid                  uint32
}

var ports = map[portKey][]*binding{}

func (b *binding) accepts(dst netip.Addr) bool {
	if dst.Is4() && !b.v4 || dst.Is6() && !b.v6 {
		return false
	}
	return b.any || b.addr == dst
}

func (b *binding) overlaps(o *binding) bool {
	return ((b.v4 && o.v4) || (b.v6 && o.v6)) && (b.any || o.any || b.addr == o.addr)
}

// conflictsLocked reports whether b may not share its port with the
// bindings there (Linux's bind-conflict rules, without TIME_WAIT).
func conflictsLocked(b *binding, udp bool) bool {
	for _, o := range ports[portKey{udp, b.port}] {
		if o.s == b.s || !b.overlaps(o) {
			continue
		}
		if b.reusePort && o.reusePort && b.uid == o.uid {
			continue
		}
		if b.reuseAddr && o.reuseAddr && (udp || !o.s.listening) {
			continue
		}
		return true
	}
	return false
}

func addBindingLocked(b *binding, udp bool) {
	k := portKey{udp, b.port}
	ports[k] = append(ports[k], b)
}

func removeBindingLocked(b *binding, udp bool) {
	k := portKey{udp, b.port}
	l := ports[k]
	for i, o := range l {
		if o == b {
			l = append(l[:i:i], l[i+1:]...)
			break
		}
	}
	if len(l) == 0 {
		delete(ports, k)
	} else {
		ports[k] = l
	}
}

// ephemeralLocked picks a free port for b.
func ephemeralLocked(b *binding, udp bool) error {
	n := ephemeralHigh - ephemeralLow + 1
	start := rand.IntN(n)
	for i := 0; i < n; i++ {
		p := uint16(ephemeralLow + (start+i)%n)
		if len(ports[portKey{udp, p}]) > 0 {
			continue
		}
		b.port = p
		return nil
	}
	return linux.EADDRNOTAVAIL
}

// Addresses.

var (
	v4Loopback = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	v6Loopback = netip.IPv6Loopback()
	v4Any      = netip.IPv4Unspecified()
	v6Any      = netip.IPv6Unspecified()
)

func isLoopback(a netip.Addr) bool {
	return a.Is4() && a.As4()[0] == 127 || a == v6Loopback
}

// sockaddr is a decoded address; mapped records a v4-mapped v6 address.
type sockaddr struct {
	ap     netip.AddrPort
	mapped bool
	unspec bool // sa_family AF_UNSPEC
}

// parse decodes a sockaddr for a socket of the given family.
func parse(v6 bool, raw []byte) (sockaddr, error) {
	var sa sockaddr
	if len(raw) < 2 {
		return sa, linux.EINVAL
	}
	fam := int(binary.LittleEndian.Uint16(raw))
	if fam == linux.AF_UNSPEC {
		sa.unspec = true
	}
	if !v6 {
		if len(raw) < 16 {
			return sa, linux.EINVAL
		}
		if fam != linux.AF_INET && fam != linux.AF_UNSPEC {
			return sa, linux.EAFNOSUPPORT
		}
		port := binary.BigEndian.Uint16(raw[2:])
		sa.ap = netip.AddrPortFrom(netip.AddrFrom4([4]byte(raw[4:8])), port)
		return sa, nil
	}
	if fam == linux.AF_UNSPEC {
		return sa, nil
	}
	if len(raw) < 24 {
		return sa, linux.EINVAL
	}
	if fam != linux.AF_INET6 {
		return sa, linux.EAFNOSUPPORT
	}
	port := binary.BigEndian.Uint16(raw[2:])
	a := netip.AddrFrom16([16]byte(raw[8:24]))
	if a.Is4In6() {
		sa.mapped = true
		a = a.Unmap()
	}
	sa.ap = netip.AddrPortFrom(a, port)
	return sa, nil
}

// encode returns the sockaddr of ap for a socket of the given family.
func encode(v6 bool, ap netip.AddrPort) []byte {
	if !v6 {
		b := make([]byte, 16)
		binary.LittleEndian.PutUint16(b, linux.AF_INET)
		binary.BigEndian.PutUint16(b[2:], ap.Port())
		a := ap.Addr()
		if !a.Is4() {
			a = v4Any
		}
		copy(b[4:], a.AsSlice())
		return b
	}
	b := make([]byte, 28)
	binary.LittleEndian.PutUint16(b, linux.AF_INET6)
	binary.BigEndian.PutUint16(b[2:], ap.Port())
	a := ap.Addr()
	if !a.IsValid() {
		a = v6Any
	}
	a16 := a.As16()
	copy(b[8:], a16[:])
	return b
}
