package sandbox

// Joining an existing network namespace by path (the spec's
// linux.namespaces entry {"type": "network", "path": P}, as CNI and
// containerd's pod sandboxes set it).
//
// The sandbox process joins P instead of getting a new network namespace
// (SysProcAttrOptions.JoinNetwork). A network namespace is per thread in
// Linux and a Go process always has several threads, so `runsc boot` joins
// with syscall.AllThreadsSyscall(SYS_SETNS) before it starts anything
// (the gofer, the stubs): every existing thread joins, threads created
// later inherit it, and /proc/PID/ns/net of the sandbox (its main thread)
// names P. This is also why the binary is built without cgo (Go refuses
// AllThreadsSyscall with cgo).
//
// Paths of the other namespace types (pid, ipc, uts, mount, user, cgroup)
// are accepted and ignored, as gVisor does: the sentry is the container's
// kernel, so the application's pid, ipc, uts and mount namespaces are the
// sentry's own, whatever host namespace the sandbox process is in.

import (
	"fmt"

	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// nsGetNSType is NS_GET_NSTYPE, _IO(0xb7, 0x3), which x/sys/unix lacks.
const nsGetNSType = 0xb703

// NetNSPath is the network namespace the spec says to join, or "".
func NetNSPath(s *specs.Spec) string {
	if s == nil || s.Linux == nil {
		return ""
	}
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == specs.NetworkNamespace {
			return ns.Path
		}
	}
	return ""
}

// openNetNS opens path and checks that it is a network namespace.
func openNetNS(path string) (int, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("network namespace path %s: %w", path, pathErr(err))
	}
	typ, err := unix.IoctlRetInt(fd, nsGetNSType)
	if err != nil || typ != unix.CLONE_NEWNET {
		unix.Close(fd)
		return -1, fmt.Errorf("network namespace path %s: not a network namespace", path)
	}
	return fd, nil
}

// pathErr names an errno the way os errors do ("no such file or
// directory").
func pathErr(err error) error {
	if e, ok := err.(unix.Errno); ok {
		return syscall.Errno(e)
	}
	return err
}

// CheckNetNS fails, in one line, if path is not a network namespace.
func CheckNetNS(path string) error {
	fd, err := openNetNS(path)
	if err != nil {
		return err
	}
	unix.Close(fd)
	return nil
}

// JoinNetNS moves every thread of the calling process into the network
// namespace at path (see the file comment).
func JoinNetNS(path string) error {
	fd, err := openNetNS(path)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if _, _, e := syscall.AllThreadsSyscall(unix.SYS_SETNS, uintptr(fd), unix.CLONE_NEWNET, 0); e != 0 {
		if e == syscall.ENOTSUP {
			return fmt.Errorf("joining the network namespace %s: %v", path, errCgo)
		}
		return fmt.Errorf("joining the network namespace %s: %v", path, e)
	}
	return nil
}
