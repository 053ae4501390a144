package dev

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
)

// A small static file tree: directories, device nodes and symlinks whose
// set is fixed by the sentry (the application cannot create files in it).

// devfsDev is st_dev of the /dev filesystem.
var devfsDev = unix.Mkdev(0, 5)

var nextIno atomic.Uint64

// attr are the attributes shared by the tree's inodes.
type attr struct {
	ino      uint64
	mode     uint32
	uid, gid uint32
	rdev     uint64
	nlink    uint64
	time     unix.Timespec
}

func newAttr(mode uint32) attr {
	return attr{ino: nextIno.Add(1) + 1, mode: mode, nlink: 1, time: unix.NsecToTimespec(time.Now().UnixNano())}
}

func (a *attr) stat(st *unix.Stat_t) {
	*st = unix.Stat_t{
		Dev: devfsDev, Ino: a.ino, Nlink: a.nlink, Mode: a.mode, Uid: a.uid, Gid: a.gid,
		Rdev: a.rdev, Blksize: 4096, Atim: a.time, Mtim: a.time, Ctim: a.time,
	}
}

// Dir is a directory of the tree.
type Dir struct {
	vfs.NoDirOps
	attr
	mu       sync.Mutex
	names    []string
	children map[string]vfs.Inode
}

// NewDir returns an empty directory with permissions perm.
func NewDir(perm uint32) *Dir {
	return &Dir{attr: newAttr(unix.S_IFDIR | perm), children: map[string]vfs.Inode{}}
}

// Add adds (or replaces) the entry name.
func (d *Dir) Add(name string, inode vfs.Inode) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.children[name]; !ok {
		d.names = append(d.names, name)
		sort.Strings(d.names)
	}
	d.children[name] = inode
}

// Stat implements vfs.Inode.
func (d *Dir) Stat(st *unix.Stat_t) error {
	d.attr.stat(st)
	d.mu.Lock()
	st.Nlink = 2
	for _, c := range d.children {
		if _, ok := c.(*Dir); ok {
			st.Nlink++
		}
	}
	d.mu.Unlock()
	st.Size = 4096
	return nil
}

// Open implements vfs.Inode.
func (d *Dir) Open(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	return vfs.NewDirFile(vd, flags), nil
}

// Lookup implements vfs.DirInode.
func (d *Dir) Lookup(name string) (vfs.Inode, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.children[name]; ok {
		return c, nil
	}
	return nil, unix.ENOENT
}

// IterDirents implements vfs.DirInode.
func (d *Dir) IterDirents(offset int64, cb func(vfs.Dirent) bool) error {
	d.mu.Lock()
	names := append([]string(nil), d.names...)
	children := make([]vfs.Inode, len(names))
	for i, n := range names {
		children[i] = d.children[n]
	}
	d.mu.Unlock()
	for i := int(offset); i < len(names); i++ {
		var st unix.Stat_t
		children[i].Stat(&st)
		if !cb(vfs.Dirent{Name: names[i], Ino: st.Ino, Type: vfs.DirentType(st.Mode), NextOff: int64(i + 1)}) {
			return nil
		}
	}
	return nil
}

// Node is a character or block device node; the VFS opens it through the
// device registry.
type Node struct{ attr }

// NewCharDev returns a character device node (major, minor) with
// permissions perm, owned by uid and gid.
func NewCharDev(major, minor uint32, perm, uid, gid uint32) *Node {
	n := &Node{newAttr(unix.S_IFCHR | perm)}
	n.rdev = unix.Mkdev(major, minor)
	n.uid, n.gid = uid, gid
	return n
}

// Stat implements vfs.Inode.
func (n *Node) Stat(st *unix.Stat_t) error {
	n.attr.stat(st)
	return nil
}

// Open implements vfs.Inode: a device nobody registered.
func (n *Node) Open(vfs.VirtualDentry, int) (vfs.FileDescription, error) {
	return nil, unix.ENXIO
}

// Symlink is a symbolic link.
type Symlink struct {
	attr
	target string
}

// NewSymlink returns a symlink to target.
func NewSymlink(target string) *Symlink {
	s := &Symlink{attr: newAttr(unix.S_IFLNK | 0o777), target: target}
	return s
}

// Stat implements vfs.Inode.
func (s *Symlink) Stat(st *unix.Stat_t) error {
	s.attr.stat(st)
	st.Size = int64(len(s.target))
	return nil
}

// Open implements vfs.Inode.
func (s *Symlink) Open(vfs.VirtualDentry, int) (vfs.FileDescription, error) {
	return nil, unix.ELOOP
}

// Readlink implements vfs.SymlinkInode.
func (s *Symlink) Readlink() (string, error) { return s.target, nil }
