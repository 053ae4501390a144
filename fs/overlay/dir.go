package overlay

import (
	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
)

// childLocked returns the child called name, looking it up in the layers
// if it is not cached. fs.mu must be held.
func (n *node) childLocked(name string) (*node, error) {
	if c := n.children[name]; c != nil {
		return c, nil
	}
	if !isDir(n.layerLocked()) {
		return nil, unix.ENOTDIR
	}
	var u, l vfs.Inode
	var err error
	if n.upper != nil {
		if ud, ok := n.upper.(vfs.DirInode); ok {
			if u, err = ud.Lookup(name); err != nil && err != unix.ENOENT {
				return nil, err
			}
		}
	}
	if (u == nil || isDir(u)) && n.mergedLocked() && !n.whiteouts[name] {
		if l, err = n.lower.(vfs.DirInode).Lookup(name); err != nil && err != unix.ENOENT {
			return nil, err
		}
		if u != nil && l != nil && !isDir(l) {
			l = nil // an upper directory over a lower file hides it
		}
	}
	if u == nil && l == nil {
		return nil, unix.ENOENT
	}
	c := &node{fs: n.fs, parent: n, name: name, upper: u, lower: l}
	c.setOrigin()
	if n.children == nil {
		n.children = map[string]*node{}
	}
	n.children[name] = c
	return c, nil
}

// Lookup implements vfs.DirInode.
func (n *node) Lookup(name string) (vfs.Inode, error) {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	c, err := n.childLocked(name)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// copyUpLocked gives n an upper file: its parents first, then a copy of
// the lower file (without the data if skipData). fs.mu must be held.
func (n *node) copyUpLocked(skipData bool) error {
	if n.upper != nil {
		return nil
	}
	if n.parent == nil || n.lower == nil {
		return unix.EIO
	}
	if err := n.parent.copyUpLocked(false); err != nil {
		return err
	}
	pd, ok := n.parent.upper.(vfs.DirInode)
	if !ok {
		return unix.ENOTDIR
	}
	var st unix.Stat_t
	if err := n.lower.Stat(&st); err != nil {
		return err
	}
	creds := &vfs.Creds{UID: st.Uid, GID: st.Gid, Caps: vfs.AllCaps}
	perm := st.Mode & 0o7777
	var u vfs.Inode
	var err error
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		u, err = pd.Mkdir(n.name, perm|unix.S_IFDIR, creds)
	case unix.S_IFREG:
		u, err = pd.Create(n.name, perm|unix.S_IFREG, creds)
		if err == nil && !skipData && st.Size > 0 {
			if err = copyData(n.lower, u, st.Size); err != nil {
				pd.Unlink(n.name)
			}
		}
	case unix.S_IFLNK:
		sl, ok := n.lower.(vfs.SymlinkInode)
		if !ok {
			return unix.EIO
		}
		var target string
		if target, err = sl.Readlink(); err == nil {
			u, err = pd.Symlink(n.name, target, creds)
		}
	default:
		u, err = pd.Mknod(n.name, st.Mode, st.Rdev, creds)
	}
	if err != nil {
		return err
	}
	if ss, ok := u.(vfs.SetStatInode); ok {
		ss.SetStat(&vfs.SetStatOptions{UID: &st.Uid, GID: &st.Gid})
		if st.Mode&unix.S_IFMT != unix.S_IFLNK {
			ss.SetStat(&vfs.SetStatOptions{Mode: &perm})
		}
		ss.SetStat(&vfs.SetStatOptions{Atime: &st.Atim, Mtime: &st.Mtim})
	}
	copyXattrs(n.lower, u)
	n.upper = u
	return nil
}

// copyData copies size bytes of the lower file into the upper one, leaving
// runs of zeros as holes.
func copyData(lower, upper vfs.Inode, size int64) error {
	src, err := lower.Open(vfs.VirtualDentry{}, unix.O_RDONLY)
	if err != nil {
		return err
	}
	defer src.DecRef()
	dst, err := upper.Open(vfs.VirtualDentry{}, unix.O_WRONLY)
	if err != nil {
		return err
	}
	defer dst.DecRef()
	buf := make([]byte, 256<<10)
	var off int64
	for off < size {
		n, err := src.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		if n > 0 {
			for p := 0; p < n; p += 4096 {
				chunk := buf[p:min(p+4096, n)]
				if allZero(chunk) {
					continue
				}
				if _, werr := dst.Write([][]byte{chunk}, off+int64(p)); werr != nil {
					return werr
				}
			}
			off += int64(n)
		}
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	if ss, ok := upper.(vfs.SetStatInode); ok {
		return ss.SetStat(&vfs.SetStatOptions{Size: &off})
	}
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// copyXattrs copies the extended attributes the upper layer accepts.
func copyXattrs(lower, upper vfs.Inode) {
	lx, ok := lower.(vfs.XattrInode)
	ux, ok2 := upper.(vfs.XattrInode)
	if !ok || !ok2 {
		return
	}
	size, err := lx.Listxattr(nil)
	if err != nil || size == 0 {
		return
	}
	list := make([]byte, size)
	if size, err = lx.Listxattr(list); err != nil {
		return
	}
	start := 0
	for i := 0; i < size; i++ {
		if list[i] != 0 {
			continue
		}
		name := string(list[start:i])
		start = i + 1
		vs, err := lx.Getxattr(name, nil)
		if err != nil {
			continue
		}
		v := make([]byte, vs)
		if vs > 0 {
			if vs, err = lx.Getxattr(name, v); err != nil {
				continue
			}
		}
		ux.Setxattr(name, v[:vs], 0)
	}
}

// listLocked returns the merged entries from offset on. fs.mu must be
// held.
func (n *node) listLocked(offset int64) ([]vfs.Dirent, error) {
	var out []vfs.Dirent
	merged := n.mergedLocked()
	if merged && !n.listed {
		if err := n.lower.(vfs.DirInode).IterDirents(0, func(d vfs.Dirent) bool {
			n.lowerList = append(n.lowerList, d)
			return true
		}); err != nil {
			return nil, err
		}
		n.lowerIno = make(map[string]uint64, len(n.lowerList))
		for _, d := range n.lowerList {
			n.lowerIno[d.Name] = d.Ino
		}
		n.listed = true
	}
	ud, _ := n.upper.(vfs.DirInode)
	if offset < lowerBase && ud != nil {
		err := ud.IterDirents(offset, func(d vfs.Dirent) bool {
			if merged {
				if ino, ok := n.lowerIno[d.Name]; ok {
					d.Ino = ino
				}
			}
			if c := n.children[d.Name]; c != nil && c.hasOrigin {
				d.Ino = c.origin
			}
			out = append(out, d)
			return true
		})
		if err != nil {
			return nil, err
		}
	}
	if !merged {
		return out, nil
	}
	for i := max(offset-lowerBase, 0); i < int64(len(n.lowerList)); i++ {
		d := n.lowerList[i]
		if n.whiteouts[d.Name] {
			continue
		}
		if ud != nil {
			if _, err := ud.Lookup(d.Name); err == nil {
				continue
			}
		}
		d.NextOff = lowerBase + i + 1
		out = append(out, d)
	}
	return out, nil
}

// IterDirents implements vfs.DirInode: the upper entries (at the upper's
// offsets), then the lower ones (at lowerBase + index).
func (n *node) IterDirents(offset int64, cb func(vfs.Dirent) bool) error {
	n.fs.mu.Lock()
	ents, err := n.listLocked(offset)
	n.fs.mu.Unlock()
	if err != nil {
		return err
	}
	for _, d := range ents {
		if !cb(d) {
			break
		}
	}
	return nil
}

// emptyLocked reports whether directory n shows no entries.
func (n *node) emptyLocked() (bool, error) {
	ents, err := n.listLocked(0)
	return len(ents) == 0, err
}

// upperDirLocked copies n up and returns its upper directory.
func (n *node) upperDirLocked() (vfs.DirInode, error) {
	if err := n.copyUpLocked(false); err != nil {
		return nil, err
	}
	ud, ok := n.upper.(vfs.DirInode)
	if !ok {
		return nil, unix.ENOTDIR
	}
	return ud, nil
}

// create makes a new entry with mk in the upper directory.
func (n *node) create(name string, mk func(ud vfs.DirInode) (vfs.Inode, error)) (vfs.Inode, error) {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	if _, err := n.childLocked(name); err == nil {
		return nil, unix.EEXIST
	} else if err != unix.ENOENT {
		return nil, err
	}
	ud, err := n.upperDirLocked()
	if err != nil {
		return nil, err
	}
	u, err := mk(ud)
	if err != nil {
		return nil, err
	}
	delete(n.whiteouts, name)
	n.nlink = 0
	c := &node{fs: n.fs, parent: n, name: name, upper: u}
	if n.children == nil {
		n.children = map[string]*node{}
	}
	n.children[name] = c
	return c, nil
}

// Create implements vfs.DirInode.
func (n *node) Create(name string, mode uint32, c *vfs.Creds) (vfs.Inode, error) {
	return n.create(name, func(ud vfs.DirInode) (vfs.Inode, error) { return ud.Create(name, mode, c) })
}

// Mkdir implements vfs.DirInode. A directory made where a lower one was
// removed is opaque: it has no lower layer.
func (n *node) Mkdir(name string, mode uint32, c *vfs.Creds) (vfs.Inode, error) {
	return n.create(name, func(ud vfs.DirInode) (vfs.Inode, error) { return ud.Mkdir(name, mode, c) })
}

// Mknod implements vfs.DirInode.
func (n *node) Mknod(name string, mode uint32, dev uint64, c *vfs.Creds) (vfs.Inode, error) {
	return n.create(name, func(ud vfs.DirInode) (vfs.Inode, error) { return ud.Mknod(name, mode, dev, c) })
}

// Symlink implements vfs.DirInode.
func (n *node) Symlink(name, target string, c *vfs.Creds) (vfs.Inode, error) {
	return n.create(name, func(ud vfs.DirInode) (vfs.Inode, error) { return ud.Symlink(name, target, c) })
}

// Link implements vfs.DirInode: the target is copied up and linked in the
// upper layer.
func (n *node) Link(name string, target vfs.Inode) error {
	t, ok := target.(*node)
	if !ok || t.fs != n.fs {
		return unix.EXDEV
	}
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	if _, err := n.childLocked(name); err == nil {
		return unix.EEXIST
	}
	ud, err := n.upperDirLocked()
	if err != nil {
		return err
	}
	if err := t.copyUpLocked(false); err != nil {
		return err
	}
	if err := ud.Link(name, t.upper); err != nil {
		return err
	}
	delete(n.whiteouts, name)
	if n.children == nil {
		n.children = map[string]*node{}
	}
	if t.parent == nil {
		// An O_TMPFILE file gets its first name (tmpfile.go).
		t.parent, t.name = n, name
	}
	n.children[name] = t
	return nil
}

// removeLocked drops name from n's view after its upper entry is gone,
// whiting out a lower one.
func (n *node) removeLocked(name string) {
	delete(n.children, name)
	n.nlink = 0
	if n.mergedLocked() {
		if n.whiteouts == nil {
			n.whiteouts = map[string]bool{}
		}
		n.whiteouts[name] = true
	}
}

// touchLocked updates the upper directory's times when only a whiteout
// changed.
func touch(ud vfs.DirInode) {
	if ss, ok := ud.(vfs.SetStatInode); ok {
		t := unix.Timespec{Nsec: unix.UTIME_NOW}
		ss.SetStat(&vfs.SetStatOptions{Mtime: &t})
	}
}

// Unlink implements vfs.DirInode.
func (n *node) Unlink(name string) error {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	c, err := n.childLocked(name)
	if err != nil {
		return err
	}
	if isDir(c.layerLocked()) {
		return unix.EISDIR
	}
	ud, err := n.upperDirLocked()
	if err != nil {
		return err
	}
	if c.upper != nil {
		if err := ud.Unlink(name); err != nil {
			return err
		}
	} else {
		touch(ud)
	}
	n.removeLocked(name)
	return nil
}

// Rmdir implements vfs.DirInode.
func (n *node) Rmdir(name string) error {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	c, err := n.childLocked(name)
	if err != nil {
		return err
	}
	if !isDir(c.layerLocked()) {
		return unix.ENOTDIR
	}
	if empty, err := c.emptyLocked(); err != nil {
		return err
	} else if !empty {
		return unix.ENOTEMPTY
	}
	ud, err := n.upperDirLocked()
	if err != nil {
		return err
	}
	if c.upper != nil {
		if err := ud.Rmdir(name); err != nil {
			return err
		}
	} else {
		touch(ud)
	}
	n.removeLocked(name)
	return nil
}

// Rename implements vfs.DirInode. Files are copied up and renamed in the
// upper layer; a directory with a lower layer cannot move (EXDEV).
func (n *node) Rename(oldName string, newDir vfs.DirInode, newName string, flags uint32) error {
	nd, ok := newDir.(*node)
	if !ok || nd.fs != n.fs {
		return unix.EXDEV
	}
	fs := n.fs
	fs.mu.Lock()
	defer fs.mu.Unlock()
	src, err := n.childLocked(oldName)
	if err != nil {
		return err
	}
	if src.lower != nil && isDir(src.lower) {
		return unix.EXDEV
	}
	dst, err := nd.childLocked(newName)
	if err != nil && err != unix.ENOENT {
		return err
	}
	exchange := flags&unix.RENAME_EXCHANGE != 0
	if dst != nil {
		if dst == src {
			return nil
		}
		if exchange && dst.lower != nil && isDir(dst.lower) {
			return unix.EXDEV
		}
		if !exchange && isDir(dst.layerLocked()) {
			if empty, err := dst.emptyLocked(); err != nil {
				return err
			} else if !empty {
				return unix.ENOTEMPTY
			}
		}
	} else if exchange {
		return unix.ENOENT
	}
	oud, err := n.upperDirLocked()
	if err != nil {
		return err
	}
	nud, err := nd.upperDirLocked()
	if err != nil {
		return err
	}
	if err := src.copyUpLocked(false); err != nil {
		return err
	}
	if dst != nil {
		if err := dst.copyUpLocked(!exchange); err != nil {
			return err
		}
	}
	if err := oud.Rename(oldName, nud, newName, flags); err != nil {
		return err
	}
	n.nlink, nd.nlink = 0, 0
	if nd.children == nil {
		nd.children = map[string]*node{}
	}
	if exchange {
		n.children[oldName], nd.children[newName] = dst, src
		src.parent, src.name, dst.parent, dst.name = nd, newName, n, oldName
		return nil
	}
	n.removeLocked(oldName)
	delete(nd.whiteouts, newName)
	nd.children[newName] = src
	src.parent, src.name = nd, newName
	return nil
}
