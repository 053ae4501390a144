package proc

import (
	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
)

// Opening /proc/[pid]/fd/N of a file that has no place in the tree (a
// pipe, an eventfd, the host files runsc was given as stdio) cannot lead
// to a dentry. The link then leads to a stand-in dentry, on a detached
// mount without flags, whose inode opens as that same open file
// description, as long as the access asked for is one the description
// has. (Linux reopens the file; for pipes and terminals the effect is the
// same, and /dev/stdin, /dev/stdout and /dev/stderr work.)

// reopenMount is the detached mount of the stand-in dentries.
var reopenMount = &vfs.Mount{FSType: "proc"}

// reopenDest returns the stand-in place for f.
func reopenDest(f vfs.FileDescription) vfs.VirtualDentry {
	return vfs.VirtualDentry{Mount: reopenMount, Dentry: vfs.NewDentry(&reopenInode{f: f})}
}

// reopenInode opens as an existing file description. It holds no
// reference (a stand-in lives only from resolution to open; holding one
// would keep a pipe's end open for as long as the garbage collector lets
// the stand-in live), so the description must still be open in the fd
// table when Open runs, as it is unless another thread closes it between
// the two.
type reopenInode struct {
	f vfs.FileDescription
}

// Stat implements vfs.Inode.
func (r *reopenInode) Stat(st *unix.Stat_t) error { return r.f.Stat(st) }

// Open implements vfs.Inode.
func (r *reopenInode) Open(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	want := flags & unix.O_ACCMODE
	have := int(r.f.StatusFlags() & unix.O_ACCMODE)
	if want != have && have != unix.O_RDWR {
		return nil, unix.EACCES
	}
	r.f.IncRef()
	return r.f, nil
}

// OpenFIFO implements vfs.FIFOInode: a pipe end opens as itself.
func (r *reopenInode) OpenFIFO(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	return r.Open(vd, flags)
}

// IsHostDevice makes the VFS open a device file through Open (the same
// description) rather than as a fresh device.
func (r *reopenInode) IsHostDevice() bool { return true }
