package vfs

import (
	"golang.org/x/sys/unix"
)

// ContextDirInode is a directory whose lookups depend on who looks:
// procfs's "self" and "thread-self" name the caller's own process. Path
// walks call LookupContext with the resolving Context (whose Task field
// identifies the caller) instead of Lookup; Lookup is still used where no
// caller is known. Names whose answer depends on the caller must be
// Uncached, or the first caller's answer would be cached for everyone.
type ContextDirInode interface {
	DirInode
	LookupContext(ctx *Context, name string) (Inode, error)
}

// lookupAs looks name up in di on behalf of ctx.
func lookupAs(ctx *Context, di DirInode, name string) (Inode, error) {
	if cd, ok := di.(ContextDirInode); ok && ctx != nil {
		return cd.LookupContext(ctx, name)
	}
	return di.Lookup(name)
}

// Parent returns the mount m is mounted on, or nil for the root mount
// (/proc/[pid]/mountinfo's parent id).
func (m *Mount) Parent() *Mount { return m.parent }

// MountAt mounts the filesystem whose root inode is root at path, resolved
// by ctx. If the parent directory lacks the last component - a read-only
// layer that hides it, as the host tree hides the host's /proc and /sys -
// an empty stand-in directory is entered in the dentry cache to carry the
// mount. Creating the directory for real is the caller's business where
// the parent is writable.
func (v *VFS) MountAt(ctx *Context, path string, root Inode, fsType, source string, flags uint64, options string) (*Mount, error) {
	at, err := v.Resolve(ctx, VirtualDentry{}, path, ResolveOptions{Follow: true})
	if err == unix.ENOENT {
		parent, name, _, perr := v.ResolveParent(ctx, VirtualDentry{}, path)
		if perr != nil {
			return nil, perr
		}
		if name == "." || name == ".." {
			return nil, unix.EINVAL
		}
		d := v.addChild(parent.Dentry, name, standInDir{})
		at = VirtualDentry{parent.Mount, d}
	} else if err != nil {
		return nil, err
	}
	if !isDir(at) {
		return nil, unix.ENOTDIR
	}
	return v.Mount(at, root, fsType, source, flags, options)
}

// standInDir is the empty directory MountAt puts under a mount whose
// mount point did not exist. It is never seen while the mount is there.
type standInDir struct{ NoDirOps }

// Stat implements Inode.
func (standInDir) Stat(st *unix.Stat_t) error {
	*st = unix.Stat_t{Mode: unix.S_IFDIR | 0o555, Nlink: 2, Blksize: 4096}
	return nil
}

// Open implements Inode.
func (standInDir) Open(vd VirtualDentry, flags int) (FileDescription, error) {
	return NewDirFile(vd, flags), nil
}

// Lookup implements DirInode.
func (standInDir) Lookup(string) (Inode, error) { return nil, unix.ENOENT }

// IterDirents implements DirInode.
func (standInDir) IterDirents(int64, func(Dirent) bool) error { return nil }
