package socket

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

// Int encodes an int option value.
func Int(v int) []byte {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(int32(v)))
	return b[:]
}

// Bool encodes a boolean option value.
func Bool(v bool) []byte {
	if v {
		return Int(1)
	}
	return Int(0)
}

// ParseInt decodes an int option value (EINVAL if shorter than an int).
func ParseInt(val []byte) (int, error) {
	if len(val) < 4 {
		return 0, unix.EINVAL
	}
	return int(int32(binary.LittleEndian.Uint32(val))), nil
}

func timeval(d time.Duration) []byte {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[0:], uint64(d/time.Second))
	binary.LittleEndian.PutUint64(b[8:], uint64(d%time.Second/time.Microsecond))
	return b[:]
}

func parseTimeval(val []byte) (time.Duration, error) {
	if len(val) < 16 {
		return 0, unix.EINVAL
	}
	sec := int64(binary.LittleEndian.Uint64(val[0:]))
	usec := int64(binary.LittleEndian.Uint64(val[8:]))
	if usec < 0 || usec >= 1000000 {
		return 0, unix.EDOM
	}
	if sec < 0 {
		return 0, nil
	}
	if sec > 1<<32 {
		return 0, nil
	}
	return time.Duration(sec)*time.Second + time.Duration(usec)*time.Microsecond, nil
}

// SOL_SOCKET option numbers unix lacks.
const (
	soRcvTimeoNew = 66
	soSndTimeoNew = 67
	soCookie      = 57
	soIncomingCPU = 49
	soBusyPoll    = 46
	soZerocopy    = 60
)

// GetSockOpt answers the SOL_SOCKET options every socket has. listening
// is SO_ACCEPTCONN. It returns ENOPROTOOPT for options it does not know.
func (b *Base) GetBaseOpt(t *kernel.Task, level, name int, listening bool) ([]byte, error) {
	if level != unix.SOL_SOCKET {
		return nil, unix.ENOPROTOOPT
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch name {
	case unix.SO_TYPE:
		return Int(b.typ), nil
	case unix.SO_DOMAIN:
		return Int(b.family), nil
	case unix.SO_PROTOCOL:
		return Int(b.pro), nil
	case unix.SO_ERROR:
		return Int(int(b.soError.Swap(0))), nil
	case unix.SO_ACCEPTCONN:
		return Bool(listening), nil
	case unix.SO_SNDBUF:
		return Int(b.sndBuf), nil
	case unix.SO_RCVBUF:
		return Int(b.rcvBuf), nil
	case unix.SO_REUSEADDR:
		return Bool(b.reuseAddr), nil
	case unix.SO_REUSEPORT:
		return Bool(b.reusePort), nil
	case unix.SO_KEEPALIVE:
		return Bool(b.keepAlive), nil
	case unix.SO_PASSCRED:
		return Bool(b.passCred), nil
	case unix.SO_BROADCAST:
		return Bool(b.broadcast), nil
	case unix.SO_OOBINLINE:
		return Bool(b.oobInline), nil
	case unix.SO_DONTROUTE:
		return Bool(b.dontRoute), nil
	case unix.SO_TIMESTAMP, unix.SO_TIMESTAMPNS:
		return Bool(b.timestamp), nil
	case unix.SO_DEBUG, unix.SO_NO_CHECK, unix.SO_PASSSEC, unix.SO_RXQ_OVFL, soBusyPoll, soZerocopy:
		return Int(0), nil
	case unix.SO_PRIORITY:
		return Int(b.priority), nil
	case unix.SO_MARK:
		return Int(b.mark), nil
	case unix.SO_RCVLOWAT:
		return Int(max(b.rcvLowat, 1)), nil
	case unix.SO_SNDLOWAT:
		return Int(1), nil
	case soIncomingCPU:
		return Int(-1), nil
	case soCookie:
		var v [8]byte
		binary.LittleEndian.PutUint64(v[:], b.ino)
		return v[:], nil
	case unix.SO_LINGER:
		v := make([]byte, 8)
		binary.LittleEndian.PutUint32(v[0:], uint32(b.linger.Onoff))
		binary.LittleEndian.PutUint32(v[4:], uint32(b.linger.Linger))
		return v, nil
	case unix.SO_RCVTIMEO, soRcvTimeoNew:
		return timeval(b.rcvTimeo), nil
	case unix.SO_SNDTIMEO, soSndTimeoNew:
		return timeval(b.sndTimeo), nil
	case unix.SO_BINDTODEVICE:
		return []byte{}, nil
	}
	return nil, unix.ENOPROTOOPT
}

// SetSockOpt sets the SOL_SOCKET options every socket has; ENOPROTOOPT for
// others.
func (b *Base) SetBaseOpt(t *kernel.Task, level, name int, val []byte) error {
	if level != unix.SOL_SOCKET {
		return unix.ENOPROTOOPT
	}
	switch name {
	case unix.SO_LINGER:
		if len(val) < 8 {
			return unix.EINVAL
		}
		b.mu.Lock()
		b.linger.Onoff = int32(binary.LittleEndian.Uint32(val[0:]))
		b.linger.Linger = int32(binary.LittleEndian.Uint32(val[4:]))
		b.mu.Unlock()
		return nil
	case unix.SO_RCVTIMEO, soRcvTimeoNew, unix.SO_SNDTIMEO, soSndTimeoNew:
		d, err := parseTimeval(val)
		if err != nil {
			return err
		}
		b.mu.Lock()
		if name == unix.SO_RCVTIMEO || name == soRcvTimeoNew {
			b.rcvTimeo = d
		} else {
			b.sndTimeo = d
		}
		b.mu.Unlock()
		return nil
	case unix.SO_BINDTODEVICE:
		return nil
	}
	v, err := ParseInt(val)
	if err != nil {
		return err
	}
	privileged := t == nil || t.HasCap(unix.CAP_NET_ADMIN)
	bufChanged := false
	defer func() {
		if bufChanged && b.OnBufChange != nil {
			b.OnBufChange(b.Bufs())
		}
	}()
	b.mu.Lock()
	defer b.mu.Unlock()
	uv := uint32(v)
	switch name {
	case unix.SO_SNDBUF, unix.SO_SNDBUFFORCE:
		if name == unix.SO_SNDBUFFORCE && !privileged {
			return unix.EPERM
		}
		if name == unix.SO_SNDBUF {
			uv = min(uv, MaxBuf)
		}
		b.sndBuf = max(int(int32(uv*2)), MinSndBuf)
		bufChanged = true
	case unix.SO_RCVBUF, unix.SO_RCVBUFFORCE:
		if name == unix.SO_RCVBUFFORCE && !privileged {
			return unix.EPERM
		}
		if name == unix.SO_RCVBUF {
			uv = min(uv, MaxBuf)
		}
		b.rcvBuf = max(int(int32(uv*2)), MinRcvBuf)
		bufChanged = true
	case unix.SO_REUSEADDR:
		b.reuseAddr = v != 0
	case unix.SO_REUSEPORT:
		b.reusePort = v != 0
	case unix.SO_KEEPALIVE:
		b.keepAlive = v != 0
	case unix.SO_PASSCRED:
		b.passCred = v != 0
	case unix.SO_BROADCAST:
		b.broadcast = v != 0
	case unix.SO_OOBINLINE:
		b.oobInline = v != 0
	case unix.SO_DONTROUTE:
		b.dontRoute = v != 0
	case unix.SO_TIMESTAMP, unix.SO_TIMESTAMPNS:
		b.timestamp = v != 0
	case unix.SO_PRIORITY:
		if (v < 0 || v > 6) && !privileged {
			return unix.EPERM
		}
		b.priority = v
	case unix.SO_MARK:
		if !privileged {
			return unix.EPERM
		}
		b.mark = v
	case unix.SO_RCVLOWAT:
		b.rcvLowat = max(v, 0)
	case unix.SO_DEBUG, unix.SO_NO_CHECK, unix.SO_PASSSEC, unix.SO_RXQ_OVFL, soBusyPoll, soZerocopy, soIncomingCPU:
	case unix.SO_SNDLOWAT:
		return unix.ENOPROTOOPT
	case unix.SO_TYPE, unix.SO_DOMAIN, unix.SO_PROTOCOL, unix.SO_ERROR, unix.SO_ACCEPTCONN, unix.SO_PEERCRED:
		return unix.ENOPROTOOPT
	default:
		return unix.ENOPROTOOPT
	}
	return nil
}

// FIONREAD and SIOCOUTQ (TIOCINQ/TIOCOUTQ).
const (
	FIONREAD = 0x541b
	SIOCOUTQ = 0x5411
)

// PutInt writes an int for an ioctl.
func PutInt(m interface {
	CopyOut(addr uintptr, src []byte) (int, error)
}, addr uintptr, v int) (uintptr, error) {
	if _, err := m.CopyOut(addr, Int(v)); err != nil {
		return 0, unix.EFAULT
	}
	return 0, nil
}
