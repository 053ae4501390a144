package host

import (
	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
)

// withPath runs fn on a host O_PATH fd for path (or dir itself when path is
// empty), refusing the host's /proc and /sys.
func (fs *FS) withPath(dir vfs.FileDescription, path string, follow bool, fn func(fd int) error) error {
	dfd, err := fs.dirFD(dir, path)
	if err != nil {
		return err
	}
	if path == "" {
		return fn(dfd)
	}
	of := unix.O_PATH | unix.O_CLOEXEC
	if !follow {
		of |= unix.O_NOFOLLOW
	}
	fd, err := openHost(dfd, path, of)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if hidden(fd) {
		return unix.ENOENT
	}
	return fn(fd)
}

// StatfsAt implements vfs.XattrFilesystem.
func (fs *FS) StatfsAt(dir vfs.FileDescription, path string, st *unix.Statfs_t) error {
	return fs.withPath(dir, path, true, func(fd int) error {
		if err := unix.Fstatfs(fd, st); err != nil {
			return err
		}
		st.Flags |= unix.ST_RDONLY
		return nil
	})
}

// procFDPath names an O_PATH fd for the *xattr calls, which do not take
// O_PATH fds directly.
func procFDPath(fd int) string { return "/proc/self/fd/" + itoa(fd) }

// GetxattrAt implements vfs.XattrFilesystem.
func (fs *FS) GetxattrAt(dir vfs.FileDescription, path string, follow bool, name string, dst []byte) (int, error) {
	var n int
	err := fs.withPath(dir, path, follow, func(fd int) error {
		var err error
		if !follow {
			n, err = unix.Lgetxattr(procFDPath(fd), name, dst)
		} else {
			n, err = unix.Getxattr(procFDPath(fd), name, dst)
		}
		return err
	})
	return n, err
}

// ListxattrAt implements vfs.XattrFilesystem.
func (fs *FS) ListxattrAt(dir vfs.FileDescription, path string, follow bool, dst []byte) (int, error) {
	var n int
	err := fs.withPath(dir, path, follow, func(fd int) error {
		var err error
		if !follow {
			n, err = unix.Llistxattr(procFDPath(fd), dst)
		} else {
			n, err = unix.Listxattr(procFDPath(fd), dst)
		}
		return err
	})
	return n, err
}
