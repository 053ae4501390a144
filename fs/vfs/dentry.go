package vfs

import (
	"strings"
	"sync"
)

// Dentry is a name in the file tree: it links an inode to its parent
// directory. Dentries are cached (children) so that path walks, mount
// points and ".." work on a stable tree.
//
// Locking: VFS.mu guards every Dentry's parent, name, children and dead,
// and every Mount's tree fields. Inode methods are called without it, except
// where noted.
type Dentry struct {
	inode    Inode
	parent   *Dentry
	name     string
	children map[string]*Dentry
	// dead is set once the name was removed (unlinked, replaced).
	dead bool
}

// NewDentry returns a root dentry for inode.
func NewDentry(inode Inode) *Dentry { return &Dentry{inode: inode} }

// Inode returns the dentry's inode.
func (d *Dentry) Inode() Inode { return d.inode }

// Mount is a filesystem mounted at a place in the tree.
type Mount struct {
	// ID is the mount id (/proc/self/mountinfo).
	ID     int
	root   *Dentry
	parent *Mount
	point  *Dentry
	// children are the mounts stacked on dentries of this mount.
	children map[*Dentry]*Mount
	// Flags are MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC ...
	Flags uint64
	// FSType and Source describe the mount for /proc/mounts.
	FSType string
	Source string
	// Options is the option string shown in /proc/mounts.
	Options string
	// nsRoot marks the top mount of a mount namespace (as opposed to a
	// detached, anonymous mount such as memfd's).
	nsRoot bool
}

// Root returns the mount's root dentry.
func (m *Mount) Root() *Dentry { return m.root }

// ReadOnly reports MS_RDONLY.
func (m *Mount) ReadOnly() bool { return m.Flags&msRdonly != 0 }

const (
	msRdonly = 0x1
	msNosuid = 0x2
	msNodev  = 0x4
	msNoexec = 0x8
)

// VirtualDentry is a place in the tree: a dentry seen through a mount.
type VirtualDentry struct {
	Mount  *Mount
	Dentry *Dentry
}

// Ok reports whether vd names something.
func (vd VirtualDentry) Ok() bool { return vd.Dentry != nil }

// Inode returns the inode at vd.
func (vd VirtualDentry) Inode() Inode { return vd.Dentry.inode }

// VFS is the sandbox's file tree: the mounts and the dentry cache. mu
// guards the tree (see Dentry).
type VFS struct {
	mu      sync.RWMutex
	root    VirtualDentry
	nextID  int
	mounts  []*Mount
	devs    map[uint64]DeviceOpener
	devsMu  sync.Mutex
	sockets map[*Dentry]any
}

// New returns a VFS whose root is the root of fs (mounted with flags).
func New(root Inode, fsType, source string, flags uint64) *VFS {
	v := &VFS{devs: map[uint64]DeviceOpener{}}
	m := &Mount{ID: 1, root: NewDentry(root), children: map[*Dentry]*Mount{}, Flags: flags, FSType: fsType, Source: source, nsRoot: true}
	v.nextID = 2
	v.root = VirtualDentry{m, m.root}
	v.mounts = []*Mount{m}
	return v
}

// Root returns the root of the tree.
func (v *VFS) Root() VirtualDentry { return v.root }

// Mount mounts the filesystem whose root inode is root on the directory at
// vd. It returns the new mount.
func (v *VFS) Mount(at VirtualDentry, root Inode, fsType, source string, flags uint64, options string) (*Mount, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	// Mount on top of whatever is already mounted there.
	for {
		mm := at.Mount.children[at.Dentry]
		if mm == nil {
			break
		}
		at = VirtualDentry{mm, mm.root}
	}
	m := &Mount{ID: v.nextID, root: NewDentry(root), parent: at.Mount, point: at.Dentry,
		children: map[*Dentry]*Mount{}, Flags: flags, FSType: fsType, Source: source, Options: options}
	v.nextID++
	at.Mount.children[at.Dentry] = m
	v.mounts = append(v.mounts, m)
	return m, nil
}

// BindMount mounts the subtree at src on at.
func (v *VFS) BindMount(at, src VirtualDentry, flags uint64) (*Mount, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for {
		mm := at.Mount.children[at.Dentry]
		if mm == nil {
			break
		}
		at = VirtualDentry{mm, mm.root}
	}
	m := &Mount{ID: v.nextID, root: src.Dentry, parent: at.Mount, point: at.Dentry,
		children: map[*Dentry]*Mount{}, Flags: flags, FSType: src.Mount.FSType, Source: src.Mount.Source, Options: src.Mount.Options}
	v.nextID++
	at.Mount.children[at.Dentry] = m
	v.mounts = append(v.mounts, m)
	return m, nil
}

// Unmount removes the mount whose root is at vd (umount2). It fails with
// EBUSY if other mounts sit on it, unless detach (MNT_DETACH).
func (v *VFS) Unmount(vd VirtualDentry, detach bool) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	m := vd.Mount
	if vd.Dentry != m.root || m.parent == nil {
		return errInval
	}
	if len(m.children) > 0 && !detach {
		return errBusy
	}
	delete(m.parent.children, m.point)
	for i, x := range v.mounts {
		if x == m {
			v.mounts = append(v.mounts[:i], v.mounts[i+1:]...)
			break
		}
	}
	return nil
}

// Mounts returns the mounts in mount order.
func (v *VFS) Mounts() []*Mount {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return append([]*Mount(nil), v.mounts...)
}

// MountPoint returns the path of a mount's mount point as seen from root.
func (v *VFS) MountPoint(m *Mount, root VirtualDentry) string {
	if m.parent == nil {
		return "/"
	}
	return v.PathOf(VirtualDentry{m.parent, m.point}, root)
}

// PathOf returns the absolute path of vd as seen from root (getcwd,
// /proc/self/fd). A place outside root is shown from the real root; a
// removed file gets " (deleted)".
func (v *VFS) PathOf(vd VirtualDentry, root VirtualDentry) string {
	v.mu.RLock()
	defer v.mu.RUnlock()
	var parts []string
	deleted := vd.Dentry.dead
	m, d := vd.Mount, vd.Dentry
	for {
		if m == root.Mount && d == root.Dentry {
			break
		}
		if d == m.root {
			if m.parent == nil {
				break
			}
			d, m = m.point, m.parent
			continue
		}
		if d.parent == nil {
			break
		}
		parts = append(parts, d.name)
		d = d.parent
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(parts[i])
	}
	s := b.String()
	if s == "" {
		s = "/"
	}
	if deleted {
		s += " (deleted)"
	}
	return s
}

// child returns the cached or looked-up child dentry name of dir, looked
// up on behalf of ctx (may be nil). It is called without v.mu held.
func (v *VFS) child(ctx *Context, dir *Dentry, name string) (*Dentry, error) {
	v.mu.RLock()
	c := dir.children[name]
	v.mu.RUnlock()
	if c != nil {
		return c, nil
	}
	di, ok := dir.inode.(DirInode)
	if !ok {
		return nil, errNotDir
	}
	inode, err := lookupAs(ctx, di, name)
	if err != nil {
		return nil, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if c := dir.children[name]; c != nil {
		return c, nil
	}
	c = &Dentry{inode: inode, parent: dir, name: name}
	if cacheable(inode) {
		if dir.children == nil {
			dir.children = map[string]*Dentry{}
		}
		dir.children[name] = c
	}
	return c, nil
}

// Uncached is implemented by inodes whose dentries must not be cached
// (their names change on their own: /proc).
type Uncached interface{ Uncached() bool }

func cacheable(i Inode) bool {
	u, ok := i.(Uncached)
	return !ok || !u.Uncached()
}

// mountedOn returns the mount stacked on (m, d), or nil. v.mu must be held.
func mountedOn(m *Mount, d *Dentry) *Mount {
	return m.children[d]
}

// forget drops name from dir's cache (after unlink/rmdir/rename).
func (v *VFS) forget(dir *Dentry, name string) {
	v.mu.Lock()
	if c := dir.children[name]; c != nil {
		c.dead = true
		delete(dir.children, name)
	}
	v.mu.Unlock()
}

// IsMountPoint reports whether something is mounted on vd.
func (v *VFS) IsMountPoint(vd VirtualDentry) bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return vd.Mount.children[vd.Dentry] != nil
}

// Mount flags for New and Mount.
const (
	MountReadOnly = msRdonly
	MountNoSuid   = msNosuid
	MountNoDev    = msNodev
	MountNoExec   = msNoexec
)
