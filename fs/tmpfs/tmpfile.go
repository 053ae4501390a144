package tmpfs

import (
	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
)

var _ vfs.TmpfileInode = (*Dir)(nil)

// CreateTmpfile implements vfs.TmpfileInode (O_TMPFILE): a regular file
// with no link, freed when its last open description goes unless linkat
// names it first (only if linkable).
func (d *Dir) CreateTmpfile(mode uint32, c *vfs.Creds, linkable bool) (vfs.Inode, error) {
	d.fs.mu.RLock()
	dead := d.dead
	d.fs.mu.RUnlock()
	if dead {
		return nil, unix.ENOENT
	}
	mode, uid, gid := owner(d, c, mode&0o7777|unix.S_IFREG)
	f := d.fs.newFile(mode, uid, gid)
	f.nlink = 0
	f.linkable = linkable
	return f, nil
}

// relinkable reports whether n may be linked although its link count is
// zero (an O_TMPFILE file); b.mu must be held.
func relinkable(n node) bool {
	f, ok := n.(*File)
	return ok && f.linkable
}
