package vfs

import (
	"golang.org/x/sys/unix"
)

// DeviceOpener opens a character or block device.
type DeviceOpener func(vd VirtualDentry, flags int) (FileDescription, error)

// RegisterDevice makes opening device (major, minor) call open.
func (v *VFS) RegisterDevice(major, minor uint32, open DeviceOpener) {
	v.devsMu.Lock()
	v.devs[unix.Mkdev(major, minor)] = open
	v.devsMu.Unlock()
}

// FIFOInode is a named pipe: opening it joins the pipe.
type FIFOInode interface {
	OpenFIFO(vd VirtualDentry, flags int) (FileDescription, error)
}

// Locatable is a file description that knows where it was opened.
type Locatable interface {
	Location() VirtualDentry
}

// FileLocation implements Locatable; embed it in file descriptions.
type FileLocation struct {
	VD VirtualDentry
}

// Location implements Locatable.
func (l *FileLocation) Location() VirtualDentry { return l.VD }

// readOnly reports whether writes through vd are refused (EROFS).
func readOnly(vd VirtualDentry) bool { return vd.Mount.ReadOnly() }

// OpenAt implements openat(2): resolve (creating with O_CREAT), check
// permissions, and open.
func (v *VFS) OpenAt(ctx *Context, dir VirtualDentry, path string, flags int, mode uint32) (FileDescription, error) {
	if flags&oTmpfileBit != 0 {
		return v.openTmpfile(ctx, dir, path, flags, mode) // tmpfile.go
	}
	var vd VirtualDentry
	if flags&unix.O_CREAT != 0 && flags&unix.O_TMPFILE != unix.O_TMPFILE {
		parent, name, trailing, err := v.ResolveParent(ctx, dir, path)
		if err != nil {
			return nil, err
		}
		if trailing || name == "." || name == ".." {
			return nil, unix.EISDIR
		}
		vd, err = v.step(parent, name)
		switch {
		case err == unix.ENOENT:
			if err := MayAccess(ctx.Creds, parent.Dentry.inode, mayWrite|mayExec); err != nil {
				return nil, err
			}
			if readOnly(parent) {
				return nil, unix.EROFS
			}
			di := parent.Dentry.inode.(DirInode)
			inode, err := di.Create(name, (mode&^ctx.Umask)&0o7777|unix.S_IFREG, ctx.Creds)
			if err != nil {
				return nil, err
			}
			d := v.addChild(parent.Dentry, name, inode)
			notifyEntry(parent.Dentry.inode, name, inode, InCreate)
			vd = VirtualDentry{parent.Mount, d}
			// A new file is opened without further permission checks.
			return v.openInode(ctx, vd, flags&^unix.O_TRUNC, false)
		case err != nil:
			return nil, err
		case flags&unix.O_EXCL != 0:
			return nil, unix.EEXIST
		}
		if flags&unix.O_NOFOLLOW == 0 {
			links := 0
			vd, err = v.followLinks(ctx, parent, vd, &links)
			if err != nil {
				return nil, err
			}
		}
	} else {
		if flags&unix.O_TMPFILE == unix.O_TMPFILE {
			return nil, unix.EOPNOTSUPP
		}
		var err error
		vd, err = v.Resolve(ctx, dir, path, ResolveOptions{Follow: flags&unix.O_NOFOLLOW == 0})
		if err != nil {
			return nil, err
		}
	}
	return v.openInode(ctx, vd, flags, true)
}

// openInodeNoNotify opens the inode at vd, checking permissions if check
// (openInode, notify.go, adds the inotify events).
func (v *VFS) openInodeNoNotify(ctx *Context, vd VirtualDentry, flags int, check bool) (FileDescription, error) {
	inode := vd.Dentry.inode
	ft := FileType(inode)
	if flags&unix.O_PATH != 0 {
		if flags&unix.O_DIRECTORY != 0 && ft != unix.S_IFDIR {
			return nil, unix.ENOTDIR
		}
		return newPathFile(vd, flags), nil
	}
	if ft == unix.S_IFLNK {
		return nil, unix.ELOOP
	}
	if flags&unix.O_DIRECTORY != 0 && ft != unix.S_IFDIR {
		return nil, unix.ENOTDIR
	}
	acc := flags & unix.O_ACCMODE
	writing := acc == unix.O_WRONLY || acc == unix.O_RDWR
	if ft == unix.S_IFDIR && (writing || flags&unix.O_TRUNC != 0) {
		return nil, unix.EISDIR
	}
	if check {
		var want uint32
		if acc == unix.O_RDONLY || acc == unix.O_RDWR {
			want |= mayRead
		}
		if writing || flags&unix.O_TRUNC != 0 {
			want |= mayWrite
		}
		if err := MayAccess(ctx.Creds, inode, want); err != nil {
			return nil, err
		}
	}
	if (writing || flags&unix.O_TRUNC != 0) && readOnly(vd) && ft == unix.S_IFREG {
		return nil, unix.EROFS
	}
	if _, ok := inode.(NoDirectIOInode); ok && flags&unix.O_DIRECT != 0 && ft == unix.S_IFREG {
		return nil, unix.EINVAL
	}
	switch ft {
	case unix.S_IFCHR, unix.S_IFBLK:
		if vd.Mount.Flags&msNodev != 0 {
			return nil, unix.EACCES
		}
		var st unix.Stat_t
		inode.Stat(&st)
		v.devsMu.Lock()
		open := v.devs[st.Rdev]
		v.devsMu.Unlock()
		if open == nil {
			// Inodes may implement the device themselves (a host device).
			if _, ok := inode.(deviceInode); ok {
				return inode.Open(vd, flags)
			}
			return nil, unix.ENXIO
		}
		return open(vd, flags)
	case unix.S_IFIFO:
		if fi, ok := inode.(FIFOInode); ok {
			return fi.OpenFIFO(vd, flags)
		}
	case unix.S_IFSOCK:
		return nil, unix.ENXIO
	}
	if flags&unix.O_TRUNC != 0 && ft == unix.S_IFREG {
		if ss, ok := inode.(SetStatInode); ok {
			zero := int64(0)
			if err := ss.SetStat(&SetStatOptions{Size: &zero, TouchCtime: true}); err != nil {
				return nil, err
			}
		}
	}
	return inode.Open(vd, flags)
}

// deviceInode is implemented by inodes that open as devices themselves.
type deviceInode interface{ IsHostDevice() bool }

// addChild caches a newly created child.
func (v *VFS) addChild(dir *Dentry, name string, inode Inode) *Dentry {
	v.mu.Lock()
	defer v.mu.Unlock()
	if old := dir.children[name]; old != nil {
		old.dead = true
	}
	d := &Dentry{inode: inode, parent: dir, name: name}
	if cacheable(inode) {
		if dir.children == nil {
			dir.children = map[string]*Dentry{}
		}
		dir.children[name] = d
	}
	return d
}

// createCheck resolves the parent for a new name and checks it may be
// created.
func (v *VFS) createCheck(ctx *Context, dir VirtualDentry, path string, allowTrailing bool) (VirtualDentry, string, DirInode, error) {
	parent, name, trailing, err := v.ResolveParent(ctx, dir, path)
	if err != nil {
		return VirtualDentry{}, "", nil, err
	}
	if name == "." || name == ".." {
		return VirtualDentry{}, "", nil, unix.EEXIST
	}
	if _, err := v.step(parent, name); err == nil {
		return VirtualDentry{}, "", nil, unix.EEXIST
	} else if err != unix.ENOENT {
		return VirtualDentry{}, "", nil, err
	}
	if trailing && !allowTrailing {
		return VirtualDentry{}, "", nil, unix.ENOENT
	}
	if err := MayAccess(ctx.Creds, parent.Dentry.inode, mayWrite|mayExec); err != nil {
		return VirtualDentry{}, "", nil, err
	}
	if readOnly(parent) {
		return VirtualDentry{}, "", nil, unix.EROFS
	}
	return parent, name, parent.Dentry.inode.(DirInode), nil
}

// MkdirAt implements mkdirat(2).
func (v *VFS) MkdirAt(ctx *Context, dir VirtualDentry, path string, mode uint32) error {
	parent, name, di, err := v.createCheck(ctx, dir, path, true)
	if err != nil {
		return err
	}
	inode, err := di.Mkdir(name, (mode&^ctx.Umask)&0o7777|unix.S_IFDIR, ctx.Creds)
	if err != nil {
		return err
	}
	v.addChild(parent.Dentry, name, inode)
	notifyEntry(parent.Dentry.inode, name, inode, InCreate)
	return nil
}

// MknodAt implements mknodat(2).
func (v *VFS) MknodAt(ctx *Context, dir VirtualDentry, path string, mode uint32, dev uint64) error {
	parent, name, di, err := v.createCheck(ctx, dir, path, false)
	if err != nil {
		return err
	}
	typ := mode & unix.S_IFMT
	switch typ {
	case 0:
		typ = unix.S_IFREG
	case unix.S_IFREG, unix.S_IFIFO, unix.S_IFSOCK:
	case unix.S_IFCHR, unix.S_IFBLK:
		if !ctx.Creds.HasCap(unix.CAP_MKNOD) {
			return unix.EPERM
		}
	case unix.S_IFDIR:
		return unix.EPERM
	default:
		return unix.EINVAL
	}
	perm := (mode &^ ctx.Umask) & 0o7777
	var inode Inode
	if typ == unix.S_IFREG {
		inode, err = di.Create(name, perm|typ, ctx.Creds)
	} else {
		inode, err = di.Mknod(name, perm|typ, dev, ctx.Creds)
	}
	if err != nil {
		return err
	}
	v.addChild(parent.Dentry, name, inode)
	notifyEntry(parent.Dentry.inode, name, inode, InCreate)
	return nil
}

// SymlinkAt implements symlinkat(2).
func (v *VFS) SymlinkAt(ctx *Context, target string, dir VirtualDentry, path string) error {
	if target == "" {
		return unix.ENOENT
	}
	parent, name, di, err := v.createCheck(ctx, dir, path, false)
	if err != nil {
		return err
	}
	inode, err := di.Symlink(name, target, ctx.Creds)
	if err != nil {
		return err
	}
	v.addChild(parent.Dentry, name, inode)
	notifyEntry(parent.Dentry.inode, name, inode, InCreate)
	return nil
}

// LinkAt implements linkat(2).
func (v *VFS) LinkAt(ctx *Context, olddir VirtualDentry, oldpath string, newdir VirtualDentry, newpath string, follow, emptyPath bool) error {
	old, err := v.Resolve(ctx, olddir, oldpath, ResolveOptions{Follow: follow, EmptyPath: emptyPath})
	if err != nil {
		return err
	}
	if FileType(old.Dentry.inode) == unix.S_IFDIR {
		return unix.EPERM
	}
	parent, name, di, err := v.createCheck(ctx, newdir, newpath, false)
	if err != nil {
		return err
	}
	if parent.Mount != old.Mount {
		return unix.EXDEV
	}
	if err := di.Link(name, old.Dentry.inode); err != nil {
		return err
	}
	v.addChild(parent.Dentry, name, old.Dentry.inode)
	if Watches.active() {
		Watches.event(old.Dentry.inode, InAttrib, 0, "")
		notifyEntry(parent.Dentry.inode, name, old.Dentry.inode, InCreate)
	}
	return nil
}

// UnlinkAt implements unlinkat(2) without AT_REMOVEDIR.
func (v *VFS) UnlinkAt(ctx *Context, dir VirtualDentry, path string) error {
	parent, name, trailing, err := v.ResolveParent(ctx, dir, path)
	if err != nil {
		return err
	}
	if name == "." || name == ".." {
		return unix.EISDIR
	}
	victim, err := v.step(parent, name)
	if err != nil {
		return err
	}
	if FileType(victim.Dentry.inode) == unix.S_IFDIR {
		return unix.EISDIR
	}
	if trailing {
		return unix.ENOTDIR
	}
	if victim.Mount != parent.Mount {
		return unix.EBUSY
	}
	if err := mayDelete(ctx.Creds, parent.Dentry.inode, victim.Dentry.inode); err != nil {
		return err
	}
	if readOnly(parent) {
		return unix.EROFS
	}
	if err := parent.Dentry.inode.(DirInode).Unlink(name); err != nil {
		return err
	}
	v.forget(parent.Dentry, name)
	notifyRemoved(victim.Dentry.inode, false)
	notifyEntry(parent.Dentry.inode, name, victim.Dentry.inode, InDelete)
	return nil
}

// RmdirAt implements rmdir(2) and unlinkat(AT_REMOVEDIR).
func (v *VFS) RmdirAt(ctx *Context, dir VirtualDentry, path string) error {
	parent, name, _, err := v.ResolveParent(ctx, dir, path)
	if err != nil {
		return err
	}
	switch name {
	case ".":
		return unix.EINVAL
	case "..":
		return unix.ENOTEMPTY
	}
	victim, err := v.step(parent, name)
	if err != nil {
		return err
	}
	if FileType(victim.Dentry.inode) != unix.S_IFDIR {
		return unix.ENOTDIR
	}
	if victim.Mount != parent.Mount || v.IsMountPoint(VirtualDentry{parent.Mount, victim.Dentry}) {
		return unix.EBUSY
	}
	if victim == ctx.Root {
		return unix.EBUSY
	}
	if err := mayDelete(ctx.Creds, parent.Dentry.inode, victim.Dentry.inode); err != nil {
		return err
	}
	if readOnly(parent) {
		return unix.EROFS
	}
	if err := parent.Dentry.inode.(DirInode).Rmdir(name); err != nil {
		return err
	}
	v.forget(parent.Dentry, name)
	notifyRemoved(victim.Dentry.inode, true)
	notifyEntry(parent.Dentry.inode, name, victim.Dentry.inode, InDelete)
	return nil
}

// RenameAt implements renameat2(2).
func (v *VFS) RenameAt(ctx *Context, olddir VirtualDentry, oldpath string, newdir VirtualDentry, newpath string, flags uint32) error {
	const renameNoreplace, renameExchange, renameWhiteout = 1, 2, 4
	if flags&^(renameNoreplace|renameExchange) != 0 || flags&renameNoreplace != 0 && flags&renameExchange != 0 {
		return unix.EINVAL
	}
	op, oname, _, err := v.ResolveParent(ctx, olddir, oldpath)
	if err != nil {
		return err
	}
	np, nname, _, err := v.ResolveParent(ctx, newdir, newpath)
	if err != nil {
		return err
	}
	if oname == "." || oname == ".." || nname == "." || nname == ".." {
		return unix.EBUSY
	}
	src, err := v.step(op, oname)
	if err != nil {
		return err
	}
	if op.Mount != np.Mount || src.Mount != op.Mount {
		return unix.EXDEV
	}
	dst, derr := v.step(np, nname)
	if derr != nil && derr != unix.ENOENT {
		return derr
	}
	if flags&renameExchange != 0 && derr != nil {
		return unix.ENOENT
	}
	if flags&renameNoreplace != 0 && derr == nil {
		return unix.EEXIST
	}
	if derr == nil && dst.Dentry == src.Dentry {
		return nil
	}
	srcDir := FileType(src.Dentry.inode) == unix.S_IFDIR
	if derr == nil && flags&renameExchange == 0 {
		dstDir := FileType(dst.Dentry.inode) == unix.S_IFDIR
		if srcDir && !dstDir {
			return unix.ENOTDIR
		}
		if !srcDir && dstDir {
			return unix.EISDIR
		}
		if v.IsMountPoint(VirtualDentry{np.Mount, dst.Dentry}) {
			return unix.EBUSY
		}
	}
	// A directory cannot move into its own subtree.
	if srcDir {
		v.mu.RLock()
		for d := np.Dentry; d != nil; d = d.parent {
			if d == src.Dentry {
				v.mu.RUnlock()
				return unix.EINVAL
			}
		}
		v.mu.RUnlock()
	}
	if err := mayDelete(ctx.Creds, op.Dentry.inode, src.Dentry.inode); err != nil {
		return err
	}
	if derr == nil {
		if err := mayDelete(ctx.Creds, np.Dentry.inode, dst.Dentry.inode); err != nil {
			return err
		}
	} else if err := MayAccess(ctx.Creds, np.Dentry.inode, mayWrite|mayExec); err != nil {
		return err
	}
	if readOnly(op) {
		return unix.EROFS
	}
	if err := op.Dentry.inode.(DirInode).Rename(oname, np.Dentry.inode.(DirInode), nname, flags); err != nil {
		return err
	}
	notifyRename(op.Dentry.inode, oname, np.Dentry.inode, nname, src.Dentry.inode)
	if derr == nil {
		if flags&renameExchange != 0 {
			notifyRename(np.Dentry.inode, nname, op.Dentry.inode, oname, dst.Dentry.inode)
		} else {
			notifyRemoved(dst.Dentry.inode, FileType(dst.Dentry.inode) == unix.S_IFDIR)
		}
	}
	v.mu.Lock()
	s := op.Dentry.children[oname]
	d := np.Dentry.children[nname]
	delete(op.Dentry.children, oname)
	delete(np.Dentry.children, nname)
	if flags&renameExchange != 0 && d != nil {
		d.parent, d.name = op.Dentry, oname
		if op.Dentry.children == nil {
			op.Dentry.children = map[string]*Dentry{}
		}
		op.Dentry.children[oname] = d
	} else if d != nil {
		d.dead = true
	}
	if s != nil {
		s.parent, s.name = np.Dentry, nname
		if np.Dentry.children == nil {
			np.Dentry.children = map[string]*Dentry{}
		}
		np.Dentry.children[nname] = s
	}
	v.mu.Unlock()
	return nil
}

// ReadlinkAt implements readlinkat(2).
func (v *VFS) ReadlinkAt(ctx *Context, dir VirtualDentry, path string) (string, error) {
	vd, err := v.Resolve(ctx, dir, path, ResolveOptions{EmptyPath: path == ""})
	if err != nil {
		return "", err
	}
	sl, ok := vd.Dentry.inode.(SymlinkInode)
	if !ok || FileType(vd.Dentry.inode) != unix.S_IFLNK {
		return "", unix.EINVAL
	}
	return sl.Readlink()
}

// StatAt implements fstatat(2).
func (v *VFS) StatAt(ctx *Context, dir VirtualDentry, path string, follow, emptyPath bool, st *unix.Stat_t) error {
	vd, err := v.Resolve(ctx, dir, path, ResolveOptions{Follow: follow, EmptyPath: emptyPath})
	if err != nil {
		return err
	}
	return vd.Dentry.inode.Stat(st)
}

// AccessAt implements faccessat2(2) with ctx's credentials.
func (v *VFS) AccessAt(ctx *Context, dir VirtualDentry, path string, mode uint32, follow, emptyPath bool) error {
	vd, err := v.Resolve(ctx, dir, path, ResolveOptions{Follow: follow, EmptyPath: emptyPath})
	if err != nil {
		return err
	}
	if mode&mayWrite != 0 && readOnly(vd) {
		ft := FileType(vd.Dentry.inode)
		if ft == unix.S_IFREG || ft == unix.S_IFDIR || ft == unix.S_IFLNK {
			return unix.EROFS
		}
	}
	return MayAccess(ctx.Creds, vd.Dentry.inode, mode&7)
}

// SetStatAt changes attributes of the file at path, checking that the
// caller may: chmod and utimes (other than "now") need ownership, chown
// privilege, truncate write permission.
func (v *VFS) SetStatAt(ctx *Context, dir VirtualDentry, path string, follow, emptyPath bool, opts *SetStatOptions) error {
	vd, err := v.Resolve(ctx, dir, path, ResolveOptions{Follow: follow, EmptyPath: emptyPath})
	if err != nil {
		return err
	}
	return v.SetStat(ctx, vd, opts)
}

// SetStat changes attributes of the file at vd (see SetStatAt).
func (v *VFS) SetStat(ctx *Context, vd VirtualDentry, opts *SetStatOptions) error {
	inode := vd.Dentry.inode
	ss, ok := inode.(SetStatInode)
	if !ok {
		return unix.EPERM
	}
	if opts.Size != nil {
		if FileType(inode) == unix.S_IFDIR {
			return unix.EISDIR
		}
		if err := MayAccess(ctx.Creds, inode, mayWrite); err != nil {
			return err
		}
	}
	if opts.Mode != nil && !isOwner(ctx.Creds, inode) {
		return unix.EPERM
	}
	if opts.Mode != nil && *opts.Mode&unix.S_ISGID != 0 && !ctx.Creds.HasCap(unix.CAP_FSETID) {
		// chmod(2): S_ISGID is dropped (silently) on a file whose group
		// the caller is not in, unless CAP_FSETID.
		var st unix.Stat_t
		if inode.Stat(&st) == nil && !ctx.Creds.InGroup(st.Gid) {
			m := *opts.Mode &^ unix.S_ISGID
			opts.Mode = &m
		}
	}
	if opts.UID != nil || opts.GID != nil {
		if !ctx.Creds.HasCap(unix.CAP_CHOWN) {
			var st unix.Stat_t
			inode.Stat(&st)
			if opts.UID != nil && *opts.UID != st.Uid || st.Uid != ctx.Creds.UID {
				return unix.EPERM
			}
			if opts.GID != nil && !ctx.Creds.InGroup(*opts.GID) {
				return unix.EPERM
			}
		}
	}
	if (opts.Atime != nil || opts.Mtime != nil) && !isOwner(ctx.Creds, inode) {
		// Setting both to "now" needs only write permission; the caller
		// marks that case by passing UTIME_NOW (Nsec) for both.
		now := (opts.Atime == nil || opts.Atime.Nsec == unix.UTIME_NOW) && (opts.Mtime == nil || opts.Mtime.Nsec == unix.UTIME_NOW)
		if !now {
			return unix.EPERM
		}
		if err := MayAccess(ctx.Creds, inode, mayWrite); err != nil {
			return err
		}
	}
	if readOnly(vd) {
		return unix.EROFS
	}
	if err := ss.SetStat(opts); err != nil {
		return err
	}
	if opts.Size != nil {
		v.notifyFile(vd, InModify)
	}
	if opts.Mode != nil || opts.UID != nil || opts.GID != nil || opts.Atime != nil || opts.Mtime != nil {
		v.notifyFile(vd, InAttrib)
	}
	return nil
}

// StatfsAt implements statfs(2).
func (v *VFS) StatfsAt(ctx *Context, dir VirtualDentry, path string, emptyPath bool, st *unix.Statfs_t) error {
	vd, err := v.Resolve(ctx, dir, path, ResolveOptions{Follow: true, EmptyPath: emptyPath})
	if err != nil {
		return err
	}
	sf, ok := vd.Dentry.inode.(StatfsInode)
	if !ok {
		*st = unix.Statfs_t{Type: 0x01021994, Bsize: 4096, Namelen: 255, Frsize: 4096}
	} else if err := sf.Statfs(st); err != nil {
		return err
	}
	if vd.Mount.ReadOnly() {
		st.Flags |= unix.ST_RDONLY
	}
	return nil
}

// XattrAt returns the xattr interface of the file at path.
func (v *VFS) XattrAt(ctx *Context, dir VirtualDentry, path string, follow, emptyPath bool) (XattrInode, VirtualDentry, error) {
	vd, err := v.Resolve(ctx, dir, path, ResolveOptions{Follow: follow, EmptyPath: emptyPath})
	if err != nil {
		return nil, VirtualDentry{}, err
	}
	x, ok := vd.Dentry.inode.(XattrInode)
	if !ok {
		return nil, vd, unix.EOPNOTSUPP
	}
	return x, vd, nil
}

// ReadOnlyAt reports whether vd's mount is read-only.
func ReadOnlyAt(vd VirtualDentry) bool { return readOnly(vd) }

// BlockingOpen is a file description whose open(2) may have to wait: a
// FIFO opened without O_NONBLOCK before its other side. The system call
// layer calls OpenWait after opening and, while it returns a channel,
// waits on it (interruptibly; an interrupted open drops the description)
// and asks again.
type BlockingOpen interface {
	OpenWait() <-chan struct{}
}
