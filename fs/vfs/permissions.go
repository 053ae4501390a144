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

// MayAccess checks the credentials against an inode's mode bits
// (Linux's generic_permission): the owner, group or other bits must allow
// want; failing that, CAP_DAC_OVERRIDE allows anything except executing a
// file with no x bit at all, and CAP_DAC_READ_SEARCH allows reading any
// file and searching any directory.
func MayAccess(c *Creds, i Inode, want uint32) error {
	if c == nil {
		return nil
	}
	var st unix.Stat_t
	if err := i.Stat(&st); err != nil {
		return err
	}
	mode := st.Mode
	var perm uint32
	switch {
	case c.UID == st.Uid:
		perm = (mode >> 6) & 7
	case c.InGroup(st.Gid):
		perm = (mode >> 3) & 7
	default:
		perm = mode & 7
	}
	if perm&want == want {
		return nil
	}
	dir := mode&unix.S_IFMT == unix.S_IFDIR
	if c.HasCap(unix.CAP_DAC_OVERRIDE) && (dir || want&mayExec == 0 || mode&0o111 != 0) {
		return nil
	}
	if c.HasCap(unix.CAP_DAC_READ_SEARCH) && (want == mayRead || dir && want&mayWrite == 0) {
		return nil
	}
	return unix.EACCES
}

// isOwner reports whether c owns inode i or may act as its owner
// (CAP_FOWNER).
func isOwner(c *Creds, i Inode) bool {
	if c.HasCap(unix.CAP_FOWNER) {
		return true
	}
	var st unix.Stat_t
	if i.Stat(&st) != nil {
		return false
	}
	return st.Uid == c.UID
}

// mayDelete checks that c may remove (or rename) victim from dir: write and
// search permission on dir, and the sticky bit rule (owner of the victim
// or of dir, or CAP_FOWNER).
func mayDelete(c *Creds, dir Inode, victim Inode) error {
	if err := MayAccess(c, dir, mayWrite|mayExec); err != nil {
		return err
	}
	if c.HasCap(unix.CAP_FOWNER) {
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
