package tmpfs

import (
	"sort"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
)

// Dir is a directory. Its entries (guarded by FS.mu) are kept in creation
// order with a cookie each: getdents offsets are cookies, so they stay
// valid while entries come and go.
type Dir struct {
	inode
	entries map[string]*dirent
	order   []*dirent // sorted by cookie
	next    int64
	// dead is set once the directory was removed.
	dead bool
}

type dirent struct {
	name   string
	n      node
	cookie int64
}

var _ vfs.DirInode = (*Dir)(nil)

func (fs *FS) newDir(mode, uid, gid uint32) *Dir {
	d := &Dir{entries: map[string]*dirent{}}
	fs.initInode(&d.inode, mode, uid, gid)
	d.nlink = 2
	return d
}

// Stat implements vfs.Inode.
func (d *Dir) Stat(st *unix.Stat_t) error {
	d.fs.mu.RLock()
	n := len(d.entries)
	d.fs.mu.RUnlock()
	d.mu.RLock()
	defer d.mu.RUnlock()
	d.statLocked(st)
	st.Size = int64(n+2) * direntSize
	return nil
}

// Open implements vfs.Inode.
func (d *Dir) Open(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	return vfs.NewDirFile(vd, flags), nil
}

// Lookup implements vfs.DirInode.
func (d *Dir) Lookup(name string) (vfs.Inode, error) {
	d.fs.mu.RLock()
	defer d.fs.mu.RUnlock()
	if e, ok := d.entries[name]; ok {
		return e.n, nil
	}
	return nil, unix.ENOENT
}

// IterDirents implements vfs.DirInode.
func (d *Dir) IterDirents(offset int64, cb func(vfs.Dirent) bool) error {
	d.fs.mu.RLock()
	i := sort.Search(len(d.order), func(i int) bool { return d.order[i].cookie >= offset })
	ents := append([]*dirent(nil), d.order[i:]...)
	d.fs.mu.RUnlock()
	for _, e := range ents {
		b := e.n.base()
		b.mu.RLock()
		ino, mode := b.ino, b.mode
		b.mu.RUnlock()
		if !cb(vfs.Dirent{Name: e.name, Ino: ino, Type: vfs.DirentType(mode), NextOff: e.cookie + 1}) {
			break
		}
	}
	return nil
}

// Names returns the entry names in order (for tests and the overlay).
func (d *Dir) Names() []string {
	d.fs.mu.RLock()
	defer d.fs.mu.RUnlock()
	var ns []string
	for _, e := range d.order {
		ns = append(ns, e.name)
	}
	return ns
}

// addLocked inserts an entry. FS.mu must be held for writing.
func (d *Dir) addLocked(name string, n node) {
	e := &dirent{name: name, n: n, cookie: d.next}
	d.next++
	d.entries[name] = e
	d.order = append(d.order, e)
}

// removeLocked drops an entry. FS.mu must be held for writing.
func (d *Dir) removeLocked(name string) {
	e := d.entries[name]
	if e == nil {
		return
	}
	delete(d.entries, name)
	i := sort.Search(len(d.order), func(i int) bool { return d.order[i].cookie >= e.cookie })
	if i < len(d.order) && d.order[i] == e {
		d.order = append(d.order[:i], d.order[i+1:]...)
	}
}

// create adds a new node called name, with the checks every creation
// shares.
func (d *Dir) create(name string, n node) error {
	d.fs.mu.Lock()
	defer d.fs.mu.Unlock()
	if d.dead {
		return unix.ENOENT
	}
	if _, ok := d.entries[name]; ok {
		return unix.EEXIST
	}
	if _, ok := n.(*Dir); ok {
		d.addNlink(1)
	}
	d.addLocked(name, n)
	d.touchCM()
	return nil
}

// Create implements vfs.DirInode.
func (d *Dir) Create(name string, mode uint32, c *vfs.Creds) (vfs.Inode, error) {
	mode, uid, gid := owner(d, c, mode&0o7777|unix.S_IFREG)
	f := d.fs.newFile(mode, uid, gid)
	if err := d.create(name, f); err != nil {
		return nil, err
	}
	return f, nil
}

// Mkdir implements vfs.DirInode.
func (d *Dir) Mkdir(name string, mode uint32, c *vfs.Creds) (vfs.Inode, error) {
	mode, uid, gid := owner(d, c, mode&0o7777|unix.S_IFDIR)
	nd := d.fs.newDir(mode, uid, gid)
	if err := d.create(name, nd); err != nil {
		return nil, err
	}
	return nd, nil
}

// Mknod implements vfs.DirInode: device nodes, FIFOs and sockets (regular
// files too, for completeness).
func (d *Dir) Mknod(name string, mode uint32, dev uint64, c *vfs.Creds) (vfs.Inode, error) {
	var n node
	switch mode & unix.S_IFMT {
	case unix.S_IFREG, 0:
		return d.Create(name, mode, c)
	case unix.S_IFCHR, unix.S_IFBLK, unix.S_IFSOCK:
		m, uid, gid := owner(d, c, mode)
		s := &Special{}
		d.fs.initInode(&s.inode, m, uid, gid)
		if mode&unix.S_IFMT != unix.S_IFSOCK {
			s.rdev = dev
		}
		n = s
	case unix.S_IFIFO:
		m, uid, gid := owner(d, c, mode)
		n = d.fs.newFIFO(m, uid, gid)
	default:
		return nil, unix.EINVAL
	}
	if err := d.create(name, n); err != nil {
		return nil, err
	}
	return n, nil
}

// Symlink implements vfs.DirInode.
func (d *Dir) Symlink(name, target string, c *vfs.Creds) (vfs.Inode, error) {
	if len(target) >= 4096 {
		return nil, unix.ENAMETOOLONG
	}
	_, uid, gid := owner(d, c, 0)
	s := &Symlink{target: target}
	d.fs.initInode(&s.inode, unix.S_IFLNK|0o777, uid, gid)
	if err := d.create(name, s); err != nil {
		return nil, err
	}
	return s, nil
}

// Link implements vfs.DirInode.
func (d *Dir) Link(name string, target vfs.Inode) error {
	n, ok := target.(node)
	if !ok || n.base().fs != d.fs {
		return unix.EXDEV
	}
	if _, ok := n.(*Dir); ok {
		return unix.EPERM
	}
	d.fs.mu.Lock()
	defer d.fs.mu.Unlock()
	if d.dead {
		return unix.ENOENT
	}
	if _, ok := d.entries[name]; ok {
		return unix.EEXIST
	}
	b := n.base()
	b.mu.Lock()
	if b.nlink == 0 && !relinkable(n) {
		b.mu.Unlock()
		return unix.ENOENT
	}
	b.nlink++
	b.ctime = now()
	b.mu.Unlock()
	d.addLocked(name, n)
	d.touchCM()
	return nil
}

// dropLink decrements a removed node's link count and frees an unused
// file.
func dropLink(n node) {
	b := n.base()
	b.mu.Lock()
	if _, ok := n.(*Dir); ok {
		b.nlink = 0
	} else if b.nlink > 0 {
		b.nlink--
	}
	b.ctime = now()
	b.mu.Unlock()
	if f, ok := n.(*File); ok {
		f.maybeFree()
	}
	if d, ok := n.(*Dir); ok {
		d.dead = true
	}
}

// Unlink implements vfs.DirInode.
func (d *Dir) Unlink(name string) error {
	d.fs.mu.Lock()
	defer d.fs.mu.Unlock()
	e := d.entries[name]
	if e == nil {
		return unix.ENOENT
	}
	if _, ok := e.n.(*Dir); ok {
		return unix.EISDIR
	}
	d.removeLocked(name)
	dropLink(e.n)
	d.touchCM()
	return nil
}

// Rmdir implements vfs.DirInode.
func (d *Dir) Rmdir(name string) error {
	d.fs.mu.Lock()
	defer d.fs.mu.Unlock()
	e := d.entries[name]
	if e == nil {
		return unix.ENOENT
	}
	sub, ok := e.n.(*Dir)
	if !ok {
		return unix.ENOTDIR
	}
	if len(sub.entries) > 0 {
		return unix.ENOTEMPTY
	}
	d.removeLocked(name)
	dropLink(sub)
	d.addNlink(-1)
	d.touchCM()
	return nil
}

// Rename implements vfs.DirInode, with RENAME_NOREPLACE and
// RENAME_EXCHANGE.
func (d *Dir) Rename(oldName string, newDir vfs.DirInode, newName string, flags uint32) error {
	nd, ok := newDir.(*Dir)
	if !ok || nd.fs != d.fs {
		return unix.EXDEV
	}
	fs := d.fs
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if nd.dead {
		return unix.ENOENT
	}
	src := d.entries[oldName]
	if src == nil {
		return unix.ENOENT
	}
	dst := nd.entries[newName]
	srcDir, _ := src.n.(*Dir)
	if flags&unix.RENAME_EXCHANGE != 0 {
		if dst == nil {
			return unix.ENOENT
		}
		dstDir, _ := dst.n.(*Dir)
		src.n, dst.n = dst.n, src.n
		if d != nd && (srcDir != nil) != (dstDir != nil) {
			if srcDir != nil {
				d.addNlink(-1)
				nd.addNlink(1)
			} else {
				d.addNlink(1)
				nd.addNlink(-1)
			}
		}
		src.n.base().touchC()
		dst.n.base().touchC()
		d.touchCM()
		if nd != d {
			nd.touchCM()
		}
		return nil
	}
	if dst != nil {
		if flags&unix.RENAME_NOREPLACE != 0 {
			return unix.EEXIST
		}
		if dst.n == src.n {
			return nil
		}
		dstDir, _ := dst.n.(*Dir)
		switch {
		case srcDir != nil && dstDir == nil:
			return unix.ENOTDIR
		case srcDir == nil && dstDir != nil:
			return unix.EISDIR
		case dstDir != nil && len(dstDir.entries) > 0:
			return unix.ENOTEMPTY
		}
		nd.removeLocked(newName)
		dropLink(dst.n)
		if dstDir != nil {
			nd.addNlink(-1)
		}
	}
	d.removeLocked(oldName)
	nd.addLocked(newName, src.n)
	if srcDir != nil && d != nd {
		d.addNlink(-1)
		nd.addNlink(1)
	}
	src.n.base().touchC()
	d.touchCM()
	if nd != d {
		nd.touchCM()
	}
	return nil
}

// Symlink is a symbolic link.
type Symlink struct {
	inode
	target string
}

// Stat implements vfs.Inode.
func (s *Symlink) Stat(st *unix.Stat_t) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.statLocked(st)
	st.Size = int64(len(s.target))
	return nil
}

// Open implements vfs.Inode (the VFS opens symlinks only with O_PATH).
func (s *Symlink) Open(vfs.VirtualDentry, int) (vfs.FileDescription, error) {
	return nil, unix.ELOOP
}

// Readlink implements vfs.SymlinkInode.
func (s *Symlink) Readlink() (string, error) { return s.target, nil }

// Special is a device node or a socket: an inode only (the VFS opens
// devices by number; sockets are bound by the socket layer).
type Special struct {
	inode
}

// Open implements vfs.Inode.
func (s *Special) Open(vfs.VirtualDentry, int) (vfs.FileDescription, error) {
	return nil, unix.ENXIO
}

// addNlink changes the link count.
func (i *inode) addNlink(delta int) {
	i.mu.Lock()
	i.nlink = uint32(int(i.nlink) + delta)
	i.mu.Unlock()
}
