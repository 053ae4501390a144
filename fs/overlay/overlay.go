// Package overlay is a union filesystem: a writable upper layer (a tmpfs)
// over a read-only lower one (any VFS filesystem; for `runsc do` the host's
// root). What the sandbox changes lives in the upper layer only:
//
//   - Lookups merge the layers: an upper entry hides the lower one, except
//     that two directories merge.
//   - A file or directory is copied up (data, mode, owner, times, xattrs,
//     and its parent directories first) on its first write, setattr, link
//     or rename. A file opened read-only from the lower layer reads the
//     lower file itself (so mmap of it takes the host file's page cache
//     path).
//   - Removing a name that exists in the lower layer leaves a whiteout.
//     Whiteouts are internal to the overlay (a set per directory node),
//     never entries of the upper filesystem; a directory made where one was
//     removed is opaque (it never merges with the lower one).
//   - readdir lists the upper entries, then the lower ones minus whiteouts
//     and names the upper has.
//   - Directories that exist in the lower layer cannot be renamed (EXDEV,
//     as Linux's overlayfs without redirect_dir); programs fall back to
//     copying.
//   - Inode numbers are stable: a file with a lower origin keeps the
//     lower's st_dev and st_ino after copy-up; upper-only files report the
//     upper's.
//
// Nodes are cached for the overlay's life (FS.mu guards the tree: children,
// whiteouts and each node's layers), so the whiteouts of a directory and
// the identity of copied-up files persist. The upper filesystem's directory
// offsets must stay below 1<<32 (tmpfs's do).
package overlay

import (
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
)

// Magic is OVERLAYFS_SUPER_MAGIC.
const Magic = 0x794c7630

// lowerBase is the first getdents offset of the lower layer's entries.
const lowerBase = 1 << 32

// FS is one overlay.
type FS struct {
	mu   sync.Mutex
	root *node
}

// New returns an overlay of upper (an empty directory of a writable
// filesystem) over lower (a directory). The upper root takes the lower
// root's owner and mode.
func New(upper, lower vfs.Inode) (*FS, error) {
	if _, ok := upper.(vfs.DirInode); !ok {
		return nil, unix.ENOTDIR
	}
	if _, ok := lower.(vfs.DirInode); !ok {
		return nil, unix.ENOTDIR
	}
	fs := &FS{}
	r := &node{fs: fs, upper: upper, lower: lower}
	r.setOrigin()
	var st unix.Stat_t
	if err := lower.Stat(&st); err == nil {
		if ss, ok := upper.(vfs.SetStatInode); ok {
			mode := st.Mode & 0o7777
			ss.SetStat(&vfs.SetStatOptions{Mode: &mode, UID: &st.Uid, GID: &st.Gid, Atime: &st.Atim, Mtime: &st.Mtim})
		}
	}
	fs.root = r
	return fs, nil
}

// Root returns the overlay's root directory.
func (fs *FS) Root() vfs.Inode { return fs.root }

// node is a file of the overlay. upper is nil until the file is copied up;
// lower is nil for files made in the overlay (and for directories made
// where a lower one was removed: those are opaque).
type node struct {
	fs     *FS
	parent *node
	name   string
	upper  vfs.Inode
	lower  vfs.Inode

	// Directories: the cached children and the whiteouts.
	children  map[string]*node
	whiteouts map[string]bool
	// lowerList caches the lower directory's entries (the lower layer
	// never changes); lowerIno maps their names to inode numbers.
	lowerList []vfs.Dirent
	lowerIno  map[string]uint64
	listed    bool
	// nlink caches a merged directory's link count (0: unknown).
	nlink int

	// origin is the lower file's identity, reported after copy-up too.
	hasOrigin         bool
	originDev, origin uint64
}

var (
	_ vfs.DirInode     = (*node)(nil)
	_ vfs.SymlinkInode = (*node)(nil)
	_ vfs.SetStatInode = (*node)(nil)
	_ vfs.XattrInode   = (*node)(nil)
	_ vfs.StatfsInode  = (*node)(nil)
	_ vfs.FIFOInode    = (*node)(nil)
)

func (n *node) setOrigin() {
	if n.lower == nil {
		return
	}
	var st unix.Stat_t
	if n.lower.Stat(&st) == nil {
		n.hasOrigin, n.originDev, n.origin = true, st.Dev, st.Ino
	}
}

// layer returns the inode that answers for n now.
func (n *node) layer() vfs.Inode {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	return n.layerLocked()
}

func (n *node) layerLocked() vfs.Inode {
	if n.upper != nil {
		return n.upper
	}
	return n.lower
}

func isDir(i vfs.Inode) bool {
	if i == nil {
		return false
	}
	_, ok := i.(vfs.DirInode)
	return ok && vfs.FileType(i) == unix.S_IFDIR
}

// merged reports whether n is a directory whose lower layer shows through.
func (n *node) mergedLocked() bool {
	return n.lower != nil && isDir(n.lower) && (n.upper == nil || isDir(n.upper))
}

// Stat implements vfs.Inode.
func (n *node) Stat(st *unix.Stat_t) error {
	n.fs.mu.Lock()
	l := n.layerLocked()
	mergedDir := n.upper != nil && n.mergedLocked()
	nlink := 0
	if mergedDir {
		nlink = n.nlinkLocked()
	}
	n.fs.mu.Unlock()
	if err := l.Stat(st); err != nil {
		return err
	}
	if n.hasOrigin {
		st.Dev, st.Ino = n.originDev, n.origin
	}
	if mergedDir {
		// A merged directory has the lower one's size and blocks (they
		// are the lower filesystem's notion) and the link count of what
		// it shows (tools trust nlink-2 as the number of
		// subdirectories).
		var lst unix.Stat_t
		if n.lower.Stat(&lst) == nil {
			st.Size, st.Blocks, st.Blksize = lst.Size, lst.Blocks, lst.Blksize
		}
		if nlink > 0 {
			st.Nlink = uint64(nlink)
		}
	}
	return nil
}

// Open implements vfs.Inode.
func (n *node) Open(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	n.fs.mu.Lock()
	l := n.layerLocked()
	ft := vfs.FileType(l)
	if ft == unix.S_IFDIR {
		n.fs.mu.Unlock()
		return vfs.NewDirFile(vd, flags), nil
	}
	acc := flags & unix.O_ACCMODE
	if ft == unix.S_IFREG && (acc != unix.O_RDONLY || flags&unix.O_TRUNC != 0) {
		if err := n.copyUpLocked(flags&unix.O_TRUNC != 0); err != nil {
			n.fs.mu.Unlock()
			return nil, err
		}
		l = n.upper
	}
	n.fs.mu.Unlock()
	return l.Open(vd, flags)
}

// OpenFIFO implements vfs.FIFOInode: a FIFO is copied up and opened as a
// pipe of the upper layer (never the host's FIFO).
func (n *node) OpenFIFO(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	n.fs.mu.Lock()
	err := n.copyUpLocked(false)
	u := n.upper
	n.fs.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if fi, ok := u.(vfs.FIFOInode); ok {
		return fi.OpenFIFO(vd, flags)
	}
	return nil, unix.ENXIO
}

// IsHostDevice forwards the VFS's host device hook of the lower layer.
func (n *node) IsHostDevice() bool {
	n.fs.mu.Lock()
	u, l := n.upper, n.lower
	n.fs.mu.Unlock()
	if u != nil || l == nil {
		return false
	}
	d, ok := l.(interface{ IsHostDevice() bool })
	return ok && d.IsHostDevice()
}

// Readlink implements vfs.SymlinkInode.
func (n *node) Readlink() (string, error) {
	sl, ok := n.layer().(vfs.SymlinkInode)
	if !ok {
		return "", unix.EINVAL
	}
	return sl.Readlink()
}

// SetStat implements vfs.SetStatInode: copy up, then change the upper
// file. Truncating to zero copies no data.
func (n *node) SetStat(o *vfs.SetStatOptions) error {
	n.fs.mu.Lock()
	err := n.copyUpLocked(o.Size != nil && *o.Size == 0)
	u := n.upper
	n.fs.mu.Unlock()
	if err != nil {
		return err
	}
	ss, ok := u.(vfs.SetStatInode)
	if !ok {
		return unix.EPERM
	}
	return ss.SetStat(o)
}

// Getxattr implements vfs.XattrInode.
func (n *node) Getxattr(name string, dst []byte) (int, error) {
	x, ok := n.layer().(vfs.XattrInode)
	if !ok {
		return 0, unix.EOPNOTSUPP
	}
	return x.Getxattr(name, dst)
}

// Listxattr implements vfs.XattrInode.
func (n *node) Listxattr(dst []byte) (int, error) {
	x, ok := n.layer().(vfs.XattrInode)
	if !ok {
		return 0, nil
	}
	return x.Listxattr(dst)
}

func (n *node) upperXattr() (vfs.XattrInode, error) {
	n.fs.mu.Lock()
	err := n.copyUpLocked(false)
	u := n.upper
	n.fs.mu.Unlock()
	if err != nil {
		return nil, err
	}
	x, ok := u.(vfs.XattrInode)
	if !ok {
		return nil, unix.EOPNOTSUPP
	}
	return x, nil
}

// Setxattr implements vfs.XattrInode.
func (n *node) Setxattr(name string, value []byte, flags int) error {
	x, err := n.upperXattr()
	if err != nil {
		return err
	}
	return x.Setxattr(name, value, flags)
}

// Removexattr implements vfs.XattrInode.
func (n *node) Removexattr(name string) error {
	x, err := n.upperXattr()
	if err != nil {
		return err
	}
	return x.Removexattr(name)
}

// Statfs implements vfs.StatfsInode: the upper layer's figures.
func (n *node) Statfs(st *unix.Statfs_t) error {
	sf, ok := n.fs.root.upper.(vfs.StatfsInode)
	if !ok {
		*st = unix.Statfs_t{Bsize: 4096, Frsize: 4096, Namelen: 255}
	} else if err := sf.Statfs(st); err != nil {
		return err
	}
	st.Type = Magic
	return nil
}

// nlinkLocked returns 2 plus the number of subdirectories n shows.
// fs.mu must be held.
func (n *node) nlinkLocked() int {
	if n.nlink == 0 {
		ents, err := n.listLocked(0)
		if err != nil {
			return 0
		}
		c := 2
		for _, d := range ents {
			if d.Type == unix.DT_DIR {
				c++
			}
		}
		n.nlink = c
	}
	return n.nlink
}
