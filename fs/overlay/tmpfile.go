package overlay

import (
	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
)

var _ vfs.TmpfileInode = (*node)(nil)

// CreateTmpfile implements vfs.TmpfileInode (O_TMPFILE): the directory is
// copied up and the upper layer makes the unnamed file; the overlay node
// has no parent until linkat names it.
func (n *node) CreateTmpfile(mode uint32, c *vfs.Creds, linkable bool) (vfs.Inode, error) {
	n.fs.mu.Lock()
	defer n.fs.mu.Unlock()
	ud, err := n.upperDirLocked()
	if err != nil {
		return nil, err
	}
	ti, ok := ud.(vfs.TmpfileInode)
	if !ok {
		return nil, unix.EOPNOTSUPP
	}
	u, err := ti.CreateTmpfile(mode, c, linkable)
	if err != nil {
		return nil, err
	}
	return &node{fs: n.fs, upper: u}, nil
}
