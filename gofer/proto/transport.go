package proto

import (
	"golang.org/x/sys/unix"
)

// Send writes one message on the SOCK_SEQPACKET socket sock, with hostFD
// as SCM_RIGHTS when hostFD >= 0.
func Send(sock int, msg []byte, hostFD int) error {
	var oob []byte
	if hostFD >= 0 {
		oob = unix.UnixRights(hostFD)
	}
	for {
		err := unix.Sendmsg(sock, msg, oob, nil, 0)
		if err == unix.EINTR {
			continue
		}
		return err
	}
}

// OOBSize is the ancillary buffer Recv needs: room for a few fds, so
// that a peer sending more than one is noticed (and the extras closed).
var OOBSize = unix.CmsgSpace(4 * 4)

// Recv reads one message into buf (which should be MaxMessage bytes) and
// returns it with the host fd that came with it (or -1). A message cut
// short by the buffer, or extra fds, are ErrMalformed (the fds are closed).
// n == 0 with a nil error is the peer's close.
func Recv(sock int, buf, oob []byte) (msg []byte, hostFD int, err error) {
	hostFD = -1
	for {
		n, oobn, flags, _, err := unix.Recvmsg(sock, buf, oob, unix.MSG_CMSG_CLOEXEC)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, -1, err
		}
		var fds []int
		if oobn > 0 {
			cmsgs, perr := unix.ParseSocketControlMessage(oob[:oobn])
			if perr == nil {
				for i := range cmsgs {
					if r, err := unix.ParseUnixRights(&cmsgs[i]); err == nil {
						fds = append(fds, r...)
					}
				}
			}
		}
		if flags&(unix.MSG_TRUNC|unix.MSG_CTRUNC) != 0 || len(fds) > 1 {
			for _, fd := range fds {
				unix.Close(fd)
			}
			return nil, -1, ErrMalformed
		}
		if len(fds) == 1 {
			hostFD = fds[0]
		}
		return buf[:n], hostFD, nil
	}
}
