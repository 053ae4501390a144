package kernel

import "golang.org/x/sys/unix"

// execCreds computes the credentials a program runs with after execve
// (execve(2), capabilities(7) "Transformation of capabilities during
// execve()"), from the caller's credentials old and the executable's
// stat st (the ELF file, after #! interpreters: as Linux, set-user-ID bits
// of scripts are ignored). nosuid is whether the executable's mount has
// MS_NOSUID; nnp is no_new_privs.
//
//   - The set-user-ID and set-group-ID bits (S_ISGID with S_IXGRP) set the
//     effective ids, unless nosuid or no_new_privs.
//   - File capabilities are not supported: every file counts as having
//     none, except that for a real or effective uid 0 (unless
//     SECBIT_NOROOT) the permitted set becomes bounding | inheritable, and
//     for an effective uid 0 the effective set is the permitted one.
//   - A set-id program clears the ambient set; otherwise the ambient set
//     is added to the permitted set and is the effective set of a program
//     not run as effective root.
//   - With no_new_privs, a program that would change ids or gain permitted
//     capabilities runs with its real ids and no more permitted
//     capabilities than the caller had.
//   - Saved and filesystem ids become the effective ones; SECBIT_KEEP_CAPS
//     is cleared.
//
// It also returns whether the program runs in secure mode (AT_SECURE) and
// whether it gained privilege (then the process is not dumpable).
func execCreds(old *Credentials, st *unix.Stat_t, nosuid, nnp bool) (c *Credentials, secure, gained bool) {
	n := *old
	if !nosuid && !nnp {
		if st.Mode&unix.S_ISUID != 0 {
			n.EffectiveUID = st.Uid
		}
		if st.Mode&(unix.S_ISGID|unix.S_IXGRP) == unix.S_ISGID|unix.S_IXGRP {
			n.EffectiveGID = st.Gid
		}
	}
	n.Permitted = 0
	effective := false
	if n.SecureBits&SecNoRoot == 0 {
		if n.EffectiveUID == 0 || n.RealUID == 0 {
			n.Permitted = old.Bounding | old.Inheritable
		}
		effective = n.EffectiveUID == 0
	}
	isSetID := n.EffectiveUID != old.RealUID || n.EffectiveGID != old.RealGID
	if (isSetID || n.Permitted&^old.Permitted != 0) && nnp {
		n.EffectiveUID, n.EffectiveGID = n.RealUID, n.RealGID
		n.Permitted &= old.Permitted
	}
	n.SavedUID, n.FSUID = n.EffectiveUID, n.EffectiveUID
	n.SavedGID, n.FSGID = n.EffectiveGID, n.EffectiveGID
	if isSetID {
		n.Ambient = 0
	}
	n.Permitted |= n.Ambient
	if effective {
		n.Effective = n.Permitted
	} else {
		n.Effective = n.Ambient
	}
	n.SecureBits &^= SecKeepCaps
	n.update()
	secure = isSetID || (n.RealUID != 0 && (effective || n.Permitted&^n.Ambient != 0))
	gained = n.EffectiveUID != old.EffectiveUID || n.EffectiveGID != old.EffectiveGID ||
		n.EffectiveUID != n.RealUID || n.EffectiveGID != n.RealGID || n.Permitted&^old.Permitted != 0
	return &n, secure, gained
}
