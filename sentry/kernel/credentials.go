package kernel

import (
	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
)

// Credentials are a task's user and group identities and its capabilities
// (capabilities.go). They are immutable once shared: changing them
// replaces the pointer.
type Credentials struct {
	RealUID, EffectiveUID, SavedUID, FSUID uint32
	RealGID, EffectiveGID, SavedGID, FSGID uint32
	Groups                                 []uint32
	// The capability sets (capabilities(7)).
	Effective, Permitted, Inheritable, Bounding, Ambient CapSet
	// SecureBits are the PR_SET_SECUREBITS flags (SecKeepCaps ...).
	SecureBits uint32

	// vfs is what the VFS checks (fsuid, fsgid, groups, effective
	// capabilities), kept with the credentials so that VFSContext does
	// not build it on every path lookup; update refreshes it.
	vfs vfs.Creds
}

// NewCredentials returns credentials with every id set to uid/gid and the
// capabilities a process started by root has with those ids: all of them
// for uid 0, none otherwise (full bounding set).
func NewCredentials(uid, gid uint32, groups []uint32) *Credentials {
	c := &Credentials{
		RealUID: uid, EffectiveUID: uid, SavedUID: uid, FSUID: uid,
		RealGID: gid, EffectiveGID: gid, SavedGID: gid, FSGID: gid,
		Groups: groups,
	}
	c.rootCaps()
	c.update()
	return c
}

// update refreshes the VFS view of c after a change.
func (c *Credentials) update() {
	c.vfs = vfs.Creds{UID: c.FSUID, GID: c.FSGID, Groups: c.Groups, Caps: uint64(c.Effective)}
}

// VFSCreds returns the credentials the VFS checks: the filesystem ids and
// the effective capabilities. The result is shared: do not modify it.
func (c *Credentials) VFSCreds() *vfs.Creds { return &c.vfs }

// The set*id rules (credentials(7)): a process with CAP_SETUID (for user
// ids) or CAP_SETGID (group ids) may set any id; others may only switch
// among their real, effective and saved ids. -1 (as uint32) leaves an id
// unchanged. Changes replace the task's Credentials pointer (they are
// shared, immutable); user id changes then adjust the capability sets
// (capabilities.go).

const noChange = ^uint32(0)

// idSet is one kind of id (user or group) of a Credentials: real,
// effective, saved and filesystem, so that the set*id rules are written
// once for both kinds; priv is whether the process holds the capability
// that lifts the rules for that kind.
type idSet struct {
	real, eff, saved, fs *uint32
	priv                 bool
}

func (c *Credentials) uids() idSet {
	return idSet{&c.RealUID, &c.EffectiveUID, &c.SavedUID, &c.FSUID, c.HasCap(unix.CAP_SETUID)}
}

func (c *Credentials) gids() idSet {
	return idSet{&c.RealGID, &c.EffectiveGID, &c.SavedGID, &c.FSGID, c.HasCap(unix.CAP_SETGID)}
}

// allowed reports whether an unprivileged process may switch to id.
func (s idSet) allowed(id uint32) bool {
	return id == *s.real || id == *s.eff || id == *s.saved
}

// changeCreds applies fn to a copy of the task's credentials and installs
// the copy if fn succeeds.
func (t *Task) changeCreds(fn func(c *Credentials) error) error {
	c := *t.Creds
	if err := fn(&c); err != nil {
		return err
	}
	c.update()
	t.Creds = &c
	return nil
}

// changeUIDs is changeCreds for a user id change: the capability sets
// follow the new ids.
func (t *Task) changeUIDs(fn func(c *Credentials) error) error {
	old := t.Creds
	return t.changeCreds(func(c *Credentials) error {
		if err := fn(c); err != nil {
			return err
		}
		c.fixSetuid(old)
		return nil
	})
}

// setRes implements setresuid/setresgid on ids of c.
func setRes(c *Credentials, ids idSet, r, e, s uint32) error {
	for _, id := range []uint32{r, e, s} {
		if id != noChange && !ids.priv && !ids.allowed(id) {
			return errPerm
		}
	}
	for i, id := range []uint32{r, e, s} {
		if id != noChange {
			*[]*uint32{ids.real, ids.eff, ids.saved}[i] = id
		}
	}
	*ids.fs = *ids.eff
	return nil
}

// setOne implements setuid/setgid: privileged, it sets all three ids.
func setOne(c *Credentials, ids idSet, id uint32) error {
	if ids.priv {
		return setRes(c, ids, id, id, id)
	}
	if id != *ids.real && id != *ids.saved {
		return errPerm
	}
	return setRes(c, ids, noChange, id, noChange)
}

// setRe implements setreuid/setregid: the saved id follows the effective
// one when the real id is set or the effective one moves away from it.
func setRe(c *Credentials, ids idSet, r, e uint32) error {
	priv := ids.priv
	if r != noChange && !priv && r != *ids.real && r != *ids.eff {
		return errPerm
	}
	if e != noChange && !priv && !ids.allowed(e) {
		return errPerm
	}
	newE := *ids.eff
	if e != noChange {
		newE = e
	}
	if r != noChange || (e != noChange && e != *ids.real) {
		*ids.saved = newE
	}
	if r != noChange {
		*ids.real = r
	}
	*ids.eff, *ids.fs = newE, newE
	return nil
}

// setFS implements setfsuid/setfsgid and returns the old id.
func setFS(c *Credentials, ids idSet, id uint32) uint32 {
	old := *ids.fs
	if id != noChange && (ids.priv || ids.allowed(id) || id == *ids.fs) {
		*ids.fs = id
	}
	return old
}

// SetResUID implements setresuid(2).
func (t *Task) SetResUID(r, e, s uint32) error {
	return t.changeUIDs(func(c *Credentials) error { return setRes(c, c.uids(), r, e, s) })
}

// SetResGID implements setresgid(2).
func (t *Task) SetResGID(r, e, s uint32) error {
	return t.changeCreds(func(c *Credentials) error { return setRes(c, c.gids(), r, e, s) })
}

// SetUID implements setuid(2).
func (t *Task) SetUID(id uint32) error {
	return t.changeUIDs(func(c *Credentials) error { return setOne(c, c.uids(), id) })
}

// SetGID implements setgid(2).
func (t *Task) SetGID(id uint32) error {
	return t.changeCreds(func(c *Credentials) error { return setOne(c, c.gids(), id) })
}

// SetReUID implements setreuid(2).
func (t *Task) SetReUID(r, e uint32) error {
	return t.changeUIDs(func(c *Credentials) error { return setRe(c, c.uids(), r, e) })
}

// SetReGID implements setregid(2).
func (t *Task) SetReGID(r, e uint32) error {
	return t.changeCreds(func(c *Credentials) error { return setRe(c, c.gids(), r, e) })
}

// SetFSUID implements setfsuid(2); it returns the old fsuid.
func (t *Task) SetFSUID(id uint32) uint32 {
	var old uint32
	prev := t.Creds
	t.changeCreds(func(c *Credentials) error {
		old = setFS(c, c.uids(), id)
		c.fixSetfsuid(prev)
		return nil
	})
	return old
}

// SetFSGID implements setfsgid(2); it returns the old fsgid.
func (t *Task) SetFSGID(id uint32) uint32 {
	var old uint32
	t.changeCreds(func(c *Credentials) error { old = setFS(c, c.gids(), id); return nil })
	return old
}

// SetGroups implements setgroups(2) (CAP_SETGID only).
func (t *Task) SetGroups(groups []uint32) error {
	return t.changeCreds(func(c *Credentials) error {
		if !c.HasCap(unix.CAP_SETGID) {
			return errPerm
		}
		c.Groups = groups
		return nil
	})
}

var errPerm = errnoPerm()
