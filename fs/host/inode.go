package host

import (
	"strings"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
)

// TreeFS is a read-only view of a host directory tree as VFS inodes. Inodes
// are paths relative to the tree's root fd: the sentry resolves every
// component itself (so symlinks resolve inside the sandbox's tree), and the
// host only ever sees openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
// RESOLVE_NO_MAGICLINKS below the root. It is the lower layer of the
// root overlay of `runsc do` until the gofer serves files.
type TreeFS struct {
	rootFD int
	// hiddenDevs are the host's procfs and sysfs devices: they describe
	// the host, never the sandbox, and are not visible through the tree.
	hiddenDevs map[uint64]bool
}

// NewTreeFS opens dir as a tree and returns its root inode.
func NewTreeFS(dir string) (*TreeFS, vfs.Inode, error) {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	fs := &TreeFS{rootFD: fd, hiddenDevs: map[uint64]bool{}}
	for _, p := range []string{"/proc", "/sys", "/proc/sys/fs/binfmt_misc", "/sys/kernel/security", "/sys/fs/cgroup"} {
		var st unix.Stat_t
		if unix.Stat(p, &st) == nil {
			var sfs unix.Statfs_t
			if unix.Statfs(p, &sfs) == nil && (sfs.Type == unix.PROC_SUPER_MAGIC || sfs.Type == unix.SYSFS_MAGIC || sfs.Type == unix.CGROUP2_SUPER_MAGIC || sfs.Type == unix.CGROUP_SUPER_MAGIC || sfs.Type == unix.SECURITYFS_MAGIC) {
				fs.hiddenDevs[st.Dev] = true
			}
		}
	}
	return fs, &treeDir{treeInode{fs: fs, path: "."}}, nil
}

// treeInode is a host file by path below the root.
type treeInode struct {
	fs   *TreeFS
	path string
}

func (i *treeInode) join(name string) string {
	if i.path == "." {
		return name
	}
	return i.path + "/" + name
}

// Stat implements vfs.Inode.
func (i *treeInode) Stat(st *unix.Stat_t) error {
	return unix.Fstatat(i.fs.rootFD, i.path, st, unix.AT_SYMLINK_NOFOLLOW)
}

// resolveHow is how host paths below the root are opened: no symlinks (the
// sentry resolved them), nothing above the root, no magic links.
const resolveHow = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS

func (i *treeInode) openHost(flags int) (int, error) {
	flags |= unix.O_CLOEXEC
	if flags&unix.O_PATH == 0 {
		flags |= unix.O_NOCTTY // openat2 refuses it with O_PATH
	}
	how := unix.OpenHow{Flags: uint64(flags), Resolve: resolveHow}
	for {
		fd, err := unix.Openat2(i.fs.rootFD, i.path, &how)
		if err == unix.EINTR {
			continue
		}
		return fd, err
	}
}

// Open implements vfs.Inode.
func (i *treeInode) Open(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	hflags := flags &^ (unix.O_CREAT | unix.O_EXCL | unix.O_TRUNC | unix.O_NOFOLLOW | unix.O_DIRECTORY)
	acc := flags & unix.O_ACCMODE
	if acc != unix.O_RDONLY {
		// The tree is read-only; only writable host devices get here.
		var st unix.Stat_t
		if i.Stat(&st) != nil || !writableDevice(&st) {
			return nil, unix.EROFS
		}
	}
	fd, err := i.openHost(hflags)
	if err != nil {
		return nil, err
	}
	f := NewFile(fd, i.path, uint32(hflags&^unix.O_CLOEXEC))
	return &TreeFile{File: f, FileLocation: vfs.FileLocation{VD: vd}}, nil
}

// TreeFile is an open host file found in a TreeFS.
type TreeFile struct {
	*File
	vfs.FileLocation
}

// IsHostDevice implements the VFS's device hook: the harmless host
// character devices (null, zero, full, random, urandom, tty) open as
// themselves.
func (i *treeInode) IsHostDevice() bool {
	var st unix.Stat_t
	return i.Stat(&st) == nil && writableDevice(&st)
}

// Getxattr implements vfs.XattrInode.
func (i *treeInode) Getxattr(name string, dst []byte) (int, error) {
	fd, err := i.openHost(unix.O_PATH | unix.O_NOFOLLOW)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	// The /proc/self/fd link leads to the opened file itself (a symlink
	// inode included): follow it.
	return unix.Getxattr(procFDPath(fd), name, dst)
}

// Listxattr implements vfs.XattrInode.
func (i *treeInode) Listxattr(dst []byte) (int, error) {
	fd, err := i.openHost(unix.O_PATH | unix.O_NOFOLLOW)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	return unix.Listxattr(procFDPath(fd), dst)
}

// Setxattr implements vfs.XattrInode.
func (i *treeInode) Setxattr(string, []byte, int) error { return unix.EROFS }

// Removexattr implements vfs.XattrInode.
func (i *treeInode) Removexattr(string) error { return unix.EROFS }

// Statfs implements vfs.StatfsInode.
func (i *treeInode) Statfs(st *unix.Statfs_t) error {
	fd, err := i.openHost(unix.O_PATH)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.Fstatfs(fd, st)
}

// treeDir is a host directory.
type treeDir struct {
	treeInode
}

// Lookup implements vfs.DirInode.
func (d *treeDir) Lookup(name string) (vfs.Inode, error) {
	p := d.join(name)
	var st unix.Stat_t
	if err := unix.Fstatat(d.fs.rootFD, p, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, err
	}
	if d.fs.hiddenDevs[st.Dev] {
		return nil, unix.ENOENT
	}
	base := treeInode{fs: d.fs, path: p}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return &treeDir{base}, nil
	case unix.S_IFLNK:
		return &treeSymlink{base}, nil
	}
	return &treeFileInode{base}, nil
}

// Open implements vfs.Inode for directories.
func (d *treeDir) Open(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	return vfs.NewDirFile(vd, flags), nil
}

// IterDirents implements vfs.DirInode by reading the host directory; the
// offsets are the host's.
func (d *treeDir) IterDirents(offset int64, cb func(vfs.Dirent) bool) error {
	fd, err := d.openHost(unix.O_RDONLY | unix.O_DIRECTORY)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if offset > 0 {
		if _, err := unix.Seek(fd, offset, unix.SEEK_SET); err != nil {
			return err
		}
	}
	buf := make([]byte, 32<<10)
	for {
		n, err := unix.Getdents(fd, buf)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		for b := buf[:n]; len(b) > 0; {
			reclen := int(uint16(b[16]) | uint16(b[17])<<8)
			ino := leU64(b[0:])
			off := int64(leU64(b[8:]))
			typ := b[18]
			name := string(b[19:reclen])
			if j := strings.IndexByte(name, 0); j >= 0 {
				name = name[:j]
			}
			b = b[reclen:]
			if name == "." || name == ".." {
				continue
			}
			if !cb(vfs.Dirent{Name: name, Ino: ino, Type: typ, NextOff: off}) {
				return nil
			}
		}
	}
}

func leU64(b []byte) uint64 {
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// The tree is read-only: directory changes fail (the VFS reports EROFS for
// read-only mounts before asking).

// Create implements vfs.DirInode.
func (d *treeDir) Create(string, uint32, *vfs.Creds) (vfs.Inode, error) { return nil, unix.EROFS }

// Mkdir implements vfs.DirInode.
func (d *treeDir) Mkdir(string, uint32, *vfs.Creds) (vfs.Inode, error) { return nil, unix.EROFS }

// Mknod implements vfs.DirInode.
func (d *treeDir) Mknod(string, uint32, uint64, *vfs.Creds) (vfs.Inode, error) {
	return nil, unix.EROFS
}

// Symlink implements vfs.DirInode.
func (d *treeDir) Symlink(string, string, *vfs.Creds) (vfs.Inode, error) { return nil, unix.EROFS }

// Link implements vfs.DirInode.
func (d *treeDir) Link(string, vfs.Inode) error { return unix.EROFS }

// Unlink implements vfs.DirInode.
func (d *treeDir) Unlink(string) error { return unix.EROFS }

// Rmdir implements vfs.DirInode.
func (d *treeDir) Rmdir(string) error { return unix.EROFS }

// Rename implements vfs.DirInode.
func (d *treeDir) Rename(string, vfs.DirInode, string, uint32) error { return unix.EROFS }

// treeSymlink is a host symbolic link.
type treeSymlink struct {
	treeInode
}

// Readlink implements vfs.SymlinkInode.
func (s *treeSymlink) Readlink() (string, error) {
	buf := make([]byte, 4096)
	n, err := unix.Readlinkat(s.fs.rootFD, s.path, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// treeFileInode is any other host file (regular, device, fifo, socket).
type treeFileInode struct {
	treeInode
}
