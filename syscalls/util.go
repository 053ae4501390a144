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

// dirFor returns the directory a path resolves against (nil for absolute
// paths) with a reference the caller drops with release.
func dirFor(t *kernel.Task, dirfd int32, path string) (vfs.FileDescription, error) {
	if len(path) > 0 && path[0] == '/' {
		return nil, nil
	}
	if dirfd == atFDCWD {
		return t.FS.Cwd(), nil
	}
	return getFile(t, dirfd)
}

func release(f vfs.FileDescription) {
	if f != nil {
		f.DecRef()
	}
}

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

// procSelfExe rewrites /proc/self/exe (and /proc/<pid>/exe of the caller)
// to the executable's path until procfs exists.
func procSelfExe(t *kernel.Task, path string) string {
	if len(path) < 10 || path[:6] != "/proc/" {
		return path
	}
	if target, ok := procSelfLink(t, path); ok {
		return target
	}
	return path
}
