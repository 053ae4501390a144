package socket

import (
	"bytes"
	"encoding/binary"

	linux "golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
)

// The sandbox's only interface, lo.
const (
	loName      = "lo"
	loIndex     = 1
	LoopbackMTU = 65536
	loFlags     = linux.IFF_UP | linux.IFF_LOOPBACK | linux.IFF_RUNNING
	// ifreqSize is sizeof(struct ifreq).
	ifreqSize = 40
)

func sockaddrIn(a [4]byte) []byte {
	b := make([]byte, 16)
	binary.LittleEndian.PutUint16(b, linux.AF_INET)
	copy(b[4:], a[:])
	return b
}

// InterfaceIoctl answers SIOCGIF* for lo (ENODEV for other names).
func InterfaceIoctl(m vfs.Memory, req, arg uintptr) (uintptr, error) {
	switch req {
	case linux.SIOCGIFCONF:
		var ifc [16]byte
		if _, err := m.CopyIn(arg, ifc[:]); err != nil {
			return 0, linux.EFAULT
		}
		l := int32(binary.LittleEndian.Uint32(ifc[0:]))
		buf := uintptr(binary.LittleEndian.Uint64(ifc[8:]))
		n := int32(0)
		if buf == 0 {
			n = ifreqSize
		} else if l >= ifreqSize {
			req := make([]byte, ifreqSize)
			copy(req, loName)
			copy(req[16:], sockaddrIn([4]byte{127, 0, 0, 1}))
			if _, err := m.CopyOut(buf, req); err != nil {
				return 0, linux.EFAULT
			}
			n = ifreqSize
		}
		binary.LittleEndian.PutUint32(ifc[0:], uint32(n))
		if _, err := m.CopyOut(arg, ifc[:4]); err != nil {
			return 0, linux.EFAULT
		}
		return 0, nil
	case linux.SIOCGIFINDEX, linux.SIOCGIFFLAGS, linux.SIOCGIFMTU, linux.SIOCGIFADDR,
		linux.SIOCGIFNETMASK, linux.SIOCGIFBRDADDR, linux.SIOCGIFHWADDR, linux.SIOCGIFNAME:
	default:
		return 0, linux.ENOTTY
	}
	ifr := make([]byte, ifreqSize)
	if _, err := m.CopyIn(arg, ifr); err != nil {
		return 0, linux.EFAULT
	}
	if req == linux.SIOCGIFNAME {
		if int32(binary.LittleEndian.Uint32(ifr[16:])) != loIndex {
			return 0, linux.ENODEV
		}
		clear(ifr[:16])
		copy(ifr, loName)
	} else {
		name := ifr[:16]
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		if string(name) != loName {
			return 0, linux.ENODEV
		}
		u := ifr[16:]
		clear(u)
		switch req {
		case linux.SIOCGIFINDEX:
			binary.LittleEndian.PutUint32(u, loIndex)
		case linux.SIOCGIFFLAGS:
			binary.LittleEndian.PutUint16(u, loFlags)
		case linux.SIOCGIFMTU:
			binary.LittleEndian.PutUint32(u, LoopbackMTU)
		case linux.SIOCGIFADDR:
			copy(u, sockaddrIn([4]byte{127, 0, 0, 1}))
		case linux.SIOCGIFNETMASK:
			copy(u, sockaddrIn([4]byte{255, 0, 0, 0}))
		case linux.SIOCGIFBRDADDR:
			copy(u, sockaddrIn([4]byte{0, 0, 0, 0}))
		case linux.SIOCGIFHWADDR:
			binary.LittleEndian.PutUint16(u, linux.ARPHRD_LOOPBACK)
		}
	}
	if _, err := m.CopyOut(arg, ifr); err != nil {
		return 0, linux.EFAULT
	}
	return 0, nil
}
