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
