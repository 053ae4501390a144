package vfs

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// oTmpfileBit is __O_TMPFILE; O_TMPFILE is it plus O_DIRECTORY.
const oTmpfileBit = 0x400000

// TmpfileInode is a directory that can make an unnamed regular file in
// its filesystem (open(2) with O_TMPFILE). The file starts with no link;
// if linkable, linkat(2) may give it a name later (Link must accept it
// despite its zero link count), else it never gets one (O_EXCL).
type TmpfileInode interface {
	CreateTmpfile(mode uint32, c *Creds, linkable bool) (Inode, error)
}

// openTmpfile implements O_TMPFILE: path names the directory.
func (v *VFS) openTmpfile(ctx *Context, dir VirtualDentry, path string, flags int, mode uint32) (FileDescription, error) {
	acc := flags & unix.O_ACCMODE
	if flags&unix.O_TMPFILE != unix.O_TMPFILE || flags&unix.O_CREAT != 0 || flags&unix.O_PATH != 0 ||
		(acc != unix.O_WRONLY && acc != unix.O_RDWR) {
		return nil, unix.EINVAL
	}
	vd, err := v.Resolve(ctx, dir, path, ResolveOptions{Follow: flags&unix.O_NOFOLLOW == 0})
	if err != nil {
		return nil, err
	}
	if !isDir(vd) {
		return nil, unix.ENOTDIR
	}
	if err := MayAccess(ctx.Creds, vd.Dentry.inode, mayWrite|mayExec); err != nil {
		return nil, err
	}
	if readOnly(vd) {
		return nil, unix.EROFS
	}
	ti, ok := vd.Dentry.inode.(TmpfileInode)
	if !ok {
		return nil, unix.EOPNOTSUPP
	}
	inode, err := ti.CreateTmpfile((mode&^ctx.Umask)&0o7777|unix.S_IFREG, ctx.Creds, flags&unix.O_EXCL == 0)
	if err != nil {
		return nil, err
	}
	var st unix.Stat_t
	inode.Stat(&st)
	// An unlinked dentry under the directory: /proc/self/fd shows
	// "DIR/#INO (deleted)", as Linux does.
	d := &Dentry{inode: inode, parent: vd.Dentry, name: "#" + strconv.FormatUint(st.Ino, 10), dead: true}
	return v.openInode(ctx, VirtualDentry{vd.Mount, d}, flags&^(unix.O_TMPFILE|unix.O_EXCL), false)
}

// NoDirectIOInode is a regular file that cannot do direct I/O: opening it
// with O_DIRECT fails with EINVAL (procfs, sysfs).
type NoDirectIOInode interface {
	NoDirectIO()
}
