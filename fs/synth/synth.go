// Package synth has the building blocks of the sentry's synthetic
// filesystems (procfs, sysfs, the cgroup view): directories with fixed and
// changing entries, files whose contents are generated when they are
// opened, symlinks and magic links. Files are read-only unless they have
// a Write function; they never touch the host.
package synth

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
)

// lastIno hands out inode numbers of fixed inodes. Inodes made on the fly
// (per-process entries) use numbers their filesystem derives from what
// they show, so that they are stable within a boot.
var lastIno atomic.Uint64

// NewIno returns an unused inode number for a fixed inode.
func NewIno() uint64 { return lastIno.Add(1) }

// Attr are the attributes every synthetic inode has; embed it.
type Attr struct {
	Ino uint64
	// Mode has the file type and permission bits.
	Mode uint32
	// Owner returns the owner; nil means root.
	Owner func() (uid, gid uint32)
	// Dev is the filesystem's device number.
	Dev uint64
	// Magic is the filesystem's statfs type.
	Magic int64
	// Time is every timestamp of the inode.
	Time unix.Timespec
	// NoCache keeps the VFS from caching dentries of the inode: its name
	// may come to mean something else (a pid, an fd).
	NoCache bool
}

// Stat implements vfs.Inode.
func (a *Attr) Stat(st *unix.Stat_t) error {
	*st = unix.Stat_t{Ino: a.Ino, Mode: a.Mode, Nlink: 1, Dev: a.Dev, Blksize: 1024,
		Atim: a.Time, Mtim: a.Time, Ctim: a.Time}
	if a.Mode&unix.S_IFMT == unix.S_IFDIR {
		st.Nlink = 2
	}
	if a.Owner != nil {
		st.Uid, st.Gid = a.Owner()
	}
	return nil
}

// Uncached implements vfs.Uncached.
func (a *Attr) Uncached() bool { return a.NoCache }

// Statfs implements vfs.StatfsInode.
func (a *Attr) Statfs(st *unix.Statfs_t) error {
	*st = unix.Statfs_t{Type: a.Magic, Bsize: 4096, Frsize: 4096, Namelen: 255}
	return nil
}

// File is a regular file whose contents Gen produces at open time; reads
// and seeks see that snapshot.
type File struct {
	Attr
	// Gen returns the contents.
	Gen func() ([]byte, error)
	// Write, if set, takes each write(2)'s data (files hold one value,
	// written in one call, as most of /proc's writable files do).
	Write func(data []byte) error
}

// Open implements vfs.Inode.
func (f *File) Open(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	acc := flags & unix.O_ACCMODE
	if acc != unix.O_RDONLY && f.Write == nil {
		return nil, unix.EACCES
	}
	var data []byte
	if acc != unix.O_WRONLY && f.Gen != nil {
		var err error
		if data, err = f.Gen(); err != nil {
			return nil, err
		}
	}
	fd := &SnapFile{FileLocation: vfs.FileLocation{VD: vd}, inode: f, data: data,
		flags: uint32(flags) &^ (unix.O_CREAT | unix.O_EXCL | unix.O_TRUNC | unix.O_CLOEXEC | unix.O_NOCTTY | unix.O_NOFOLLOW)}
	fd.InitRefs()
	return fd, nil
}

// SnapFile is an open File: a snapshot of its contents.
type SnapFile struct {
	vfs.RefCount
	vfs.NoIO
	vfs.FileLocation
	inode *File

	mu    sync.Mutex
	flags uint32
	data  []byte
	off   int64
}

// Read implements vfs.FileDescription.
func (f *SnapFile) Read(dst [][]byte, off int64) (int, error) {
	if f.flags&unix.O_ACCMODE == unix.O_WRONLY {
		return 0, unix.EBADF
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	pos := off
	if off < 0 {
		pos = f.off
	}
	n := 0
	for _, b := range dst {
		if pos >= int64(len(f.data)) {
			break
		}
		c := copy(b, f.data[pos:])
		pos += int64(c)
		n += c
	}
	if off < 0 {
		f.off = pos
	}
	return n, nil
}

// Write implements vfs.FileDescription.
func (f *SnapFile) Write(src [][]byte, off int64) (int, error) {
	if f.flags&unix.O_ACCMODE == unix.O_RDONLY || f.inode.Write == nil {
		return 0, unix.EBADF
	}
	var b []byte
	for _, s := range src {
		b = append(b, s...)
	}
	if len(b) == 0 {
		return 0, nil
	}
	if err := f.inode.Write(b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Seek implements vfs.FileDescription.
func (f *SnapFile) Seek(off int64, whence int) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch whence {
	case unix.SEEK_SET:
	case unix.SEEK_CUR:
		off += f.off
	case unix.SEEK_END:
		off += int64(len(f.data))
	default:
		return 0, unix.EINVAL
	}
	if off < 0 {
		return 0, unix.EINVAL
	}
	f.off = off
	return off, nil
}

// Stat implements vfs.FileDescription.
func (f *SnapFile) Stat(st *unix.Stat_t) error { return f.inode.Stat(st) }

// StatusFlags implements vfs.FileDescription.
func (f *SnapFile) StatusFlags() uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.flags
}

// SetStatusFlags implements vfs.FileDescription.
func (f *SnapFile) SetStatusFlags(fl uint32) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	const settable = unix.O_APPEND | unix.O_NONBLOCK | unix.O_ASYNC | unix.O_DIRECT | unix.O_NOATIME
	f.flags = f.flags&^settable | fl&settable
	return nil
}

// Name implements vfs.FileDescription (the VFS path is the name).
func (f *SnapFile) Name() string { return "" }

// Bytes returns a generator of fixed contents.
func Bytes(s string) func() ([]byte, error) {
	return func() ([]byte, error) { return []byte(s), nil }
}

// Symlink is a symbolic link whose target Target computes.
type Symlink struct {
	Attr
	Target func() (string, error)
}

// Readlink implements vfs.SymlinkInode.
func (s *Symlink) Readlink() (string, error) { return s.Target() }

// Open implements vfs.Inode (only O_PATH opens reach a symlink).
func (s *Symlink) Open(vfs.VirtualDentry, int) (vfs.FileDescription, error) {
	return nil, unix.ELOOP
}

// MagicLink is a link that leads to a place in the tree rather than to a
// path (/proc/[pid]/exe, cwd, root, fd/N); readlink shows Path.
type MagicLink struct {
	Attr
	Path func() (string, error)
	Dest func() (vfs.VirtualDentry, error)
}

// Readlink implements vfs.SymlinkInode.
func (m *MagicLink) Readlink() (string, error) { return m.Path() }

// Target implements vfs.MagicLinkInode.
func (m *MagicLink) Target() (vfs.VirtualDentry, error) { return m.Dest() }

// Open implements vfs.Inode.
func (m *MagicLink) Open(vfs.VirtualDentry, int) (vfs.FileDescription, error) {
	return nil, unix.ELOOP
}

// Dynamic is the changing part of a directory: pids, fds, threads.
type Dynamic interface {
	// Names lists the entries, in order.
	Names() []string
	// Lookup returns the entry called name, or ENOENT.
	Lookup(name string) (vfs.Inode, error)
}

// Dir is a directory of fixed entries followed by Dyn's.
type Dir struct {
	Attr
	vfs.NoDirOps
	names    []string
	children map[string]vfs.Inode
	// Dyn, if set, supplies the entries that come and go.
	Dyn Dynamic
}

// NewDir returns an empty directory with attributes a (the type bits are
// set here).
func NewDir(a Attr) *Dir {
	a.Mode = a.Mode&^unix.S_IFMT | unix.S_IFDIR
	return &Dir{Attr: a, children: map[string]vfs.Inode{}}
}

// Add adds a fixed entry.
func (d *Dir) Add(name string, i vfs.Inode) {
	if _, ok := d.children[name]; !ok {
		d.names = append(d.names, name)
	}
	d.children[name] = i
}

// Child returns the fixed entry name, or nil.
func (d *Dir) Child(name string) vfs.Inode { return d.children[name] }

// Lookup implements vfs.DirInode.
func (d *Dir) Lookup(name string) (vfs.Inode, error) {
	if i, ok := d.children[name]; ok {
		return i, nil
	}
	if d.Dyn != nil {
		return d.Dyn.Lookup(name)
	}
	return nil, unix.ENOENT
}

// Open implements vfs.Inode.
func (d *Dir) Open(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	return vfs.NewDirFile(vd, flags), nil
}

// IterDirents implements vfs.DirInode; offsets are entry indexes.
func (d *Dir) IterDirents(offset int64, cb func(vfs.Dirent) bool) error {
	names := d.names
	if d.Dyn != nil {
		names = append(append([]string(nil), d.names...), d.Dyn.Names()...)
	}
	for i := offset; i < int64(len(names)); i++ {
		in, err := d.Lookup(names[i])
		if err != nil {
			continue // gone meanwhile
		}
		var st unix.Stat_t
		in.Stat(&st)
		if !cb(vfs.Dirent{Name: names[i], Ino: st.Ino, Type: vfs.DirentType(st.Mode), NextOff: i + 1}) {
			return nil
		}
	}
	return nil
}

// Tree builds a tree of fixed entries from path-like names; used for
// /proc/sys and /sys.
type Tree struct {
	Root *Dir
	// Template are the attributes new directories and files get (Ino and
	// Mode are set per inode).
	Template Attr
}

// Dir returns the directory at path ("a/b"), creating it.
func (t *Tree) Dir(path string) *Dir {
	d := t.Root
	for _, c := range splitPath(path) {
		next, ok := d.children[c].(*Dir)
		if !ok {
			a := t.Template
			a.Ino, a.Mode = NewIno(), unix.S_IFDIR|0o555
			next = NewDir(a)
			d.Add(c, next)
		}
		d = next
	}
	return d
}

// File adds a file at path with mode perm and contents from gen.
func (t *Tree) File(path string, perm uint32, gen func() ([]byte, error), write func([]byte) error) *File {
	dir, name := t.split(path)
	a := t.Template
	a.Ino, a.Mode = NewIno(), unix.S_IFREG|perm
	f := &File{Attr: a, Gen: gen, Write: write}
	dir.Add(name, f)
	return f
}

// Text adds a read-only file with fixed contents.
func (t *Tree) Text(path, contents string) *File {
	return t.File(path, 0o444, Bytes(contents), nil)
}

// Link adds a symlink at path.
func (t *Tree) Link(path, target string) *Symlink {
	dir, name := t.split(path)
	a := t.Template
	a.Ino, a.Mode = NewIno(), unix.S_IFLNK|0o777
	s := &Symlink{Attr: a, Target: func() (string, error) { return target, nil }}
	dir.Add(name, s)
	return s
}

func (t *Tree) split(path string) (*Dir, string) {
	comps := splitPath(path)
	dir := t.Root
	if len(comps) > 1 {
		dir = t.Dir(joinPath(comps[:len(comps)-1]))
	}
	return dir, comps[len(comps)-1]
}

func splitPath(p string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			if i > start {
				out = append(out, p[start:i])
			}
			start = i + 1
		}
	}
	return out
}

func joinPath(c []string) string {
	s := ""
	for i, x := range c {
		if i > 0 {
			s += "/"
		}
		s += x
	}
	return s
}

// Creating names in a synthetic directory fails with ENOENT, as in Linux's
// procfs and sysfs, whose lookups of missing names fail instead of leaving
// a negative entry to create.

// Create implements vfs.DirInode.
func (d *Dir) Create(string, uint32, *vfs.Creds) (vfs.Inode, error) { return nil, unix.ENOENT }

// Mkdir implements vfs.DirInode.
func (d *Dir) Mkdir(string, uint32, *vfs.Creds) (vfs.Inode, error) { return nil, unix.ENOENT }

// Mknod implements vfs.DirInode.
func (d *Dir) Mknod(string, uint32, uint64, *vfs.Creds) (vfs.Inode, error) {
	return nil, unix.ENOENT
}

// Symlink implements vfs.DirInode.
func (d *Dir) Symlink(string, string, *vfs.Creds) (vfs.Inode, error) { return nil, unix.ENOENT }
