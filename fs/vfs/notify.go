package vfs

import (
	"reflect"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// File change notification (inotify). Watches are registered on inodes in
// Watches; the VFS operations (ops.go) and the system call layer (reads
// and writes) report what they did with the Notify* functions, which cost
// one atomic load while nothing is watched.
//
// Events follow Linux's fsnotify: a change to a file is reported to the
// file's own watches (without a name) and to its parent directory's
// watches (with the file's name); creation, removal and moves of names are
// reported to the directory; IN_DELETE_SELF and IN_MOVE_SELF only to the
// file itself.

// Inotify event bits (the IN_* constants).
const (
	InAccess       = unix.IN_ACCESS
	InModify       = unix.IN_MODIFY
	InAttrib       = unix.IN_ATTRIB
	InCloseWrite   = unix.IN_CLOSE_WRITE
	InCloseNowrite = unix.IN_CLOSE_NOWRITE
	InOpen         = unix.IN_OPEN
	InMovedFrom    = unix.IN_MOVED_FROM
	InMovedTo      = unix.IN_MOVED_TO
	InCreate       = unix.IN_CREATE
	InDelete       = unix.IN_DELETE
	InDeleteSelf   = unix.IN_DELETE_SELF
	InMoveSelf     = unix.IN_MOVE_SELF
	InIgnored      = unix.IN_IGNORED
	InIsDir        = unix.IN_ISDIR
)

// Watch receives the events of one inode.
type Watch interface {
	// Event reports mask (with InIsDir for directories), the rename
	// cookie and, for events about a directory's entry, its name.
	Event(mask, cookie uint32, name string)
	// Gone reports that the inode went away (it was deleted): the watch
	// is dropped from the registry and must queue IN_IGNORED.
	Gone()
}

// WatchRegistry maps inodes to their watches.
type WatchRegistry struct {
	n    atomic.Int64
	mu   sync.RWMutex
	byIn map[any]map[Watch]struct{}
}

// Watches is the sandbox's watch registry.
var Watches = &WatchRegistry{byIn: map[any]map[Watch]struct{}{}}

// InodeKey returns the identity of an inode for watches and locks: the
// inode itself, or what its LockKey says.
func InodeKey(in Inode) any {
	if k, ok := in.(LockKeyer); ok {
		return k.LockKey()
	}
	if in == nil || !reflect.TypeOf(in).Comparable() {
		return nil
	}
	return in
}

// Add registers w on inode in.
func (r *WatchRegistry) Add(in Inode, w Watch) {
	k := InodeKey(in)
	if k == nil {
		return
	}
	r.mu.Lock()
	s := r.byIn[k]
	if s == nil {
		s = map[Watch]struct{}{}
		r.byIn[k] = s
	}
	if _, ok := s[w]; !ok {
		s[w] = struct{}{}
		r.n.Add(1)
	}
	r.mu.Unlock()
}

// Remove unregisters w from in.
func (r *WatchRegistry) Remove(in Inode, w Watch) {
	k := InodeKey(in)
	if k == nil {
		return
	}
	r.mu.Lock()
	if s := r.byIn[k]; s != nil {
		if _, ok := s[w]; ok {
			delete(s, w)
			r.n.Add(-1)
		}
		if len(s) == 0 {
			delete(r.byIn, k)
		}
	}
	r.mu.Unlock()
}

func (r *WatchRegistry) watchers(in Inode) []Watch {
	if r.n.Load() == 0 || in == nil {
		return nil
	}
	k := InodeKey(in)
	if k == nil {
		return nil
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	s := r.byIn[k]
	if len(s) == 0 {
		return nil
	}
	ws := make([]Watch, 0, len(s))
	for w := range s {
		ws = append(ws, w)
	}
	return ws
}

// event delivers to in's watches.
func (r *WatchRegistry) event(in Inode, mask, cookie uint32, name string) {
	for _, w := range r.watchers(in) {
		w.Event(mask, cookie, name)
	}
}

// gone drops every watch of in, telling each.
func (r *WatchRegistry) gone(in Inode) {
	ws := r.watchers(in)
	if len(ws) == 0 {
		return
	}
	k := InodeKey(in)
	r.mu.Lock()
	if s := r.byIn[k]; s != nil {
		r.n.Add(-int64(len(s)))
		delete(r.byIn, k)
	}
	r.mu.Unlock()
	for _, w := range ws {
		w.Gone()
	}
}

var renameCookie atomic.Uint32

func dirBit(in Inode) uint32 {
	if FileType(in) == unix.S_IFDIR {
		return InIsDir
	}
	return 0
}

// active reports whether any watch exists.
func (r *WatchRegistry) active() bool { return r.n.Load() != 0 }

// parentAndName returns d's parent inode and name (nil for a root or a
// removed name).
func (v *VFS) parentAndName(d *Dentry) (Inode, string) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if d.parent == nil || d.dead {
		return nil, ""
	}
	return d.parent.inode, d.name
}

// notifyFile reports mask about the file at vd: to the file's watches and
// its directory's.
func (v *VFS) notifyFile(vd VirtualDentry, mask uint32) {
	if !Watches.active() || !vd.Ok() {
		return
	}
	in := vd.Dentry.inode
	mask |= dirBit(in)
	// The directory hears first, as with Linux's fsnotify_parent.
	if p, name := v.parentAndName(vd.Dentry); p != nil {
		Watches.event(p, mask, 0, name)
	}
	Watches.event(in, mask, 0, "")
}

// notifyEntry reports mask (IN_CREATE, IN_DELETE) about name in dir; child
// is the inode concerned.
func notifyEntry(dir Inode, name string, child Inode, mask uint32) {
	if !Watches.active() {
		return
	}
	Watches.event(dir, mask|dirBit(child), 0, name)
}

// notifyRemoved reports the removal of a name of child: its link count
// changed (IN_ATTRIB) or, for its last name, it is gone (IN_DELETE_SELF,
// then its watches end).
func notifyRemoved(child Inode, isDir bool) {
	if !Watches.active() {
		return
	}
	var st unix.Stat_t
	if !isDir && child.Stat(&st) == nil && st.Nlink > 0 {
		Watches.event(child, InAttrib, 0, "")
		return
	}
	if !isDir {
		Watches.event(child, InAttrib, 0, "")
	}
	Watches.event(child, InDeleteSelf|dirBit(child), 0, "")
	Watches.gone(child)
}

// notifyRename reports a rename of child from oldDir/oldName to
// newDir/newName.
func notifyRename(oldDir Inode, oldName string, newDir Inode, newName string, child Inode) {
	if !Watches.active() {
		return
	}
	cookie := renameCookie.Add(1)
	d := dirBit(child)
	Watches.event(oldDir, InMovedFrom|d, cookie, oldName)
	Watches.event(newDir, InMovedTo|d, cookie, newName)
	Watches.event(child, InMoveSelf|d, 0, "")
}

// NotifyIO reports a read (IN_ACCESS) or write (IN_MODIFY) through f.
func NotifyIO(v *VFS, f FileDescription, write bool) {
	if !Watches.active() {
		return
	}
	l, ok := f.(Locatable)
	if !ok {
		return
	}
	mask := uint32(InAccess)
	if write {
		mask = InModify
	}
	v.notifyFile(l.Location(), mask)
}

// NotifyAttrib reports an attribute change (chmod, chown, utimes, xattrs)
// of the file at vd.
func (v *VFS) NotifyAttrib(vd VirtualDentry) { v.notifyFile(vd, InAttrib) }

// closeNotice is what a description opened by the VFS reports when its
// last reference goes: IN_CLOSE_WRITE or IN_CLOSE_NOWRITE.
type closeNotice struct {
	v    *VFS
	vd   VirtualDentry
	mask uint32
}

func (c *closeNotice) fire() { c.v.notifyFile(c.vd, c.mask) }

// openInode opens the inode at vd (openInodeNoNotify) and reports IN_OPEN,
// arranging IN_CLOSE_* for the description's release.
func (v *VFS) openInode(ctx *Context, vd VirtualDentry, flags int, check bool) (FileDescription, error) {
	f, err := v.openInodeNoNotify(ctx, vd, flags, check)
	if err != nil {
		return f, err
	}
	if flags&unix.O_PATH != 0 {
		return f, nil
	}
	if rc, ok := f.(refCounter); ok {
		mask := uint32(InCloseNowrite)
		if acc := flags & unix.O_ACCMODE; acc == unix.O_WRONLY || acc == unix.O_RDWR {
			mask = InCloseWrite
		}
		rc.refCount().closeNotice = &closeNotice{v: v, vd: vd, mask: mask}
	}
	v.notifyFile(vd, InOpen)
	return f, nil
}
