// Package devpts implements pseudo-terminals: the devpts filesystem
// (mounted on /dev/pts) with its ptmx node and one slave node per pty, the
// master and slave file descriptions, and the line discipline between
// them (ldisc.go) with termios, window sizes, signal characters and job
// control.
//
// Like pipes, pty files never block: a read with nothing to read or a
// write with no room returns EAGAIN, and the system call layer waits on the
// file's queue (waiter.Waitable) unless the file has O_NONBLOCK. What needs
// the calling task (acquiring a controlling terminal on open, the job
// control ioctls, SIGTTIN/SIGTTOU for background process groups) goes
// through the optional interfaces of sentry/kernel/tty.go.
package devpts

import (
	"sort"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
)

// Device numbers.
const (
	// SlaveMajor is the major number of the slaves (UNIX98_PTY_SLAVE_MAJOR).
	SlaveMajor  = 136
	ttyAuxMajor = 5
	ptmxMinor   = 2
	// maxPtys bounds the number of ptys (/proc/sys/kernel/pty/max).
	maxPtys = 4096
	// ttyGID is the "tty" group that owns the slaves.
	ttyGID = 5
)

// devptsDev is st_dev of the devpts filesystem.
var devptsDev = unix.Mkdev(0, 24)

// FS is one devpts instance. mu guards ptys.
type FS struct {
	v    *vfs.VFS
	root *rootInode
	ptmx *ptmxInode

	mu   sync.Mutex
	ptys map[int]*pty
	ino  uint64
}

// New returns a devpts instance whose ptmx opens through v's device
// registry; it registers /dev/ptmx (5, 2) with v.
func New(v *vfs.VFS) *FS {
	now := unix.NsecToTimespec(time.Now().UnixNano())
	fs := &FS{v: v, ptys: map[int]*pty{}, ino: 2}
	fs.root = &rootInode{fs: fs, time: now}
	fs.ptmx = &ptmxInode{time: now}
	v.RegisterDevice(ttyAuxMajor, ptmxMinor, fs.openMaster)
	return fs
}

// Root returns the root directory of the filesystem, for mounting.
func (fs *FS) Root() vfs.Inode { return fs.root }

// newPty allocates the lowest free index.
func (fs *FS) newPty() (*pty, error) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i := 0; i < maxPtys; i++ {
		if fs.ptys[i] == nil {
			fs.ino++
			p := newPty(fs, i, fs.ino+2)
			fs.ptys[i] = p
			return p, nil
		}
	}
	return nil, unix.ENOSPC
}

func (fs *FS) remove(p *pty) {
	fs.mu.Lock()
	if fs.ptys[p.index] == p {
		delete(fs.ptys, p.index)
	}
	fs.mu.Unlock()
}

func (fs *FS) lookup(i int) *pty {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.ptys[i]
}

// rootInode is the devpts root: ptmx and one entry per pty.
type rootInode struct {
	vfs.NoDirOps
	fs   *FS
	time unix.Timespec
}

// Stat implements vfs.Inode.
func (r *rootInode) Stat(st *unix.Stat_t) error {
	*st = unix.Stat_t{Dev: devptsDev, Ino: 1, Nlink: 2, Mode: unix.S_IFDIR | 0o755, Blksize: 1024, Atim: r.time, Mtim: r.time, Ctim: r.time}
	return nil
}

// Open implements vfs.Inode.
func (r *rootInode) Open(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	return vfs.NewDirFile(vd, flags), nil
}

// Uncached implements vfs.Uncached: ptys come and go.
func (r *rootInode) Uncached() bool { return true }

// Lookup implements vfs.DirInode.
func (r *rootInode) Lookup(name string) (vfs.Inode, error) {
	if name == "ptmx" {
		return r.fs.ptmx, nil
	}
	i, err := strconv.Atoi(name)
	if err != nil || strconv.Itoa(i) != name {
		return nil, unix.ENOENT
	}
	p := r.fs.lookup(i)
	if p == nil {
		return nil, unix.ENOENT
	}
	return &slaveInode{p}, nil
}

// IterDirents implements vfs.DirInode.
func (r *rootInode) IterDirents(offset int64, cb func(vfs.Dirent) bool) error {
	r.fs.mu.Lock()
	var idx []int
	for i := range r.fs.ptys {
		idx = append(idx, i)
	}
	r.fs.mu.Unlock()
	sort.Ints(idx)
	// Offsets: 0 ptmx, then i+1 for pty i.
	if offset == 0 {
		if !cb(vfs.Dirent{Name: "ptmx", Ino: 2, Type: unix.DT_CHR, NextOff: 1}) {
			return nil
		}
		offset = 1
	}
	for _, i := range idx {
		if int64(i)+1 < offset {
			continue
		}
		p := r.fs.lookup(i)
		if p == nil {
			continue
		}
		if !cb(vfs.Dirent{Name: strconv.Itoa(i), Ino: p.ino, Type: unix.DT_CHR, NextOff: int64(i) + 2}) {
			return nil
		}
	}
	return nil
}

// ptmxInode is /dev/pts/ptmx; opening it makes a new pty.
type ptmxInode struct{ time unix.Timespec }

// Stat implements vfs.Inode.
func (i *ptmxInode) Stat(st *unix.Stat_t) error {
	*st = unix.Stat_t{Dev: devptsDev, Ino: 2, Nlink: 1, Mode: unix.S_IFCHR | 0o666, Rdev: unix.Mkdev(ttyAuxMajor, ptmxMinor), Blksize: 1024, Atim: i.time, Mtim: i.time, Ctim: i.time}
	return nil
}

// Open implements vfs.Inode (the VFS opens it through the device registry).
func (i *ptmxInode) Open(vfs.VirtualDentry, int) (vfs.FileDescription, error) {
	return nil, unix.ENXIO
}

// Uncached implements vfs.Uncached.
func (i *ptmxInode) Uncached() bool { return true }

// slaveInode is /dev/pts/N.
type slaveInode struct{ p *pty }

// Stat implements vfs.Inode.
func (i *slaveInode) Stat(st *unix.Stat_t) error {
	i.p.stat(st)
	return nil
}

// IsHostDevice implements the VFS's hook for inodes that open as devices
// themselves (slave numbers are not in the device registry).
func (i *slaveInode) IsHostDevice() bool { return true }

// Uncached implements vfs.Uncached.
func (i *slaveInode) Uncached() bool { return true }

// Open implements vfs.Inode: a new slave file description.
func (i *slaveInode) Open(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	return i.p.openSlave(vd, flags)
}

// SetStat implements vfs.SetStatInode (chmod/chown of the slave, as
// grantpt implementations do).
func (i *slaveInode) SetStat(o *vfs.SetStatOptions) error {
	p := i.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if o.Mode != nil {
		p.mode = *o.Mode & 0o7777
	}
	if o.UID != nil {
		p.uid = *o.UID
	}
	if o.GID != nil {
		p.gid = *o.GID
	}
	now := unix.NsecToTimespec(time.Now().UnixNano())
	if o.Atime != nil {
		p.atime = *o.Atime
		if o.Atime.Nsec == unix.UTIME_NOW {
			p.atime = now
		}
	}
	if o.Mtime != nil {
		p.mtime = *o.Mtime
		if o.Mtime.Nsec == unix.UTIME_NOW {
			p.mtime = now
		}
	}
	return nil
}

// openMaster is the device opener of ptmx.
func (fs *FS) openMaster(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	p, err := fs.newPty()
	if err != nil {
		return nil, err
	}
	return newMasterFile(p, vd, fs.v.PathOf(vd, fs.v.Root()), flags), nil
}
