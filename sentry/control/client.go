package control

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// SocketName is the control socket's name in a container's state
// directory.
const SocketName = "sandbox.sock"

// maxSunPath is the longest path a sockaddr_un holds (with its NUL).
const maxSunPath = 107

// shortPath returns a name for dir/name that fits a sockaddr_un: the path
// itself, or a path through /proc/self/fd of an O_PATH descriptor of dir
// (closed by the returned function once the socket is bound or
// connected).
func shortPath(dir, name string) (string, func(), error) {
	p := filepath.Join(dir, name)
	if len(p) <= maxSunPath {
		return p, func() {}, nil
	}
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", nil, err
	}
	return fmt.Sprintf("/proc/self/fd/%d/%s", fd, name), func() { unix.Close(fd) }, nil
}

// Listen creates the control socket in dir.
func Listen(dir string) (*net.UnixListener, error) {
	p, done, err := shortPath(dir, SocketName)
	if err != nil {
		return nil, err
	}
	defer done()
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: p, Net: "unix"})
	if err != nil {
		return nil, err
	}
	l.SetUnlinkOnClose(false)
	return l, nil
}

// ErrNoSandbox is returned when the sandbox's control socket does not
// answer (the sandbox process ended).
var ErrNoSandbox = errors.New("the sandbox is not running")

// Call sends req (with fds) to the sandbox whose state directory is dir and
// returns its response. A response carrying an error is returned as an
// error.
func Call(dir string, req *Request, fds []int) (*Response, error) {
	p, done, err := shortPath(dir, SocketName)
	if err != nil {
		return nil, err
	}
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: p, Net: "unix"})
	done()
	if err != nil {
		if errors.Is(err, unix.ECONNREFUSED) || errors.Is(err, unix.ENOENT) {
			return nil, ErrNoSandbox
		}
		return nil, err
	}
	defer c.Close()
	if req.Method != MethodWait {
		c.SetDeadline(time.Now().Add(30 * time.Second))
	}
	if err := writeMessage(c, req.Marshal(), fds); err != nil {
		return nil, err
	}
	m, rfds, err := readMessage(c)
	closeFDs(rfds)
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, fmt.Errorf("the sandbox did not answer %s", req.Method)
		}
		return nil, ErrNoSandbox
	}
	var resp Response
	if err := resp.Unmarshal(m); err != nil {
		return nil, err
	}
	if resp.Error != "" {
		return &resp, errors.New(resp.Error)
	}
	return &resp, nil
}

// Post sends req to the sandbox whose state directory is dir without
// waiting for the answer: a frozen (paused) sandbox reads and acts on it
// once it is resumed.
func Post(dir string, req *Request) error {
	p, done, err := shortPath(dir, SocketName)
	if err != nil {
		return err
	}
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: p, Net: "unix"})
	done()
	if err != nil {
		if errors.Is(err, unix.ECONNREFUSED) || errors.Is(err, unix.ENOENT) {
			return ErrNoSandbox
		}
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	return writeMessage(c, req.Marshal(), nil)
}
