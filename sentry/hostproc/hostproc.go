// Package hostproc reads the host's procfs for the sentry, before and
// after the sentry is chrooted into an empty directory.
//
// Unconfined (runsc do), it reads /proc. Confined (runsc boot), the sandbox
// mounts a procfs of its own pid namespace before the chroot, keeps a
// directory fd of it, detaches the mount (so nothing shows in the empty
// root) and calls Use: reads then go through that fd with openat and
// readlinkat. The procfs is the sentry's own pid namespace's, so the
// thread ids the sentry knows (gettid) name its threads there.
package hostproc

import (
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// dirFD is the procfs directory fd, or -1 for /proc.
var dirFD atomic.Int32

func init() { dirFD.Store(-1) }

// Use makes fd, an open procfs root directory, the procfs of every later
// read. The fd must stay open for the life of the process.
func Use(fd int) { dirFD.Store(int32(fd)) }

// FD returns the procfs directory fd in use, or -1 for /proc.
func FD() int { return int(dirFD.Load()) }

// ReadFile reads the procfs file name, relative to the procfs root
// ("self/auxv", "1234/stat").
func ReadFile(name string) ([]byte, error) {
	fd := FD()
	if fd < 0 {
		return os.ReadFile("/proc/" + name)
	}
	f, err := unix.Openat(fd, name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: "/proc/" + name, Err: err}
	}
	file := os.NewFile(uintptr(f), "/proc/"+name)
	defer file.Close()
	var buf []byte
	b := make([]byte, 4096)
	for {
		n, err := unix.Read(f, b)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: "/proc/" + name, Err: err}
		}
		if n == 0 {
			return buf, nil
		}
		buf = append(buf, b[:n]...)
	}
}

// Readlink reads the procfs symbolic link name ("self/fd/0").
func Readlink(name string) (string, error) {
	fd := FD()
	if fd < 0 {
		return os.Readlink("/proc/" + name)
	}
	b := make([]byte, 4096)
	n, err := unix.Readlinkat(fd, name, b)
	if err != nil {
		return "", &os.PathError{Op: "readlink", Path: "/proc/" + name, Err: err}
	}
	return string(b[:n]), nil
}
