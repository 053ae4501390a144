package vfs

import (
	"golang.org/x/sys/unix"
)

// Inode is a file in a filesystem. Every inode can be stat'ed and opened;
// directories, symlinks and the optional features are further interfaces
// (DirInode, SymlinkInode, SetStatInode, XattrInode, StatfsInode).
//
// Inode methods do no permission checks: the VFS checks the caller's
// credentials (permissions.go) before calling them.
type Inode interface {
	// Stat fills st.
	Stat(st *unix.Stat_t) error
	// Open returns a file description for the inode, opened with the open(2)
	// flags (O_CREAT, O_EXCL, O_NOFOLLOW and O_TRUNC already handled). vd
	// is where it was found.
	Open(vd VirtualDentry, flags int) (FileDescription, error)
}

// Creds are the credentials a VFS operation runs with: the filesystem
// ids and the effective capabilities (bit n: capability n, as
// unix.CAP_DAC_OVERRIDE), which override permission checks as Linux's
// do (permissions.go). A nil *Creds is the sentry itself: every check
// passes.
type Creds struct {
	UID, GID uint32
	Groups   []uint32
	Caps     uint64
}

// AllCaps is every capability, the Caps of RootCreds.
const AllCaps = uint64(1)<<(unix.CAP_LAST_CAP+1) - 1

// RootCreds returns credentials of uid 0 with every capability: the
// sandbox's own operations (building the container's tree).
func RootCreds() *Creds { return &Creds{Caps: AllCaps} }

// HasCap reports whether c holds capability cap (a nil c holds all).
func (c *Creds) HasCap(cap int) bool { return c == nil || c.Caps&(1<<uint(cap)) != 0 }

// InGroup reports whether the credentials include group gid.
func (c *Creds) InGroup(gid uint32) bool {
	if c.GID == gid {
		return true
	}
	for _, g := range c.Groups {
		if g == gid {
			return true
		}
	}
	return false
}

// DirInode is a directory. Names are single components (no '/', not "."
// or ".."); the VFS has checked permissions and, for creation, that the
// name does not exist yet (the inode must still fail with EEXIST on a
// race).
type DirInode interface {
	Inode
	// Lookup returns the child called name, or ENOENT.
	Lookup(name string) (Inode, error)
	// IterDirents calls cb for each entry from offset on (offsets are the
	// inode's own cookies; "." and ".." are the VFS's); cb returns false to
	// stop.
	IterDirents(offset int64, cb func(d Dirent) bool) error
	// Create makes a regular file.
	Create(name string, mode uint32, c *Creds) (Inode, error)
	// Mkdir makes a directory.
	Mkdir(name string, mode uint32, c *Creds) (Inode, error)
	// Mknod makes a device node, FIFO or socket (mode has the type).
	Mknod(name string, mode uint32, dev uint64, c *Creds) (Inode, error)
	// Symlink makes a symbolic link to target.
	Symlink(name, target string, c *Creds) (Inode, error)
	// Link makes name another link to target (same filesystem).
	Link(name string, target Inode) error
	// Unlink removes a non-directory entry.
	Unlink(name string) error
	// Rmdir removes an empty directory entry.
	Rmdir(name string) error
	// Rename moves oldName to newDir/newName (same filesystem), with
	// renameat2 flags (RENAME_NOREPLACE, RENAME_EXCHANGE).
	Rename(oldName string, newDir DirInode, newName string, flags uint32) error
}

// Dirent is one directory entry for IterDirents.
type Dirent struct {
	Name string
	Ino  uint64
	// Type is the DT_* type.
	Type uint8
	// NextOff is the offset to resume after this entry.
	NextOff int64
}

// SymlinkInode is a symbolic link.
type SymlinkInode interface {
	Inode
	Readlink() (string, error)
}

// SetStatOptions are the changes setattr makes; nil fields stay.
type SetStatOptions struct {
	Mode       *uint32
	UID, GID   *uint32
	Size       *int64
	Atime      *unix.Timespec
	Mtime      *unix.Timespec
	TouchCtime bool
}

// SetStatInode is an inode whose attributes can change.
type SetStatInode interface {
	SetStat(opts *SetStatOptions) error
}

// XattrInode has extended attributes.
type XattrInode interface {
	Getxattr(name string, dst []byte) (int, error)
	Listxattr(dst []byte) (int, error)
	Setxattr(name string, value []byte, flags int) error
	Removexattr(name string) error
}

// StatfsInode reports its filesystem's statistics.
type StatfsInode interface {
	Statfs(st *unix.Statfs_t) error
}

// NoDirOps gives a directory inode EPERM answers for the operations it
// does not support; embed it.
type NoDirOps struct{}

// Create implements DirInode.
func (NoDirOps) Create(string, uint32, *Creds) (Inode, error) { return nil, unix.EPERM }

// Mkdir implements DirInode.
func (NoDirOps) Mkdir(string, uint32, *Creds) (Inode, error) { return nil, unix.EPERM }

// Mknod implements DirInode.
func (NoDirOps) Mknod(string, uint32, uint64, *Creds) (Inode, error) { return nil, unix.EPERM }

// Symlink implements DirInode.
func (NoDirOps) Symlink(string, string, *Creds) (Inode, error) { return nil, unix.EPERM }

// Link implements DirInode.
func (NoDirOps) Link(string, Inode) error { return unix.EPERM }

// Unlink implements DirInode.
func (NoDirOps) Unlink(string) error { return unix.EPERM }

// Rmdir implements DirInode.
func (NoDirOps) Rmdir(string) error { return unix.EPERM }

// Rename implements DirInode.
func (NoDirOps) Rename(string, DirInode, string, uint32) error { return unix.EPERM }

// FileType returns the S_IFMT bits of an inode.
func FileType(i Inode) uint32 {
	var st unix.Stat_t
	if i.Stat(&st) != nil {
		return 0
	}
	return st.Mode & unix.S_IFMT
}

// DirentType converts S_IFMT bits to a DT_* value.
func DirentType(mode uint32) uint8 {
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		return unix.DT_REG
	case unix.S_IFDIR:
		return unix.DT_DIR
	case unix.S_IFLNK:
		return unix.DT_LNK
	case unix.S_IFCHR:
		return unix.DT_CHR
	case unix.S_IFBLK:
		return unix.DT_BLK
	case unix.S_IFIFO:
		return unix.DT_FIFO
	case unix.S_IFSOCK:
		return unix.DT_SOCK
	}
	return unix.DT_UNKNOWN
}
