package kernel

import "testing"

func TestSetIDRules(t *testing.T) {
	task := &Task{Creds: NewCredentials(0, 0, nil)}
	if err := task.SetReUID(1000, 1001); err != nil {
		t.Fatal(err)
	}
	c := task.Creds
	if c.RealUID != 1000 || c.EffectiveUID != 1001 || c.SavedUID != 1001 || c.FSUID != 1001 {
		t.Fatalf("after setreuid(1000, 1001): %+v", *c)
	}
	// Unprivileged now: only real/effective/saved ids are allowed.
	if err := task.SetResUID(noChange, 1000, noChange); err != nil {
		t.Fatalf("switch to the real uid: %v", err)
	}
	if err := task.SetUID(0); err != errPerm {
		t.Fatalf("setuid(0) unprivileged: %v, want EPERM", err)
	}
	if old := task.SetFSUID(5); old != 1000 || task.Creds.FSUID != 1000 {
		t.Fatalf("setfsuid(5) unprivileged: old %d fsuid %d", old, task.Creds.FSUID)
	}
	g := &Task{Creds: NewCredentials(0, 0, nil)}
	if err := g.SetGID(7); err != nil || g.Creds.RealGID != 7 || g.Creds.SavedGID != 7 || g.Creds.FSGID != 7 {
		t.Fatalf("setgid(7) privileged: %v %+v", err, *g.Creds)
	}
}
