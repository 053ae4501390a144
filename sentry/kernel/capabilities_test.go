package kernel

import (
	"testing"

	"golang.org/x/sys/unix"
)

func bit(c int) CapSet { return CapSetOf(c) }

// TestCapsetRules: capset's EPERM rules (capabilities(7), capset(2)).
func TestCapsetRules(t *testing.T) {
	task := &Task{Creds: NewCredentials(0, 0, nil)}
	all := AllCaps
	if err := task.Capset(all&^bit(unix.CAP_CHOWN), all, 0); err != nil {
		t.Fatalf("dropping an effective cap: %v", err)
	}
	if err := task.Capset(all, all&^bit(unix.CAP_CHOWN), 0); err != errPerm {
		t.Fatalf("effective beyond permitted: %v, want EPERM", err)
	}
	if err := task.Capset(all&^bit(unix.CAP_CHOWN), all&^bit(unix.CAP_CHOWN), 0); err != nil {
		t.Fatal(err)
	}
	if err := task.Capset(0, all, 0); err != errPerm {
		t.Fatalf("regaining a permitted cap: %v, want EPERM", err)
	}
	perm := all &^ bit(unix.CAP_CHOWN)
	if err := task.Capset(perm&^bit(unix.CAP_SETPCAP), perm, 0); err != nil {
		t.Fatal(err)
	}
	if err := task.Capset(perm&^bit(unix.CAP_SETPCAP), perm, bit(unix.CAP_CHOWN)); err != errPerm {
		t.Fatalf("inheritable neither permitted nor inheritable without CAP_SETPCAP: %v, want EPERM", err)
	}
	if err := task.Capset(perm&^bit(unix.CAP_SETPCAP), perm, bit(unix.CAP_KILL)); err != nil {
		t.Fatalf("inheritable from permitted: %v", err)
	}
}

// TestSetuidCapRules: "Effect of user ID changes on capabilities".
func TestSetuidCapRules(t *testing.T) {
	task := &Task{Creds: NewCredentials(0, 0, nil)}
	if err := task.SetResUID(noChange, 1000, noChange); err != nil {
		t.Fatal(err)
	}
	if c := task.Creds; c.Effective != 0 || c.Permitted != AllCaps {
		t.Fatalf("euid 0 -> 1000: eff %x perm %x, want 0 and all", c.Effective, c.Permitted)
	}
	if task.Creds.VFSCreds().HasCap(unix.CAP_DAC_OVERRIDE) {
		t.Fatal("the VFS still sees CAP_DAC_OVERRIDE")
	}
	if err := task.SetResUID(noChange, 0, noChange); err != nil {
		t.Fatal(err)
	}
	if c := task.Creds; c.Effective != AllCaps {
		t.Fatalf("euid back to 0: eff %x, want all", c.Effective)
	}
	// fsuid: only the filesystem caps follow it.
	task.SetFSUID(1000)
	if c := task.Creds; c.Effective.Has(unix.CAP_CHOWN) || !c.Effective.Has(unix.CAP_KILL) {
		t.Fatalf("fsuid 1000: eff %x", c.Effective)
	}
	if task.Creds.VFSCreds().UID != 1000 {
		t.Fatalf("VFS uid %d, want the fsuid 1000", task.Creds.VFSCreds().UID)
	}
	task.SetFSUID(0)
	if task.Creds.Effective != AllCaps {
		t.Fatalf("fsuid back to 0: eff %x", task.Creds.Effective)
	}
	// keepcaps keeps permitted (not effective, not ambient).
	if err := task.Capset(AllCaps, AllCaps, bit(unix.CAP_NET_RAW)); err != nil {
		t.Fatal(err)
	}
	if err := task.RaiseAmbientCap(unix.CAP_NET_RAW); err != nil {
		t.Fatal(err)
	}
	if err := task.SetKeepCaps(true); err != nil {
		t.Fatal(err)
	}
	if err := task.SetResUID(1000, 1000, 1000); err != nil {
		t.Fatal(err)
	}
	if c := task.Creds; c.Effective != 0 || c.Permitted != AllCaps || c.Ambient != 0 {
		t.Fatalf("keepcaps, all uids 1000: eff %x perm %x amb %x", c.Effective, c.Permitted, c.Ambient)
	}
	if err := task.SetUID(0); err != errPerm {
		t.Fatalf("setuid(0) without CAP_SETUID: %v", err)
	}
	// Without keepcaps everything goes.
	task2 := &Task{Creds: NewCredentials(0, 0, nil)}
	if err := task2.SetUID(1000); err != nil {
		t.Fatal(err)
	}
	if c := task2.Creds; c.Effective != 0 || c.Permitted != 0 {
		t.Fatalf("setuid(1000): eff %x perm %x", c.Effective, c.Permitted)
	}
}

// TestExecCreds: execve's capability transformation without file caps.
func TestExecCreds(t *testing.T) {
	reg := &unix.Stat_t{Mode: unix.S_IFREG | 0o755}
	root := NewCredentials(0, 0, nil)
	root.SetCaps(CapSets{Bounding: bit(unix.CAP_KILL) | bit(unix.CAP_CHOWN), Permitted: bit(unix.CAP_KILL)})
	c, secure, _ := execCreds(root, reg, false, false)
	if want := bit(unix.CAP_KILL) | bit(unix.CAP_CHOWN); c.Permitted != want || c.Effective != want || secure {
		t.Fatalf("root exec: perm %x eff %x secure %v, want %x", c.Permitted, c.Effective, secure, want)
	}
	c, _, _ = execCreds(root, reg, false, true)
	if c.Permitted != bit(unix.CAP_KILL) {
		t.Fatalf("root exec with no_new_privs: perm %x, want only the old permitted", c.Permitted)
	}
	user := NewCredentials(1000, 1000, nil)
	user.SetCaps(CapSets{Bounding: AllCaps, Permitted: bit(unix.CAP_NET_RAW), Inheritable: bit(unix.CAP_NET_RAW), Ambient: bit(unix.CAP_NET_RAW)})
	c, secure, _ = execCreds(user, reg, false, false)
	if c.Permitted != bit(unix.CAP_NET_RAW) || c.Effective != bit(unix.CAP_NET_RAW) || secure {
		t.Fatalf("user exec with ambient: perm %x eff %x secure %v", c.Permitted, c.Effective, secure)
	}
	// A setuid-root program: full (bounded) caps, ambient cleared, secure.
	suid := &unix.Stat_t{Mode: unix.S_IFREG | unix.S_ISUID | 0o755, Uid: 0}
	c, secure, gained := execCreds(user, suid, false, false)
	if c.EffectiveUID != 0 || c.SavedUID != 0 || c.RealUID != 1000 || c.Permitted != AllCaps || c.Effective != AllCaps || c.Ambient != 0 || !secure || !gained {
		t.Fatalf("setuid-root exec: %+v secure %v gained %v", *c, secure, gained)
	}
	for _, tc := range []struct {
		name        string
		nosuid, nnp bool
	}{{"nosuid", true, false}, {"no_new_privs", false, true}} {
		c, _, _ = execCreds(user, suid, tc.nosuid, tc.nnp)
		if c.EffectiveUID != 1000 || c.Permitted != bit(unix.CAP_NET_RAW) {
			t.Fatalf("setuid-root exec with %s: euid %d perm %x", tc.name, c.EffectiveUID, c.Permitted)
		}
	}
	keep := NewCredentials(0, 0, nil)
	keep.SecureBits = SecKeepCaps
	if c, _, _ = execCreds(keep, reg, false, false); c.SecureBits != 0 {
		t.Fatalf("exec kept SECBIT_KEEP_CAPS")
	}
}
