package vfs

import (
	"strings"

	"golang.org/x/sys/unix"
)

// Context is who resolves a path and from where: a task's credentials,
// root (chroot) and working directory.
type Context struct {
	Creds *Creds
	Root  VirtualDentry
	Cwd   VirtualDentry
	Umask uint32
	// Task is the caller, opaque to the VFS (a *kernel.Task, or nil for
	// the sentry itself): filesystems whose names depend on who looks
	// (procfs's "self") read it through ContextDirInode.
	Task any
	// scope restricts resolution (openat2's RESOLVE_* flags,
	// resolve_scope.go); nil for ordinary lookups.
	scope *resolveScope
}

// MagicLinkInode is a symlink that leads straight to a place in the tree
// rather than to a path (/proc/self/fd/N, /proc/self/exe, cwd, root).
type MagicLinkInode interface {
	SymlinkInode
	// Target returns where the link leads.
	Target() (VirtualDentry, error)
}

// Errors the VFS returns.
var (
	errNotDir   = unix.ENOTDIR
	errInval    = unix.EINVAL
	errBusy     = unix.EBUSY
	errNoEnt    = unix.ENOENT
	errLoop     = unix.ELOOP
	errNameLong = unix.ENAMETOOLONG
)

// maxSymlinks is how many symlinks one resolution may follow (Linux: 40).
const maxSymlinks = 40

// nameMax is NAME_MAX.
const nameMax = 255

// isDir reports whether vd is a directory.
func isDir(vd VirtualDentry) bool {
	_, ok := vd.Dentry.inode.(DirInode)
	return ok && FileType(vd.Dentry.inode) == unix.S_IFDIR
}

// splitPath splits path into components, reporting a trailing slash.
func splitPath(path string) ([]string, bool) {
	trailing := strings.HasSuffix(path, "/")
	var comps []string
	for _, c := range strings.Split(path, "/") {
		if c != "" {
			comps = append(comps, c)
		}
	}
	return comps, trailing
}

// startOf returns where a path resolves from.
func startOf(ctx *Context, dir VirtualDentry, path string) VirtualDentry {
	if strings.HasPrefix(path, "/") {
		return ctx.Root
	}
	if dir.Ok() {
		return dir
	}
	return ctx.Cwd
}

// parentOf returns "..": the parent directory of vd, crossing mount
// points upward and never leaving the context's root.
func (v *VFS) parentOf(ctx *Context, vd VirtualDentry) VirtualDentry {
	v.mu.RLock()
	defer v.mu.RUnlock()
	m, d := vd.Mount, vd.Dentry
	for {
		if m == ctx.Root.Mount && d == ctx.Root.Dentry {
			return VirtualDentry{m, d}
		}
		if d == m.root && m.parent != nil {
			d, m = m.point, m.parent
			continue
		}
		break
	}
	if d.parent == nil || (m == ctx.Root.Mount && d == ctx.Root.Dentry) {
		return VirtualDentry{m, d}
	}
	return VirtualDentry{m, d.parent}
}

// step returns the child name of dir, entering mounts stacked on it.
func (v *VFS) step(dir VirtualDentry, name string) (VirtualDentry, error) {
	return v.stepCtx(nil, dir, name)
}

// stepCtx is step on behalf of ctx's caller (see ContextDirInode); ctx may
// be nil.
func (v *VFS) stepCtx(ctx *Context, dir VirtualDentry, name string) (VirtualDentry, error) {
	c, err := v.child(ctx, dir.Dentry, name)
	if err != nil {
		return VirtualDentry{}, err
	}
	next := VirtualDentry{dir.Mount, c}
	v.mu.RLock()
	for {
		mm := mountedOn(next.Mount, next.Dentry)
		if mm == nil {
			break
		}
		next = VirtualDentry{mm, mm.root}
	}
	v.mu.RUnlock()
	if ctx != nil && ctx.scope != nil && ctx.scope.noXDev && next.Mount != dir.Mount {
		return VirtualDentry{}, unix.EXDEV
	}
	return next, nil
}

// walk resolves comps from cur. If follow, a final symlink is followed.
func (v *VFS) walk(ctx *Context, cur VirtualDentry, comps []string, follow bool, links *int) (VirtualDentry, error) {
	for i, c := range comps {
		last := i == len(comps)-1
		if !isDir(cur) {
			return VirtualDentry{}, errNotDir
		}
		if err := MayAccess(ctx.Creds, cur.Dentry.inode, mayExec); err != nil {
			return VirtualDentry{}, err
		}
		switch c {
		case ".":
			continue
		case "..":
			if ctx.scope != nil {
				next, err := ctx.scope.dotdot(v, ctx, cur)
				if err != nil {
					return VirtualDentry{}, err
				}
				cur = next
				continue
			}
			cur = v.parentOf(ctx, cur)
			continue
		}
		if len(c) > nameMax {
			return VirtualDentry{}, errNameLong
		}
		next, err := v.stepCtx(ctx, cur, c)
		if err != nil {
			return VirtualDentry{}, err
		}
		if !last || follow {
			next, err = v.followLinks(ctx, cur, next, links)
			if err != nil {
				return VirtualDentry{}, err
			}
		}
		cur = next
	}
	return cur, nil
}

// followLinks resolves next while it is a symlink found in dir.
func (v *VFS) followLinks(ctx *Context, dir, next VirtualDentry, links *int) (VirtualDentry, error) {
	for {
		sl, ok := next.Dentry.inode.(SymlinkInode)
		if !ok || FileType(next.Dentry.inode) != unix.S_IFLNK {
			return next, nil
		}
		*links++
		if *links > maxSymlinks {
			return VirtualDentry{}, errLoop
		}
		if ctx.scope != nil {
			if err := ctx.scope.checkLink(sl); err != nil {
				return VirtualDentry{}, err
			}
		}
		if ml, ok := sl.(MagicLinkInode); ok {
			t, err := ml.Target()
			if err != nil {
				return VirtualDentry{}, err
			}
			next = t
			continue
		}
		target, err := sl.Readlink()
		if err != nil {
			return VirtualDentry{}, err
		}
		if target == "" {
			return VirtualDentry{}, errNoEnt
		}
		start := dir
		if strings.HasPrefix(target, "/") {
			if ctx.scope != nil && ctx.scope.beneath {
				return VirtualDentry{}, unix.EXDEV
			}
			start = ctx.Root
		}
		comps, _ := splitPath(target)
		res, err := v.walk(ctx, start, comps, true, links)
		if err != nil {
			return VirtualDentry{}, err
		}
		return res, nil
	}
}

// ResolveOptions control Resolve.
type ResolveOptions struct {
	// Follow follows a final symlink.
	Follow bool
	// EmptyPath allows "" to mean dir itself (AT_EMPTY_PATH).
	EmptyPath bool
	// InRoot resolves with dir as the root (openat2 RESOLVE_IN_ROOT):
	// absolute paths, absolute symlinks and ".." stay under it.
	InRoot bool
	// Beneath refuses (EXDEV) paths that leave dir: absolute ones, ".."
	// above it, absolute symlinks (RESOLVE_BENEATH).
	Beneath bool
	// NoXDev refuses (EXDEV) crossing a mount (RESOLVE_NO_XDEV).
	NoXDev bool
	// NoMagicLinks refuses (ELOOP) following /proc magic links
	// (RESOLVE_NO_MAGICLINKS); NoSymlinks any symlink
	// (RESOLVE_NO_SYMLINKS).
	NoMagicLinks bool
	NoSymlinks   bool
}

// Resolve returns the place path names, relative to dir (ctx.Cwd if not
// Ok).
func (v *VFS) Resolve(ctx *Context, dir VirtualDentry, path string, o ResolveOptions) (VirtualDentry, error) {
	if path == "" {
		if o.EmptyPath && dir.Ok() {
			return dir, nil
		}
		if o.EmptyPath {
			return ctx.Cwd, nil
		}
		return VirtualDentry{}, errNoEnt
	}
	if len(path) >= 4096 {
		return VirtualDentry{}, errNameLong
	}
	if o.Beneath || o.NoXDev || o.NoMagicLinks || o.NoSymlinks || o.InRoot && dir.Ok() {
		c, err := scopedContext(ctx, dir, path, o)
		if err != nil {
			return VirtualDentry{}, err
		}
		if o.InRoot || o.Beneath {
			dir = c.scope.base
		}
		ctx = c
	}
	comps, trailing := splitPath(path)
	links := 0
	vd, err := v.walk(ctx, startOf(ctx, dir, path), comps, o.Follow || trailing, &links)
	if err != nil {
		return VirtualDentry{}, err
	}
	if trailing && !isDir(vd) {
		return VirtualDentry{}, errNotDir
	}
	return vd, nil
}

// ResolveParent resolves all but the last component of path, returning the
// parent directory and the last name. A path ending in "/" reports
// trailing; "." or ".." as last name are returned as they are (callers
// refuse them as needed).
func (v *VFS) ResolveParent(ctx *Context, dir VirtualDentry, path string) (VirtualDentry, string, bool, error) {
	if path == "" {
		return VirtualDentry{}, "", false, errNoEnt
	}
	if len(path) >= 4096 {
		return VirtualDentry{}, "", false, errNameLong
	}
	comps, trailing := splitPath(path)
	start := startOf(ctx, dir, path)
	if len(comps) == 0 {
		// "/" itself.
		return start, ".", trailing, nil
	}
	links := 0
	parent, err := v.walk(ctx, start, comps[:len(comps)-1], true, &links)
	if err != nil {
		return VirtualDentry{}, "", false, err
	}
	if !isDir(parent) {
		return VirtualDentry{}, "", false, errNotDir
	}
	name := comps[len(comps)-1]
	if len(name) > nameMax {
		return VirtualDentry{}, "", false, errNameLong
	}
	return parent, name, trailing, nil
}
