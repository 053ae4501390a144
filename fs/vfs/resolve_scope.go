package vfs

import (
	"strings"

	"golang.org/x/sys/unix"
)

// Scoped resolution: openat2(2)'s RESOLVE_* flags. A Context carries a
// resolveScope while such a lookup runs; the path walk (resolve.go) asks
// it about "..", mount crossings and symlinks.

// resolveScope is the restriction of one lookup.
type resolveScope struct {
	noXDev, noMagicLinks, noSymlinks, beneath, inRoot bool
	// base is the directory the lookup may not leave (beneath).
	base VirtualDentry
}

// scoped reports whether o asks for a restricted lookup.
func (o ResolveOptions) scoped() bool {
	return o.NoXDev || o.NoMagicLinks || o.NoSymlinks || o.Beneath || o.InRoot
}

// scopedContext returns a copy of ctx restricted by o, resolving path
// relative to base (the dirfd, or the cwd).
func scopedContext(ctx *Context, base VirtualDentry, path string, o ResolveOptions) (*Context, error) {
	if o.Beneath && o.InRoot {
		return nil, unix.EINVAL
	}
	if !base.Ok() {
		base = ctx.Cwd
	}
	if o.Beneath && strings.HasPrefix(path, "/") {
		return nil, unix.EXDEV
	}
	c := *ctx
	c.scope = &resolveScope{noXDev: o.NoXDev, noMagicLinks: o.NoMagicLinks, noSymlinks: o.NoSymlinks,
		beneath: o.Beneath, inRoot: o.InRoot, base: base}
	if o.InRoot {
		c.Root = base
	}
	return &c, nil
}

// dotdot steps to the parent of cur within the scope.
func (s *resolveScope) dotdot(v *VFS, ctx *Context, cur VirtualDentry) (VirtualDentry, error) {
	if s.beneath && cur == s.base {
		return VirtualDentry{}, unix.EXDEV
	}
	next := v.parentOf(ctx, cur)
	if s.noXDev && next.Mount != cur.Mount {
		return VirtualDentry{}, unix.EXDEV
	}
	return next, nil
}

// checkLink decides whether a symlink may be followed.
func (s *resolveScope) checkLink(sl SymlinkInode) error {
	if s.noSymlinks {
		return unix.ELOOP
	}
	if _, ok := sl.(MagicLinkInode); ok {
		if s.noMagicLinks {
			return unix.ELOOP
		}
		if s.beneath || s.inRoot || s.noXDev {
			return unix.EXDEV
		}
	}
	return nil
}

// OpenAtScoped implements openat2(2): OpenAt with the restrictions of o
// (InRoot, Beneath, NoXDev, NoMagicLinks, NoSymlinks). base is where the
// lookup is scoped to: the dirfd's place (also for absolute paths), or
// the zero value for the cwd.
func (v *VFS) OpenAtScoped(ctx *Context, dir, base VirtualDentry, path string, flags int, mode uint32, o ResolveOptions) (FileDescription, error) {
	if !o.scoped() {
		return v.OpenAt(ctx, dir, path, flags, mode)
	}
	c, err := scopedContext(ctx, base, path, o)
	if err != nil {
		return nil, err
	}
	if o.InRoot || o.Beneath {
		dir = c.scope.base
	}
	return v.OpenAt(c, dir, path, flags, mode)
}
