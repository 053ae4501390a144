// Package gofer is the VFS filesystem of files served by a gofer process
// (package stockade.dev/gofer, `runsc gofer`): the sentry never opens a
// host path; every lookup, open and change is a request over the gofer
// protocol (gofer/proto), and opens come back as host fds, which the
// sentry then reads, writes and maps itself (fs/host.File: no round trip
// per read or write; mmap through the page cache keyed by mm.FileKey).
//
// Inodes are gofer handles. The VFS caches dentries (so each name is
// walked once); the filesystem caches each inode's attributes for
// Options.StatTTL, refreshes them from the gofer's answer to every change
// made through it, and, while the sentry has the file open for writing,
// takes them from the open host fd (fstat, no round trip). On a read-only
// filesystem missing names are remembered for StatTTL too (a PATH search
// or an import path probes many).
//
// Handles are released (batched) when the garbage collector finds an
// inode unreachable (runtime.AddCleanup).
//
// The filesystem is used read-only as the lower layer of the root overlay
// and writable for bind mounts.
package gofer

import (
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/host"
	"stockade.dev/fs/vfs"
	"stockade.dev/gofer/proto"
)

// Options configure a filesystem.
type Options struct {
	// ReadOnly refuses changes in the sentry (EROFS) without asking the
	// gofer (which must refuse them too).
	ReadOnly bool
	// StatTTL is how long cached attributes and missing names are
	// trusted: 0 means DefaultStatTTL, negative forever.
	StatTTL time.Duration
}

// DefaultStatTTL is the default validity of cached attributes.
const DefaultStatTTL = time.Second

// FS is a gofer-backed filesystem.
type FS struct {
	c    *Client
	opts Options
}

// New attaches to the gofer behind c and returns the filesystem and its
// root directory.
func New(c *Client, opts Options) (*FS, vfs.Inode, error) {
	if opts.StatTTL == 0 {
		opts.StatTTL = DefaultStatTTL
	}
	fs := &FS{c: c, opts: opts}
	var r proto.EntryResp
	if _, err := c.Call(proto.OpAttach, nil, &r, false); err != nil {
		return nil, nil, err
	}
	if r.Stat.Mode&unix.S_IFMT != unix.S_IFDIR {
		return nil, nil, unix.ENOTDIR
	}
	return fs, fs.newInode(&r), nil
}

// Client returns the filesystem's client.
func (fs *FS) Client() *Client { return fs.c }

// inode is the part every gofer inode has.
type inode struct {
	fs *FS
	h  uint64
	// name is the name it was found under (file descriptions' Name).
	name string

	mu   sync.Mutex
	st   unix.Stat_t
	stAt time.Time
	// writers are the open host files writing the inode; attributes
	// come from the first one's fstat while there are any.
	writers map[*host.File]struct{}
}

func (fs *FS) newInode(e *proto.EntryResp) vfs.Inode {
	init := func(b *inode) {
		b.fs, b.h = fs, e.Handle
		e.Stat.ToUnix(&b.st)
		b.stAt = time.Now()
	}
	switch e.Stat.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		d := &dirInode{}
		init(&d.inode)
		runtime.AddCleanup(d, fs.c.Release, e.Handle)
		return d
	case unix.S_IFLNK:
		l := &symlinkInode{}
		init(&l.inode)
		runtime.AddCleanup(l, fs.c.Release, e.Handle)
		return l
	}
	f := &fileInode{pending: &pendingFD{fd: -1}}
	init(&f.inode)
	runtime.AddCleanup(f, releaseFile, fileCleanup{fs.c, e.Handle, f.pending})
	return f
}

// fileCleanup releases a file inode's handle and its unused created fd.
type fileCleanup struct {
	c       *Client
	h       uint64
	pending *pendingFD
}

func releaseFile(fc fileCleanup) {
	fc.pending.mu.Lock()
	if fc.pending.fd >= 0 {
		unix.Close(fc.pending.fd)
		fc.pending.fd = -1
	}
	fc.pending.mu.Unlock()
	fc.c.Release(fc.h)
}

func (i *inode) fresh() bool {
	return i.fs.opts.StatTTL < 0 || time.Since(i.stAt) < i.fs.opts.StatTTL
}

// Stat implements vfs.Inode.
func (i *inode) Stat(st *unix.Stat_t) error {
	i.mu.Lock()
	for f := range i.writers {
		if unix.Fstat(f.HostFD(), &i.st) == nil {
			i.stAt = time.Now()
			*st = i.st
			i.mu.Unlock()
			return nil
		}
	}
	if i.fresh() {
		*st = i.st
		i.mu.Unlock()
		return nil
	}
	i.mu.Unlock()
	var r proto.StatResp
	if _, err := i.fs.c.Call(proto.OpStat, &proto.HandleReq{Handle: i.h}, &r, false); err != nil {
		return err
	}
	i.setStat(&r.Stat)
	r.Stat.ToUnix(st)
	return nil
}

func (i *inode) setStat(s *proto.Stat) {
	i.mu.Lock()
	s.ToUnix(&i.st)
	i.stAt = time.Now()
	i.mu.Unlock()
}

// invalidate forgets the cached attributes (a change made them stale).
func (i *inode) invalidate() {
	i.mu.Lock()
	i.stAt = time.Time{}
	i.mu.Unlock()
	if i.fs.opts.StatTTL < 0 {
		// Forever-valid caches refresh at once.
		var r proto.StatResp
		if _, err := i.fs.c.Call(proto.OpStat, &proto.HandleReq{Handle: i.h}, &r, false); err == nil {
			i.setStat(&r.Stat)
		}
	}
}

func (i *inode) fileType() uint32 {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.st.Mode & unix.S_IFMT
}

// SetStat implements vfs.SetStatInode.
func (i *inode) SetStat(opts *vfs.SetStatOptions) error {
	if i.fs.opts.ReadOnly {
		return unix.EROFS
	}
	req := proto.SetAttrReq{Handle: i.h}
	if opts.Mode != nil {
		req.Mask |= proto.SetMode
		req.Mode = *opts.Mode
	}
	if opts.UID != nil {
		req.Mask |= proto.SetUID
		req.UID = *opts.UID
	}
	if opts.GID != nil {
		req.Mask |= proto.SetGID
		req.GID = *opts.GID
	}
	if opts.Size != nil {
		req.Mask |= proto.SetSize
		req.Size = *opts.Size
	}
	if opts.Atime != nil {
		req.Mask |= proto.SetAtime
		req.Atime = *opts.Atime
	}
	if opts.Mtime != nil {
		req.Mask |= proto.SetMtime
		req.Mtime = *opts.Mtime
	}
	if req.Mask == 0 {
		return nil
	}
	var r proto.StatResp
	if _, err := i.fs.c.Call(proto.OpSetAttr, &req, &r, false); err != nil {
		return err
	}
	i.setStat(&r.Stat)
	return nil
}

// Getxattr implements vfs.XattrInode.
func (i *inode) Getxattr(name string, dst []byte) (int, error) {
	if len(name) > proto.MaxXattrName {
		return 0, unix.ERANGE
	}
	var r proto.XattrResp
	if _, err := i.fs.c.Call(proto.OpGetxattr, &proto.GetxattrReq{Handle: i.h, Name: name, Size: uint32(min(len(dst), proto.MaxXattr))}, &r, false); err != nil {
		return 0, err
	}
	if len(dst) == 0 {
		return int(r.Len), nil
	}
	return copy(dst, r.Value), nil
}

// Listxattr implements vfs.XattrInode.
func (i *inode) Listxattr(dst []byte) (int, error) {
	var r proto.XattrResp
	if _, err := i.fs.c.Call(proto.OpListxattr, &proto.ListxattrReq{Handle: i.h, Size: uint32(min(len(dst), proto.MaxXattr))}, &r, false); err != nil {
		return 0, err
	}
	if len(dst) == 0 {
		return int(r.Len), nil
	}
	return copy(dst, r.Value), nil
}

// Setxattr implements vfs.XattrInode.
func (i *inode) Setxattr(name string, value []byte, flags int) error {
	if i.fs.opts.ReadOnly {
		return unix.EROFS
	}
	if len(name) > proto.MaxXattrName {
		return unix.ERANGE
	}
	if len(value) > proto.MaxXattr {
		return unix.E2BIG
	}
	_, err := i.fs.c.Call(proto.OpSetxattr, &proto.SetxattrReq{Handle: i.h, Name: name, Value: value, Flags: uint32(flags)}, nil, false)
	if err == nil {
		i.invalidate()
	}
	return err
}

// Removexattr implements vfs.XattrInode.
func (i *inode) Removexattr(name string) error {
	if i.fs.opts.ReadOnly {
		return unix.EROFS
	}
	if len(name) > proto.MaxXattrName {
		return unix.ERANGE
	}
	_, err := i.fs.c.Call(proto.OpRemovexattr, &proto.RemovexattrReq{Handle: i.h, Name: name}, nil, false)
	if err == nil {
		i.invalidate()
	}
	return err
}

// Statfs implements vfs.StatfsInode.
func (i *inode) Statfs(st *unix.Statfs_t) error {
	var r proto.StatfsResp
	if _, err := i.fs.c.Call(proto.OpStatfs, &proto.HandleReq{Handle: i.h}, &r, false); err != nil {
		return err
	}
	r.ToUnix(st)
	return nil
}

// openHost asks the gofer to open the inode.
func (i *inode) openHost(flags int) (int, error) {
	return i.fs.c.Call(proto.OpOpen, &proto.OpenReq{Handle: i.h, Flags: uint32(flags)}, nil, false)
}

// --- directories ---

type dirInode struct {
	inode
	// negative remembers missing names (read-only filesystems).
	negMu    sync.Mutex
	negative map[string]time.Time
}

var (
	_ vfs.DirInode     = (*dirInode)(nil)
	_ vfs.SetStatInode = (*dirInode)(nil)
	_ vfs.XattrInode   = (*dirInode)(nil)
	_ vfs.StatfsInode  = (*dirInode)(nil)
)

// Open implements vfs.Inode.
func (d *dirInode) Open(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	return vfs.NewDirFile(vd, flags), nil
}

func (d *dirInode) missing(name string) bool {
	if !d.fs.opts.ReadOnly {
		return false
	}
	d.negMu.Lock()
	defer d.negMu.Unlock()
	t, ok := d.negative[name]
	if !ok {
		return false
	}
	if d.fs.opts.StatTTL < 0 || time.Since(t) < d.fs.opts.StatTTL {
		return true
	}
	delete(d.negative, name)
	return false
}

func (d *dirInode) setMissing(name string, missing bool) {
	d.negMu.Lock()
	defer d.negMu.Unlock()
	if !missing {
		delete(d.negative, name)
		return
	}
	if !d.fs.opts.ReadOnly {
		return
	}
	if d.negative == nil {
		d.negative = map[string]time.Time{}
	}
	if len(d.negative) > 4096 {
		clear(d.negative)
	}
	d.negative[name] = time.Now()
}

// Lookup implements vfs.DirInode.
func (d *dirInode) Lookup(name string) (vfs.Inode, error) {
	if !proto.ValidName(name) {
		if len(name) > proto.MaxName {
			return nil, unix.ENAMETOOLONG
		}
		return nil, unix.ENOENT
	}
	if d.missing(name) {
		return nil, unix.ENOENT
	}
	var r proto.WalkResp
	_, err := d.fs.c.Call(proto.OpWalk, &proto.WalkReq{Dir: d.h, Names: []string{name}}, &r, true)
	if err == unix.ENOENT {
		d.setMissing(name, true)
	}
	if err != nil {
		for _, e := range r.Entries {
			d.fs.c.Release(e.Handle)
		}
		return nil, err
	}
	if len(r.Entries) != 1 {
		for _, e := range r.Entries {
			d.fs.c.Release(e.Handle)
		}
		return nil, unix.EIO
	}
	in := d.fs.newInode(&r.Entries[0])
	setName(in, name)
	return in, nil
}

func setName(in vfs.Inode, name string) {
	switch x := in.(type) {
	case *dirInode:
		x.name = name
	case *symlinkInode:
		x.name = name
	case *fileInode:
		x.name = name
	}
}

// IterDirents implements vfs.DirInode with the host's entries and offsets.
func (d *dirInode) IterDirents(offset int64, cb func(vfs.Dirent) bool) error {
	for {
		var r proto.GetdentsResp
		if _, err := d.fs.c.Call(proto.OpGetdents, &proto.GetdentsReq{Dir: d.h, Offset: offset}, &r, false); err != nil {
			return err
		}
		if len(r.Entries) == 0 {
			return nil
		}
		for _, e := range r.Entries {
			if !cb(vfs.Dirent{Name: e.Name, Ino: e.Ino, Type: e.Type, NextOff: e.Off}) {
				return nil
			}
			offset = e.Off
		}
	}
}

func (d *dirInode) check(name string) error {
	if d.fs.opts.ReadOnly {
		return unix.EROFS
	}
	if len(name) > proto.MaxName {
		return unix.ENAMETOOLONG
	}
	if !proto.ValidName(name) {
		return unix.EINVAL
	}
	return nil
}

func ids(c *vfs.Creds) (uint32, uint32) {
	if c == nil {
		return ^uint32(0), ^uint32(0)
	}
	return c.UID, c.GID
}

// made finishes a creation: the new inode, the directory's attributes
// refreshed.
func (d *dirInode) made(name string, e *proto.EntryResp) vfs.Inode {
	d.setMissing(name, false)
	d.invalidate()
	in := d.fs.newInode(e)
	setName(in, name)
	return in
}

// Create implements vfs.DirInode. The file is opened read-write by the
// gofer at once; the VFS's open right after creation uses that fd.
func (d *dirInode) Create(name string, mode uint32, c *vfs.Creds) (vfs.Inode, error) {
	if err := d.check(name); err != nil {
		return nil, err
	}
	uid, gid := ids(c)
	var r proto.EntryResp
	fd, err := d.fs.c.Call(proto.OpCreate, &proto.CreateReq{Dir: d.h, Name: name, Flags: unix.O_RDWR, Mode: mode & 0o7777, UID: uid, GID: gid}, &r, false)
	if err != nil {
		return nil, err
	}
	in := d.made(name, &r)
	if f, ok := in.(*fileInode); ok && fd >= 0 {
		f.pending.mu.Lock()
		f.pending.fd = fd
		f.pending.mu.Unlock()
	} else if fd >= 0 {
		unix.Close(fd)
	}
	return in, nil
}

// Mkdir implements vfs.DirInode.
func (d *dirInode) Mkdir(name string, mode uint32, c *vfs.Creds) (vfs.Inode, error) {
	if err := d.check(name); err != nil {
		return nil, err
	}
	uid, gid := ids(c)
	var r proto.EntryResp
	if _, err := d.fs.c.Call(proto.OpMkdir, &proto.MkdirReq{Dir: d.h, Name: name, Mode: mode & 0o7777, UID: uid, GID: gid}, &r, false); err != nil {
		return nil, err
	}
	return d.made(name, &r), nil
}

// Mknod implements vfs.DirInode: FIFOs and sockets (the gofer makes no
// devices).
func (d *dirInode) Mknod(name string, mode uint32, dev uint64, c *vfs.Creds) (vfs.Inode, error) {
	if err := d.check(name); err != nil {
		return nil, err
	}
	uid, gid := ids(c)
	var r proto.EntryResp
	if _, err := d.fs.c.Call(proto.OpMknod, &proto.MknodReq{Dir: d.h, Name: name, Mode: mode, Dev: dev, UID: uid, GID: gid}, &r, false); err != nil {
		return nil, err
	}
	return d.made(name, &r), nil
}

// Symlink implements vfs.DirInode.
func (d *dirInode) Symlink(name, target string, c *vfs.Creds) (vfs.Inode, error) {
	if err := d.check(name); err != nil {
		return nil, err
	}
	if len(target) > proto.MaxPath {
		return nil, unix.ENAMETOOLONG
	}
	uid, gid := ids(c)
	var r proto.EntryResp
	if _, err := d.fs.c.Call(proto.OpSymlink, &proto.SymlinkReq{Dir: d.h, Name: name, Target: target, UID: uid, GID: gid}, &r, false); err != nil {
		return nil, err
	}
	return d.made(name, &r), nil
}

// handleOf returns the handle of an inode of this filesystem.
func (d *dirInode) handleOf(i vfs.Inode) (*inode, bool) {
	var b *inode
	switch x := i.(type) {
	case *dirInode:
		b = &x.inode
	case *symlinkInode:
		b = &x.inode
	case *fileInode:
		b = &x.inode
	default:
		return nil, false
	}
	return b, b.fs == d.fs
}

// Link implements vfs.DirInode.
func (d *dirInode) Link(name string, target vfs.Inode) error {
	if err := d.check(name); err != nil {
		return err
	}
	t, ok := d.handleOf(target)
	if !ok {
		return unix.EXDEV
	}
	var r proto.StatResp
	if _, err := d.fs.c.Call(proto.OpLink, &proto.LinkReq{Dir: d.h, Name: name, Target: t.h}, &r, false); err != nil {
		return err
	}
	t.setStat(&r.Stat)
	d.setMissing(name, false)
	d.invalidate()
	return nil
}

func (d *dirInode) remove(name string, flags uint32) error {
	if err := d.check(name); err != nil {
		return err
	}
	if _, err := d.fs.c.Call(proto.OpUnlink, &proto.UnlinkReq{Dir: d.h, Name: name, Flags: flags}, nil, false); err != nil {
		return err
	}
	d.invalidate()
	return nil
}

// Unlink implements vfs.DirInode.
func (d *dirInode) Unlink(name string) error { return d.remove(name, 0) }

// Rmdir implements vfs.DirInode.
func (d *dirInode) Rmdir(name string) error { return d.remove(name, unix.AT_REMOVEDIR) }

// Rename implements vfs.DirInode.
func (d *dirInode) Rename(oldName string, newDir vfs.DirInode, newName string, flags uint32) error {
	if err := d.check(oldName); err != nil {
		return err
	}
	if err := d.check(newName); err != nil {
		return err
	}
	nd, ok := newDir.(*dirInode)
	if !ok || nd.fs != d.fs {
		return unix.EXDEV
	}
	if _, err := d.fs.c.Call(proto.OpRename, &proto.RenameReq{OldDir: d.h, OldName: oldName, NewDir: nd.h, NewName: newName, Flags: flags}, nil, false); err != nil {
		return err
	}
	d.invalidate()
	if nd != d {
		nd.invalidate()
	}
	return nil
}

// --- symlinks ---

type symlinkInode struct {
	inode
	targetOnce sync.Once
	target     string
	targetErr  error
}

var (
	_ vfs.SymlinkInode = (*symlinkInode)(nil)
	_ vfs.SetStatInode = (*symlinkInode)(nil)
	_ vfs.XattrInode   = (*symlinkInode)(nil)
)

// Open implements vfs.Inode.
func (s *symlinkInode) Open(vfs.VirtualDentry, int) (vfs.FileDescription, error) {
	return nil, unix.ELOOP
}

// Readlink implements vfs.SymlinkInode. A symlink's target never changes:
// it is read once.
func (s *symlinkInode) Readlink() (string, error) {
	s.targetOnce.Do(func() {
		var r proto.ReadlinkResp
		_, s.targetErr = s.fs.c.Call(proto.OpReadlink, &proto.HandleReq{Handle: s.h}, &r, false)
		s.target = r.Target
	})
	return s.target, s.targetErr
}

// --- other files ---

// pendingFD is the fd of a file just created, for the open that follows.
type pendingFD struct {
	mu sync.Mutex
	fd int
}

type fileInode struct {
	inode
	// pending is separate from the inode so that the inode's cleanup
	// can close it.
	pending *pendingFD
}

var (
	_ vfs.SetStatInode = (*fileInode)(nil)
	_ vfs.XattrInode   = (*fileInode)(nil)
	_ vfs.StatfsInode  = (*fileInode)(nil)
)

// File is an open gofer file: a host fd the sentry reads and writes itself.
type File struct {
	*host.File
	vfs.FileLocation
}

// IsHostDevice implements the VFS's device hook: the harmless host
// character devices the gofer opens (null, zero, full, random, urandom,
// tty) open as themselves.
func (f *fileInode) IsHostDevice() bool {
	var st unix.Stat_t
	if f.Stat(&st) != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR {
		return false
	}
	maj, min := unix.Major(st.Rdev), unix.Minor(st.Rdev)
	return maj == 1 && (min == 3 || min == 5 || min == 7 || min == 8 || min == 9) || maj == 5 && min == 0
}

// Open implements vfs.Inode.
func (f *fileInode) Open(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	hflags := flags &^ (unix.O_CREAT | unix.O_EXCL | unix.O_TRUNC | unix.O_NOFOLLOW | unix.O_DIRECTORY | unix.O_CLOEXEC | unix.O_NOCTTY)
	acc := hflags & unix.O_ACCMODE
	ft := f.fileType()
	if f.fs.opts.ReadOnly && acc != unix.O_RDONLY && !(ft == unix.S_IFCHR && f.IsHostDevice()) {
		return nil, unix.EROFS
	}
	fd := -1
	f.pending.mu.Lock()
	if f.pending.fd >= 0 {
		fd, f.pending.fd = f.pending.fd, -1
	}
	f.pending.mu.Unlock()
	if fd >= 0 {
		// The fd the creation opened (read-write): the description's
		// flags say what it may do; O_APPEND must be the host's.
		if hflags&unix.O_APPEND != 0 {
			if fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0); err == nil {
				unix.FcntlInt(uintptr(fd), unix.F_SETFL, fl|unix.O_APPEND)
			}
		}
	} else {
		var err error
		if fd, err = f.openHost(hflags); err != nil {
			return nil, err
		}
	}
	hf := host.NewFile(fd, f.name, uint32(hflags))
	if ft == unix.S_IFREG && acc != unix.O_RDONLY {
		f.mu.Lock()
		if f.writers == nil {
			f.writers = map[*host.File]struct{}{}
		}
		f.writers[hf] = struct{}{}
		f.mu.Unlock()
		release := hf.Release
		hf.Release = func() {
			f.mu.Lock()
			delete(f.writers, hf)
			// What was written shows in the attributes at once.
			f.stAt = time.Time{}
			if unix.Fstat(hf.HostFD(), &f.st) == nil {
				f.stAt = time.Now()
			}
			f.mu.Unlock()
			release()
		}
	}
	return &File{File: hf, FileLocation: vfs.FileLocation{VD: vd}}, nil
}
