package vfs

import "golang.org/x/sys/unix"

// Filesystem resolves paths to files. Relative paths resolve against dir,
// a directory opened from the same filesystem; absolute paths against the
// filesystem's root.
type Filesystem interface {
	// OpenAt opens path with open(2) flags and creation mode.
	OpenAt(dir FileDescription, path string, flags int, mode uint32) (FileDescription, error)
	// StatAt implements fstatat(2) (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH).
	StatAt(dir FileDescription, path string, flags int, st *unix.Stat_t) error
	// StatxAt implements statx(2).
	StatxAt(dir FileDescription, path string, flags int, mask int, stx *unix.Statx_t) error
	// ReadlinkAt implements readlinkat(2).
	ReadlinkAt(dir FileDescription, path string) (string, error)
	// AccessAt implements faccessat2(2).
	AccessAt(dir FileDescription, path string, mode uint32, flags int) error
	// Root returns the root directory, opened.
	Root() FileDescription
}

// XattrFilesystem is implemented by filesystems with extended attributes
// and statfs.
type XattrFilesystem interface {
	// StatfsAt implements statfs(2) (path "" with dir: fstatfs).
	StatfsAt(dir FileDescription, path string, st *unix.Statfs_t) error
	// GetxattrAt implements getxattr/lgetxattr/fgetxattr (path "": dir
	// itself); a nil dst asks for the size.
	GetxattrAt(dir FileDescription, path string, follow bool, name string, dst []byte) (int, error)
	// ListxattrAt implements listxattr and friends.
	ListxattrAt(dir FileDescription, path string, follow bool, dst []byte) (int, error)
}
