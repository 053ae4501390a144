package kernel

import (
	"golang.org/x/sys/unix"
)

// Capabilities (capabilities(7)): each task's Credentials carry the five
// capability sets and the securebits, and every privilege check of the
// sentry asks for one capability in the effective set instead of testing
// for uid 0. The rules here are Linux's (security/commoncap.c): how the
// sets follow set*uid changes, what capset(2) and the prctl(2) capability
// operations may do. execve's rules are in credentials_exec.go. File
// capabilities (security.capability xattrs) are not supported: a program
// gains capabilities at execve only by being run as (or set-user-ID to)
// root, or from the ambient set.

// CapSet is a set of capabilities: bit n is capability n (unix.CAP_CHOWN
// is bit 0).
type CapSet uint64

// CapLastCap is the highest capability number (CAP_CHECKPOINT_RESTORE).
const CapLastCap = unix.CAP_LAST_CAP

// AllCaps is every capability up to CapLastCap.
const AllCaps CapSet = 1<<(CapLastCap+1) - 1

// CapSetOf returns the set holding caps.
func CapSetOf(caps ...int) CapSet {
	var s CapSet
	for _, c := range caps {
		s |= 1 << uint(c)
	}
	return s
}

// Has reports whether capability c is in s.
func (s CapSet) Has(c int) bool { return c >= 0 && c <= CapLastCap && s&(1<<uint(c)) != 0 }

// ValidCap reports whether c names a capability.
func ValidCap(c uint64) bool { return c <= CapLastCap }

// fsCaps are the capabilities that follow the filesystem uid: cleared from
// the effective set when the fsuid leaves 0, restored from the permitted
// set when it returns (capabilities(7), "Effect of user ID changes on
// capabilities").
var fsCaps = CapSetOf(unix.CAP_CHOWN, unix.CAP_DAC_OVERRIDE, unix.CAP_DAC_READ_SEARCH,
	unix.CAP_FOWNER, unix.CAP_FSETID, unix.CAP_LINUX_IMMUTABLE, unix.CAP_MAC_OVERRIDE, unix.CAP_MKNOD)

// Securebits (PR_SET_SECUREBITS, include/uapi/linux/securebits.h): each
// flag's lock is the next bit up.
const (
	SecNoRoot            = 1 << 0
	SecNoSetuidFixup     = 1 << 2
	SecKeepCaps          = 1 << 4
	SecNoCapAmbientRaise = 1 << 6
	// secAllBits and secAllLocks are every flag and every lock.
	secAllBits  = SecNoRoot | SecNoSetuidFixup | SecKeepCaps | SecNoCapAmbientRaise
	secAllLocks = secAllBits << 1
)

// HasCap reports whether the credentials hold capability c in their
// effective set: the check every privileged operation makes (capable()).
func (c *Credentials) HasCap(cap int) bool { return c.Effective.Has(cap) }

// HasCap reports whether the task holds capability c.
func (t *Task) HasCap(cap int) bool { return t.Creds.HasCap(cap) }

// rootCaps gives credentials the sets a process running as uid ids has
// when it was started by root: uid 0 holds every capability of the
// bounding set as permitted and effective; others hold none.
func (c *Credentials) rootCaps() {
	c.Bounding = AllCaps
	c.Inheritable, c.Ambient = 0, 0
	c.Permitted, c.Effective = 0, 0
	if c.EffectiveUID == 0 || c.RealUID == 0 || c.SavedUID == 0 {
		c.Permitted = AllCaps
	}
	if c.EffectiveUID == 0 {
		c.Effective = AllCaps
	}
}

// CapSets are the five capability sets a process is started with (from the
// OCI spec's process.capabilities).
type CapSets struct {
	Effective, Permitted, Inheritable, Bounding, Ambient CapSet
}

// SetCaps replaces c's capability sets with s, as runc leaves them just
// before it executes the container's process (bounding set, then
// capset(2), then the ambient set, which keeps only capabilities both
// permitted and inheritable). The process's execve then applies the usual
// rules (credentials_exec.go).
func (c *Credentials) SetCaps(s CapSets) {
	c.Bounding = s.Bounding & AllCaps
	c.Permitted = s.Permitted & AllCaps
	c.Effective = s.Effective & c.Permitted
	c.Inheritable = s.Inheritable & AllCaps
	c.Ambient = s.Ambient & c.Permitted & c.Inheritable
	c.update()
}

// fixSetuid applies the capability rules of a change of user ids from old
// (setuid, setreuid, setresuid): leaving uid 0 for all of real, effective
// and saved clears the permitted and effective sets (unless keep-caps)
// and the ambient set; the effective uid leaving 0 clears the effective
// set, and returning to 0 restores it from the permitted set.
func (c *Credentials) fixSetuid(old *Credentials) {
	if c.SecureBits&SecNoSetuidFixup != 0 {
		return
	}
	if (old.RealUID == 0 || old.EffectiveUID == 0 || old.SavedUID == 0) &&
		c.RealUID != 0 && c.EffectiveUID != 0 && c.SavedUID != 0 {
		if c.SecureBits&SecKeepCaps == 0 {
			c.Permitted, c.Effective = 0, 0
		}
		c.Ambient = 0
	}
	if old.EffectiveUID == 0 && c.EffectiveUID != 0 {
		c.Effective = 0
	}
	if old.EffectiveUID != 0 && c.EffectiveUID == 0 {
		c.Effective = c.Permitted
	}
}

// fixSetfsuid applies the capability rules of a filesystem uid change.
func (c *Credentials) fixSetfsuid(old *Credentials) {
	if c.SecureBits&SecNoSetuidFixup != 0 {
		return
	}
	if old.FSUID == 0 && c.FSUID != 0 {
		c.Effective &^= fsCaps
	}
	if old.FSUID != 0 && c.FSUID == 0 {
		c.Effective |= fsCaps & c.Permitted
	}
}

// Capset implements capset(2) on the task's own credentials: the new
// inheritable set may only add capabilities that are permitted (unless
// CAP_SETPCAP) and in the bounding set, the permitted set may only shrink,
// and the effective set must be within the permitted one. The ambient set
// keeps what stays both permitted and inheritable.
func (t *Task) Capset(eff, perm, inh CapSet) error {
	return t.changeCreds(func(c *Credentials) error {
		if !c.HasCap(unix.CAP_SETPCAP) && inh&^(c.Inheritable|c.Permitted) != 0 {
			return errPerm
		}
		if inh&^(c.Inheritable|c.Bounding) != 0 || perm&^c.Permitted != 0 || eff&^perm != 0 {
			return errPerm
		}
		c.Effective, c.Permitted, c.Inheritable = eff, perm, inh
		c.Ambient &= perm & inh
		return nil
	})
}

// DropBoundingCap implements PR_CAPBSET_DROP (needs CAP_SETPCAP).
func (t *Task) DropBoundingCap(cap int) error {
	if !t.HasCap(unix.CAP_SETPCAP) {
		return errPerm
	}
	if !ValidCap(uint64(cap)) {
		return unix.EINVAL
	}
	return t.changeCreds(func(c *Credentials) error {
		c.Bounding &^= 1 << uint(cap)
		return nil
	})
}

// RaiseAmbientCap implements PR_CAP_AMBIENT_RAISE: the capability must be
// permitted and inheritable, and SECBIT_NO_CAP_AMBIENT_RAISE unset.
func (t *Task) RaiseAmbientCap(cap int) error {
	return t.changeCreds(func(c *Credentials) error {
		if !c.Permitted.Has(cap) || !c.Inheritable.Has(cap) || c.SecureBits&SecNoCapAmbientRaise != 0 {
			return errPerm
		}
		c.Ambient |= 1 << uint(cap)
		return nil
	})
}

// LowerAmbientCaps implements PR_CAP_AMBIENT_LOWER and _CLEAR_ALL: it
// removes s from the ambient set.
func (t *Task) LowerAmbientCaps(s CapSet) {
	if t.Creds.Ambient&s == 0 {
		return
	}
	t.changeCreds(func(c *Credentials) error {
		c.Ambient &^= s
		return nil
	})
}

// SetSecureBits implements PR_SET_SECUREBITS: it needs CAP_SETPCAP, a
// locked flag cannot change and a lock cannot be released.
func (t *Task) SetSecureBits(bits uint64) error {
	return t.changeCreds(func(c *Credentials) error {
		old := uint64(c.SecureBits)
		if ((old&secAllLocks)>>1)&(old^bits) != 0 || old&secAllLocks&^bits != 0 ||
			bits&^(secAllBits|secAllLocks) != 0 || !c.HasCap(unix.CAP_SETPCAP) {
			return errPerm
		}
		c.SecureBits = uint32(bits)
		return nil
	})
}

// KeepCaps reports PR_GET_KEEPCAPS (SECBIT_KEEP_CAPS).
func (t *Task) KeepCaps() bool { return t.Creds.SecureBits&SecKeepCaps != 0 }

// SetKeepCaps implements PR_SET_KEEPCAPS: EPERM once the flag is locked.
func (t *Task) SetKeepCaps(on bool) error {
	return t.changeCreds(func(c *Credentials) error {
		if c.SecureBits&(SecKeepCaps<<1) != 0 {
			return errPerm
		}
		c.SecureBits &^= SecKeepCaps
		if on {
			c.SecureBits |= SecKeepCaps
		}
		return nil
	})
}

// MaySignal reports whether t may send sig to task o (kill(2)'s
// permission rule): CAP_KILL, a real or effective uid of the sender equal
// to the target's real or saved uid, or SIGCONT within the session.
func (t *Task) MaySignal(o *Task, sig int) bool {
	c, oc := t.Creds, o.Creds
	if c.HasCap(unix.CAP_KILL) || oc == nil {
		return true
	}
	if c.EffectiveUID == oc.RealUID || c.EffectiveUID == oc.SavedUID ||
		c.RealUID == oc.RealUID || c.RealUID == oc.SavedUID {
		return true
	}
	return sig == int(unix.SIGCONT) && o.tg.SID() == t.tg.SID()
}
