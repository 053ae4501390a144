package kernel

// Credentials are a task's user and group identities. They are immutable
// once shared: changing them replaces the pointer.
type Credentials struct {
	RealUID, EffectiveUID, SavedUID, FSUID uint32
	RealGID, EffectiveGID, SavedGID, FSGID uint32
	Groups                                 []uint32
}

// NewCredentials returns credentials with every id set to uid/gid.
func NewCredentials(uid, gid uint32, groups []uint32) *Credentials {
	return &Credentials{
		RealUID: uid, EffectiveUID: uid, SavedUID: uid, FSUID: uid,
		RealGID: gid, EffectiveGID: gid, SavedGID: gid, FSGID: gid,
		Groups: groups,
	}
}

// The set*id rules (credentials(7)): a privileged process (effective uid 0)
// may set any id; others may only switch among their real, effective and
// saved ids. -1 (as uint32) leaves an id unchanged. Changes replace the
// task's Credentials pointer (they are shared, immutable).

const noChange = ^uint32(0)

func (c *Credentials) privileged() bool { return c.EffectiveUID == 0 }

func allowedID(c *Credentials, id, r, e, s uint32) bool {
	return c.privileged() || id == r || id == e || id == s
}

// SetResUID implements setresuid(2).
func (t *Task) SetResUID(r, e, s uint32) error {
	c := *t.Creds
	for _, id := range []uint32{r, e, s} {
		if id != noChange && !allowedID(&c, id, c.RealUID, c.EffectiveUID, c.SavedUID) {
			return errPerm
		}
	}
	if r != noChange {
		c.RealUID = r
	}
	if e != noChange {
		c.EffectiveUID = e
	}
	if s != noChange {
		c.SavedUID = s
	}
	c.FSUID = c.EffectiveUID
	t.Creds = &c
	return nil
}

// SetResGID implements setresgid(2).
func (t *Task) SetResGID(r, e, s uint32) error {
	c := *t.Creds
	for _, id := range []uint32{r, e, s} {
		if id != noChange && !allowedID(&c, id, c.RealGID, c.EffectiveGID, c.SavedGID) {
			return errPerm
		}
	}
	if r != noChange {
		c.RealGID = r
	}
	if e != noChange {
		c.EffectiveGID = e
	}
	if s != noChange {
		c.SavedGID = s
	}
	c.FSGID = c.EffectiveGID
	t.Creds = &c
	return nil
}

// SetUID implements setuid(2): privileged, it sets all three ids.
func (t *Task) SetUID(id uint32) error {
	if t.Creds.privileged() {
		return t.SetResUID(id, id, id)
	}
	if id != t.Creds.RealUID && id != t.Creds.SavedUID {
		return errPerm
	}
	return t.SetResUID(noChange, id, noChange)
}

// SetGID implements setgid(2).
func (t *Task) SetGID(id uint32) error {
	if t.Creds.privileged() {
		return t.SetResGID(id, id, id)
	}
	if id != t.Creds.RealGID && id != t.Creds.SavedGID {
		return errPerm
	}
	return t.SetResGID(noChange, id, noChange)
}

// SetReUID implements setreuid(2): the saved id follows the effective one
// when the real id is set or the effective one changes away from it.
func (t *Task) SetReUID(r, e uint32) error {
	c := t.Creds
	if r != noChange && !c.privileged() && r != c.RealUID && r != c.EffectiveUID {
		return errPerm
	}
	if e != noChange && !allowedID(c, e, c.RealUID, c.EffectiveUID, c.SavedUID) {
		return errPerm
	}
	s := uint32(noChange)
	newE := c.EffectiveUID
	if e != noChange {
		newE = e
	}
	if r != noChange || (e != noChange && e != c.RealUID) {
		s = newE
	}
	c2 := *c
	if r != noChange {
		c2.RealUID = r
	}
	c2.EffectiveUID, c2.FSUID = newE, newE
	if s != noChange {
		c2.SavedUID = s
	}
	t.Creds = &c2
	return nil
}

// SetReGID implements setregid(2).
func (t *Task) SetReGID(r, e uint32) error {
	c := t.Creds
	if r != noChange && !c.privileged() && r != c.RealGID && r != c.EffectiveGID {
		return errPerm
	}
	if e != noChange && !allowedID(c, e, c.RealGID, c.EffectiveGID, c.SavedGID) {
		return errPerm
	}
	s := uint32(noChange)
	newE := c.EffectiveGID
	if e != noChange {
		newE = e
	}
	if r != noChange || (e != noChange && e != c.RealGID) {
		s = newE
	}
	c2 := *c
	if r != noChange {
		c2.RealGID = r
	}
	c2.EffectiveGID, c2.FSGID = newE, newE
	if s != noChange {
		c2.SavedGID = s
	}
	t.Creds = &c2
	return nil
}

// SetFSUID implements setfsuid(2); it returns the old fsuid.
func (t *Task) SetFSUID(id uint32) uint32 {
	c := t.Creds
	old := c.FSUID
	if id != noChange && (c.privileged() || id == c.RealUID || id == c.EffectiveUID || id == c.SavedUID || id == c.FSUID) {
		c2 := *c
		c2.FSUID = id
		t.Creds = &c2
	}
	return old
}

// SetFSGID implements setfsgid(2); it returns the old fsgid.
func (t *Task) SetFSGID(id uint32) uint32 {
	c := t.Creds
	old := c.FSGID
	if id != noChange && (c.privileged() || id == c.RealGID || id == c.EffectiveGID || id == c.SavedGID || id == c.FSGID) {
		c2 := *c
		c2.FSGID = id
		t.Creds = &c2
	}
	return old
}

// SetGroups implements setgroups(2) (privileged only).
func (t *Task) SetGroups(groups []uint32) error {
	if !t.Creds.privileged() {
		return errPerm
	}
	c := *t.Creds
	c.Groups = groups
	t.Creds = &c
	return nil
}

var errPerm = errnoPerm()
