package host

import (
	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
)

// FS is a read-only view of a host directory tree (the host's root for
// `runsc do`). Paths resolve on the host, relative to host directory fds, so
// symlinks and ".." behave as on the host. Writes are refused with EROFS,
// except to a few harmless character devices (/dev/null and friends). The
// host's procfs and sysfs are never exposed: they describe the host, not the
// sandbox.
type FS struct {
	root *File
}

// NewFS opens dir as the root of a host filesystem view.
func NewFS(dir string) (*FS, error) {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return &FS{root: NewFile(fd, "/", unix.O_PATH|unix.O_DIRECTORY)}, nil
}

// Root implements vfs.Filesystem.
func (fs *FS) Root() vfs.FileDescription {
	fs.root.IncRef()
	return fs.root
}

// dirFD returns the host fd paths resolve against.
func (fs *FS) dirFD(dir vfs.FileDescription, path string) (int, error) {
	if len(path) > 0 && path[0] == '/' {
		return fs.root.fd, nil
	}
	if dir == nil {
		return fs.root.fd, nil
	}
	fd := dir.HostFD()
	if fd < 0 {
		return -1, unix.ENOTDIR
	}
	return fd, nil
}

// writableDevice reports whether st is a device the sandbox may open for
// writing on the host: null, zero, full, random, urandom, tty.
func writableDevice(st *unix.Stat_t) bool {
	if st.Mode&unix.S_IFMT != unix.S_IFCHR {
		return false
	}
	maj, min := unix.Major(st.Rdev), unix.Minor(st.Rdev)
	switch {
	case maj == 1 && (min == 3 || min == 5 || min == 7 || min == 8 || min == 9):
		return true
	case maj == 5 && min == 0:
		return true
	}
	return false
}

// hidden reports whether the host fd is on a filesystem the sandbox must not
// see (the host's /proc and /sys).
func hidden(fd int) bool {
	var sfs unix.Statfs_t
	if unix.Fstatfs(fd, &sfs) != nil {
		return true
	}
	return sfs.Type == unix.PROC_SUPER_MAGIC || sfs.Type == unix.SYSFS_MAGIC
}

// OpenAt implements vfs.Filesystem.
func (fs *FS) OpenAt(dir vfs.FileDescription, path string, flags int, mode uint32) (vfs.FileDescription, error) {
	dfd, err := fs.dirFD(dir, path)
	if err != nil {
		return nil, err
	}
	if path == "" {
		return nil, unix.ENOENT
	}
	if flags&unix.O_TMPFILE == unix.O_TMPFILE {
		return nil, unix.EROFS
	}
	writing := flags&unix.O_ACCMODE != unix.O_RDONLY || flags&unix.O_TRUNC != 0
	if writing || flags&unix.O_CREAT != 0 {
		var st unix.Stat_t
		sflags := 0
		if flags&(unix.O_NOFOLLOW) != 0 {
			sflags = unix.AT_SYMLINK_NOFOLLOW
		}
		err := unix.Fstatat(dfd, path, &st, sflags)
		switch {
		case err == unix.ENOENT && flags&unix.O_CREAT != 0:
			return nil, unix.EROFS
		case err != nil:
			return nil, err
		case flags&unix.O_CREAT != 0 && flags&unix.O_EXCL != 0:
			return nil, unix.EEXIST
		case st.Mode&unix.S_IFMT == unix.S_IFDIR && writing:
			return nil, unix.EISDIR
		case writing && !writableDevice(&st):
			return nil, unix.EROFS
		}
	}
	hflags := flags&^(unix.O_CREAT|unix.O_EXCL) | unix.O_CLOEXEC | unix.O_NOCTTY
	var fd int
	for {
		fd, err = openHost(dfd, path, hflags)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	if hidden(fd) {
		unix.Close(fd)
		return nil, unix.ENOENT
	}
	return NewFile(fd, fs.name(fd, path), uint32(flags&^(unix.O_CREAT|unix.O_EXCL|unix.O_TRUNC|unix.O_CLOEXEC|unix.O_NOCTTY|unix.O_NOFOLLOW))), nil
}

// name returns the absolute path of an opened host fd.
func (fs *FS) name(fd int, fallback string) string {
	buf := make([]byte, 4096)
	n, err := unix.Readlinkat(unix.AT_FDCWD, "/proc/self/fd/"+itoa(fd), buf)
	if err != nil {
		return fallback
	}
	return string(buf[:n])
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// checkVisible opens path as O_PATH to refuse the host's procfs and sysfs.
func (fs *FS) checkVisible(dfd int, path string, flags int) error {
	of := unix.O_PATH | unix.O_CLOEXEC
	if flags&unix.AT_SYMLINK_NOFOLLOW != 0 {
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
	return nil
}

// StatAt implements vfs.Filesystem.
func (fs *FS) StatAt(dir vfs.FileDescription, path string, flags int, st *unix.Stat_t) error {
	dfd, err := fs.dirFD(dir, path)
	if err != nil {
		return err
	}
	if path == "" {
		if flags&unix.AT_EMPTY_PATH == 0 {
			return unix.ENOENT
		}
		return unix.Fstatat(dfd, "", st, unix.AT_EMPTY_PATH)
	}
	if err := fs.checkVisible(dfd, path, flags); err != nil {
		return err
	}
	return unix.Fstatat(dfd, path, st, flags&unix.AT_SYMLINK_NOFOLLOW)
}

// StatxAt implements vfs.Filesystem.
func (fs *FS) StatxAt(dir vfs.FileDescription, path string, flags int, mask int, stx *unix.Statx_t) error {
	dfd, err := fs.dirFD(dir, path)
	if err != nil {
		return err
	}
	if path == "" {
		if flags&unix.AT_EMPTY_PATH == 0 {
			return unix.ENOENT
		}
		return unix.Statx(dfd, "", unix.AT_EMPTY_PATH|flags&atStatxSyncType, mask, stx)
	}
	if err := fs.checkVisible(dfd, path, flags); err != nil {
		return err
	}
	return unix.Statx(dfd, path, flags&(unix.AT_SYMLINK_NOFOLLOW|atStatxSyncType|unix.AT_NO_AUTOMOUNT), mask, stx)
}

// ReadlinkAt implements vfs.Filesystem.
func (fs *FS) ReadlinkAt(dir vfs.FileDescription, path string) (string, error) {
	dfd, err := fs.dirFD(dir, path)
	if err != nil {
		return "", err
	}
	if err := fs.checkVisible(dfd, path, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return "", err
	}
	buf := make([]byte, 4096)
	n, err := unix.Readlinkat(dfd, path, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// AccessAt implements vfs.Filesystem.
func (fs *FS) AccessAt(dir vfs.FileDescription, path string, mode uint32, flags int) error {
	dfd, err := fs.dirFD(dir, path)
	if err != nil {
		return err
	}
	if path == "" && flags&unix.AT_EMPTY_PATH == 0 {
		return unix.ENOENT
	}
	if path != "" {
		if err := fs.checkVisible(dfd, path, flags); err != nil {
			return err
		}
	}
	if mode&unix.W_OK != 0 {
		var st unix.Stat_t
		if err := unix.Fstatat(dfd, path, &st, flags&(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH)); err != nil {
			return err
		}
		if !writableDevice(&st) {
			return unix.EROFS
		}
	}
	return unix.Faccessat2(dfd, path, mode, flags&(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH|unix.AT_EACCESS))
}

// atStatxSyncType is AT_STATX_SYNC_TYPE (unix lacks the mask).
const atStatxSyncType = 0x6000

// openHost opens path under dfd on the host without following "magic"
// links (/proc/self/exe, /proc/*/fd/N...): they would lead out of the
// sandbox's view to the sentry's own files.
func openHost(dfd int, path string, flags int) (int, error) {
	how := unix.OpenHow{Flags: uint64(flags), Resolve: unix.RESOLVE_NO_MAGICLINKS}
	if flags&unix.O_CREAT != 0 {
		how.Mode = 0o600
	}
	for {
		fd, err := unix.Openat2(dfd, path, &how)
		if err == unix.EINTR {
			continue
		}
		if err == unix.ELOOP {
			// A genuine symlink loop (or O_NOFOLLOW on a symlink) fails the
			// same way without the restriction; a magic link does not, and
			// leads nowhere the sandbox may reach.
			if fd2, err2 := unix.Openat(dfd, path, flags|unix.O_CLOEXEC, 0); err2 == nil {
				unix.Close(fd2)
				return -1, unix.ENOENT
			}
		}
		return fd, err
	}
}
