package syscalls

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
)

// atFDCWD is AT_FDCWD as the 32-bit value applications pass.
const atFDCWD = -100

// pathMax is PATH_MAX.
const pathMax = 4096

// getFile returns the file at fd with a reference.
func getFile(t *kernel.Task, fd int32) (vfs.FileDescription, error) {
	f, _, err := t.FDTable.Get(fd)
	return f, err
}

// copyInPath reads a path argument.
func copyInPath(t *kernel.Task, addr uintptr) (string, error) {
	if addr == 0 {
		return "", unix.EFAULT
	}
	p, err := t.CopyInString(addr, pathMax-1)
	if err == unix.ENAMETOOLONG {
		return "", unix.ENAMETOOLONG
	}
	return p, err
}

// dirFor returns the place a path resolves against: the zero value for
// absolute paths and AT_FDCWD (the VFS uses the root or cwd), else dirfd's
// location. An empty path with AT_EMPTY_PATH needs dirfd itself, which is
// returned for AT_FDCWD as the cwd.
func dirFor(t *kernel.Task, dirfd int32, path string) (vfs.VirtualDentry, error) {
	if len(path) > 0 && path[0] == '/' {
		return vfs.VirtualDentry{}, nil
	}
	if dirfd == atFDCWD {
		if path == "" {
			return t.FS.Cwd(), nil
		}
		return vfs.VirtualDentry{}, nil
	}
	f, err := getFile(t, dirfd)
	if err != nil {
		return vfs.VirtualDentry{}, err
	}
	defer f.DecRef()
	l, ok := f.(vfs.Locatable)
	if !ok {
		if path == "" {
			return vfs.VirtualDentry{}, errNotLocatable
		}
		return vfs.VirtualDentry{}, unix.ENOTDIR
	}
	return l.Location(), nil
}

// errNotLocatable marks an fd (pipe, socket, host stdio) that has no place
// in the tree: AT_EMPTY_PATH operations on it use the file itself.
var errNotLocatable = unix.Errno(0x7fff)

// vfsOf returns the kernel's VFS.
func vfsOf(t *kernel.Task) *vfs.VFS { return t.Kernel().VFS }

// errnoOf converts an error to an errno (EIO for non-errno errors).
func errnoOf(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(unix.Errno); ok {
		return err
	}
	return unix.EIO
}

func unixErrnoName(e unix.Errno) string {
	if n := unix.ErrnoName(e); n != "" {
		return n
	}
	return e.Error()
}

// oLargefile is the kernel's O_LARGEFILE on amd64 (unix defines it as 0).
const oLargefile = 0x8000

// structBytes views a fixed-layout ABI struct as bytes.
func structBytes[T any](v *T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(v)), unsafe.Sizeof(*v))
}
