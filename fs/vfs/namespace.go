package vfs

import "sort"

// Mount namespaces. A namespace is a tree of Mount objects; the dentries
// and inodes under them are shared. A task's namespace is the tree its root
// belongs to, so path resolution (which crosses mounts through
// Mount.children) stays inside it, and mount/umount change only its tree.

// nsRoot returns the top mount of the tree m belongs to. v.mu must be held.
func nsRoot(m *Mount) *Mount {
	for m.parent != nil {
		m = m.parent
	}
	return m
}

// MountsOf returns the mounts of the namespace that vd belongs to, parents
// before children, in mount order.
func (v *VFS) MountsOf(vd VirtualDentry) []*Mount {
	v.mu.RLock()
	defer v.mu.RUnlock()
	var out []*Mount
	var walk func(m *Mount)
	walk = func(m *Mount) {
		out = append(out, m)
		kids := make([]*Mount, 0, len(m.children))
		for _, c := range m.children {
			kids = append(kids, c)
		}
		sort.Slice(kids, func(i, j int) bool { return kids[i].ID < kids[j].ID })
		for _, c := range kids {
			walk(c)
		}
	}
	walk(nsRoot(vd.Mount))
	return out
}

// CloneNamespace copies the mount namespace the places vds belong to
// (unshare(CLONE_NEWNS), clone(CLONE_NEWNS)) and returns the same places
// in the copy.
func (v *VFS) CloneNamespace(vds ...VirtualDentry) []VirtualDentry {
	v.mu.Lock()
	defer v.mu.Unlock()
	copies := map[*Mount]*Mount{}
	var clone func(m, parent *Mount) *Mount
	clone = func(m, parent *Mount) *Mount {
		n := &Mount{ID: v.nextID, root: m.root, parent: parent, point: m.point,
			children: map[*Dentry]*Mount{}, Flags: m.Flags, FSType: m.FSType, Source: m.Source, Options: m.Options,
			nsRoot: parent == nil}
		v.nextID++
		v.mounts = append(v.mounts, n)
		copies[m] = n
		for d, c := range m.children {
			n.children[d] = clone(c, n)
		}
		return n
	}
	if len(vds) == 0 {
		return nil
	}
	clone(nsRoot(vds[0].Mount), nil)
	out := make([]VirtualDentry, len(vds))
	for i, vd := range vds {
		if n := copies[vd.Mount]; n != nil {
			out[i] = VirtualDentry{n, vd.Dentry}
		} else {
			out[i] = vd
		}
	}
	return out
}

// NewNamespace makes a new mount namespace whose root mount is the root of
// fs (mounted with flags) and returns its root: the root of a later
// container of a pod, which shares the sandbox's VFS (dentry cache, devices,
// sockets) but not its mounts.
func (v *VFS) NewNamespace(root Inode, fsType, source string, flags uint64) VirtualDentry {
	v.mu.Lock()
	defer v.mu.Unlock()
	m := &Mount{ID: v.nextID, root: NewDentry(root), children: map[*Dentry]*Mount{}, Flags: flags,
		FSType: fsType, Source: source, nsRoot: true}
	v.nextID++
	v.mounts = append(v.mounts, m)
	return VirtualDentry{m, m.root}
}

// NamespaceRoot reports whether m is the top mount of a mount namespace
// (not a detached, anonymous mount).
func (m *Mount) NamespaceRoot() bool { return m.nsRoot }

// ReleaseNamespace forgets the mounts of the namespace whose root is root
// (a pod container's, once deleted): they leave the VFS's list, and the
// tree is taken apart so that its filesystems can be freed. Processes must
// no longer use it.
func (v *VFS) ReleaseNamespace(root VirtualDentry) {
	v.mu.Lock()
	defer v.mu.Unlock()
	top := nsRoot(root.Mount)
	if top == v.root.Mount {
		return
	}
	drop := map[*Mount]bool{}
	var walk func(m *Mount)
	walk = func(m *Mount) {
		drop[m] = true
		for _, c := range m.children {
			walk(c)
		}
		m.children = map[*Dentry]*Mount{}
	}
	walk(top)
	kept := v.mounts[:0]
	for _, m := range v.mounts {
		if !drop[m] {
			kept = append(kept, m)
		}
	}
	v.mounts = kept
}
