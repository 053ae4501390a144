package vfs

import "golang.org/x/sys/unix"

// Access bits for MayAccess.
const (
	mayExec  = 1
	mayWrite = 2
	mayRead  = 4
)

// Access wants, exported for callers (access(2), exec).
const (
	MayExec  = mayExec
	MayWrite = mayWrite
	MayRead  = mayRead
)

// MayAccess checks the credentials against an inode's mode bits.
// Privileged credentials pass, except that executing needs some x bit.
func MayAccess(c *Creds, i Inode, want uint32) error {
	if c == nil {
		return nil
	}
	var st unix.Stat_t
	if err := i.Stat(&st); err != nil {
		return err
	}
	mode := st.Mode
	if c.Privileged {
		if want&mayExec != 0 && mode&unix.S_IFMT != unix.S_IFDIR && mode&0o111 == 0 {
			return unix.EACCES
		}
		return nil
	}
	var perm uint32
	switch {
	case c.UID == st.Uid:
		perm = (mode >> 6) & 7
	case c.InGroup(st.Gid):
		perm = (mode >> 3) & 7
	default:
		perm = mode & 7
	}
	if perm&want != want {
		return unix.EACCES
	}
	return nil
}

// isOwner reports whether c owns inode i (or may act as its owner).
func isOwner(c *Creds, i Inode) bool {
	if c == nil || c.Privileged {
		return true
	}
	var st unix.Stat_t
	if i.Stat(&st) != nil {
		return false
	}
	return st.Uid == c.UID
}

// mayDelete checks that c may remove (or rename) victim from dir: write and
// search permission on dir, and the sticky bit rule.
func mayDelete(c *Creds, dir Inode, victim Inode) error {
	if err := MayAccess(c, dir, mayWrite|mayExec); err != nil {
		return err
	}
	if c == nil || c.Privileged {
		return nil
	}
	var dst, vst unix.Stat_t
	if dir.Stat(&dst) != nil || victim.Stat(&vst) != nil {
		return unix.EIO
	}
	if dst.Mode&unix.S_ISVTX != 0 && vst.Uid != c.UID && dst.Uid != c.UID {
		return unix.EPERM
	}
	return nil
}
