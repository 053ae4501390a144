// Package tmpfs is an in-memory filesystem on the VFS interfaces: regular
// files whose data are pages of the memory file (so MAP_SHARED mappings see
// the same bytes as read and write), directories with stable getdents
// offsets, symlinks, hard links, device nodes, FIFOs (fs/pipe) and sockets
// made by mknod, and extended attributes. It backs /tmp, /dev/shm, the
// upper layer of the root overlay and memfd_create.
//
// Locking: FS.mu guards the entries of every directory (and the link counts
// they change); inode.mu guards an inode's attributes and, for regular
// files, its pages and size. FS.mu is taken before inode.mu.
package tmpfs

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/memfile"
)

// Magic is TMPFS_MAGIC (statfs f_type).
const Magic = 0x01021994

// PageSize is the size of one page of file data.
const PageSize = memfile.PageSize

// direntSize is the size a directory reports per entry (Linux's
// BOGO_DIRENT_SIZE).
const direntSize = 20

// Options configure a new filesystem.
type Options struct {
	// Mode, UID and GID are the root directory's permissions and owner.
	Mode     uint32
	UID, GID uint32
	// SizeLimit bounds the data pages (bytes); 0 means half of the
	// host's memory, like Linux's default; < 0 means unlimited.
	SizeLimit int64
}

// FS is one tmpfs instance (one mount: its own st_dev and inode numbers).
type FS struct {
	mf  *memfile.File
	dev uint64

	nextIno atomic.Uint64
	// limit is the maximum number of data pages; pages counts those in use.
	limit int64
	pages atomic.Int64

	mu   sync.RWMutex
	root *Dir
}

var lastMinor atomic.Uint32

func init() { lastMinor.Store(0x40) }

// New returns a new, empty filesystem backed by mf.
func New(mf *memfile.File, o Options) *FS {
	fs := &FS{mf: mf, dev: unix.Mkdev(0, lastMinor.Add(1))}
	switch {
	case o.SizeLimit > 0:
		fs.limit = (o.SizeLimit + PageSize - 1) / PageSize
	case o.SizeLimit == 0:
		fs.limit = int64(halfMemory() / PageSize)
	default:
		fs.limit = -1
	}
	mode := o.Mode & 0o7777
	if mode == 0 {
		mode = 0o1777
	}
	fs.root = fs.newDir(mode|unix.S_IFDIR, o.UID, o.GID)
	return fs
}

// halfMemory returns half of the host's RAM (tmpfs's default size).
func halfMemory() uint64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil || si.Totalram == 0 {
		return 4 << 30
	}
	return uint64(si.Totalram) * uint64(si.Unit) / 2
}

// Root returns the root directory.
func (fs *FS) Root() vfs.Inode { return fs.root }

// Dev returns the filesystem's device number (st_dev).
func (fs *FS) Dev() uint64 { return fs.dev }

// UsedBytes returns the bytes of file data held.
func (fs *FS) UsedBytes() int64 { return fs.pages.Load() * PageSize }

// allocPage takes one zeroed page from the memory file, within the size
// limit.
func (fs *FS) allocPage() (uint64, error) {
	if n := fs.pages.Add(1); fs.limit >= 0 && n > fs.limit {
		fs.pages.Add(-1)
		return 0, unix.ENOSPC
	}
	off, err := fs.mf.Allocate(PageSize)
	if err != nil {
		fs.pages.Add(-1)
		return 0, unix.ENOSPC
	}
	return off, nil
}

// freePage drops the file's reference on a page.
func (fs *FS) freePage(off uint64) {
	fs.mf.DecRef(off, PageSize)
	fs.pages.Add(-1)
}

func now() unix.Timespec { return unix.NsecToTimespec(time.Now().UnixNano()) }

// node is what every tmpfs inode is.
type node interface {
	vfs.Inode
	base() *inode
}

// inode holds the attributes common to every file type.
type inode struct {
	fs  *FS
	ino uint64

	mu                  sync.RWMutex
	mode                uint32 // type and permissions
	uid, gid            uint32
	nlink               uint32
	rdev                uint64
	atime, mtime, ctime unix.Timespec
	xattrs              map[string][]byte
}

func (fs *FS) initInode(i *inode, mode, uid, gid uint32) {
	t := now()
	*i = inode{fs: fs, ino: fs.nextIno.Add(1), mode: mode, uid: uid, gid: gid, nlink: 1, atime: t, mtime: t, ctime: t}
}

func (i *inode) base() *inode { return i }

// statLocked fills the common fields. i.mu must be held.
func (i *inode) statLocked(st *unix.Stat_t) {
	*st = unix.Stat_t{
		Dev: i.fs.dev, Ino: i.ino, Nlink: uint64(i.nlink), Mode: i.mode,
		Uid: i.uid, Gid: i.gid, Rdev: i.rdev, Blksize: PageSize,
		Atim: i.atime, Mtim: i.mtime, Ctim: i.ctime,
	}
}

// Stat implements vfs.Inode.
func (i *inode) Stat(st *unix.Stat_t) error {
	i.mu.RLock()
	defer i.mu.RUnlock()
	i.statLocked(st)
	return nil
}

// setStatLocked applies the attribute changes other than size. i.mu must
// be held.
func (i *inode) setStatLocked(o *vfs.SetStatOptions) {
	t := now()
	changed := false
	if o.Mode != nil {
		i.mode = i.mode&unix.S_IFMT | *o.Mode&0o7777
		changed = true
	}
	if o.UID != nil || o.GID != nil {
		if o.UID != nil {
			i.uid = *o.UID
		}
		if o.GID != nil {
			i.gid = *o.GID
		}
		// chown clears set-user-ID, and set-group-ID when group
		// execution is on, on everything but directories.
		if i.mode&unix.S_IFMT != unix.S_IFDIR {
			i.mode &^= unix.S_ISUID
			if i.mode&unix.S_IXGRP != 0 {
				i.mode &^= unix.S_ISGID
			}
		}
		changed = true
	}
	if o.Atime != nil {
		i.atime = resolveTime(*o.Atime, t)
		changed = true
	}
	if o.Mtime != nil {
		i.mtime = resolveTime(*o.Mtime, t)
		changed = true
	}
	if changed || o.TouchCtime {
		i.ctime = t
	}
}

// resolveTime turns UTIME_NOW into now.
func resolveTime(ts, now unix.Timespec) unix.Timespec {
	if ts.Nsec == unix.UTIME_NOW {
		return now
	}
	return ts
}

// SetStat implements vfs.SetStatInode (sizes only for regular files).
func (i *inode) SetStat(o *vfs.SetStatOptions) error {
	if o.Size != nil {
		return unix.EINVAL
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	i.setStatLocked(o)
	return nil
}

// touchCM sets mtime and ctime to now.
func (i *inode) touchCM() {
	t := now()
	i.mu.Lock()
	i.mtime, i.ctime = t, t
	i.mu.Unlock()
}

func (i *inode) touchC() {
	t := now()
	i.mu.Lock()
	i.ctime = t
	i.mu.Unlock()
}

// Statfs implements vfs.StatfsInode.
func (i *inode) Statfs(st *unix.Statfs_t) error {
	fs := i.fs
	blocks := fs.limit
	if blocks < 0 {
		blocks = int64(halfMemory() / PageSize)
	}
	used := fs.pages.Load()
	free := max(blocks-used, 0)
	files := blocks
	*st = unix.Statfs_t{
		Type: Magic, Bsize: PageSize, Blocks: uint64(blocks), Bfree: uint64(free), Bavail: uint64(free),
		Files: uint64(files), Ffree: uint64(max(files-int64(fs.nextIno.Load()), 0)),
		Namelen: 255, Frsize: PageSize,
	}
	st.Fsid.Val[0] = int32(fs.dev)
	return nil
}

// xattrAllowed reports whether name is in a namespace tmpfs stores.
func xattrAllowed(name string) bool {
	for _, p := range []string{"user.", "trusted.", "security."} {
		if len(name) > len(p) && name[:len(p)] == p {
			return true
		}
	}
	return false
}

// Getxattr implements vfs.XattrInode.
func (i *inode) Getxattr(name string, dst []byte) (int, error) {
	if !xattrAllowed(name) {
		return 0, unix.EOPNOTSUPP
	}
	i.mu.RLock()
	defer i.mu.RUnlock()
	v, ok := i.xattrs[name]
	if !ok {
		return 0, unix.ENODATA
	}
	if len(dst) == 0 {
		return len(v), nil
	}
	if len(dst) < len(v) {
		return 0, unix.ERANGE
	}
	return copy(dst, v), nil
}

// Listxattr implements vfs.XattrInode.
func (i *inode) Listxattr(dst []byte) (int, error) {
	i.mu.RLock()
	names := make([]string, 0, len(i.xattrs))
	for k := range i.xattrs {
		names = append(names, k)
	}
	i.mu.RUnlock()
	sort.Strings(names)
	n := 0
	for _, k := range names {
		n += len(k) + 1
	}
	if len(dst) == 0 {
		return n, nil
	}
	if len(dst) < n {
		return 0, unix.ERANGE
	}
	p := 0
	for _, k := range names {
		p += copy(dst[p:], k)
		dst[p] = 0
		p++
	}
	return n, nil
}

// Setxattr implements vfs.XattrInode.
func (i *inode) Setxattr(name string, value []byte, flags int) error {
	if !xattrAllowed(name) {
		return unix.EOPNOTSUPP
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	_, exists := i.xattrs[name]
	if flags&unix.XATTR_CREATE != 0 && exists {
		return unix.EEXIST
	}
	if flags&unix.XATTR_REPLACE != 0 && !exists {
		return unix.ENODATA
	}
	if i.xattrs == nil {
		i.xattrs = map[string][]byte{}
	}
	i.xattrs[name] = append([]byte{}, value...)
	i.ctime = now()
	return nil
}

// Removexattr implements vfs.XattrInode.
func (i *inode) Removexattr(name string) error {
	if !xattrAllowed(name) {
		return unix.EOPNOTSUPP
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	if _, ok := i.xattrs[name]; !ok {
		return unix.ENODATA
	}
	delete(i.xattrs, name)
	i.ctime = now()
	return nil
}

// owner returns the owner of a new file made by c in dir, and adjusts mode
// for a set-group-ID directory.
func owner(dir *Dir, c *vfs.Creds, mode uint32) (uint32, uint32, uint32) {
	var uid, gid uint32
	if c != nil {
		uid, gid = c.UID, c.GID
	}
	dir.mu.RLock()
	if dir.mode&unix.S_ISGID != 0 {
		gid = dir.gid
		if mode&unix.S_IFMT == unix.S_IFDIR {
			mode |= unix.S_ISGID
		}
	}
	dir.mu.RUnlock()
	return mode, uid, gid
}
