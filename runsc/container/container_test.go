package container

import (
	"os"
	"testing"
	"time"
)

func TestCreateLoadDestroy(t *testing.T) {
	root := t.TempDir()
	c, err := Create(root, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Create(root, "c1"); err != ErrExist {
		t.Errorf("second create: %v; want ErrExist", err)
	}
	c.State = State{ID: "c1", Status: Running, Pid: os.Getpid(), Created: time.Now()}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	c.Unlock()
	c, err = Load(root, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Status(); got != Running {
		t.Errorf("status with a live process: %s", got)
	}
	c.State.PidStart = 1 // another process's start time: the pid was reused
	if got := c.Status(); got != Stopped {
		t.Errorf("status with a reused pid: %s", got)
	}
	if ids, _ := List(root); len(ids) != 1 || ids[0] != "c1" {
		t.Errorf("list: %v", ids)
	}
	if err := c.Destroy(); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(root, "c1"); err != ErrNotExist {
		t.Errorf("load after destroy: %v; want ErrNotExist", err)
	}
	for _, bad := range []string{"", "a/b", "..", "a b"} {
		if _, err := Create(root, bad); err == nil {
			t.Errorf("create %q succeeded", bad)
		}
	}
}

func TestLockSerializes(t *testing.T) {
	root := t.TempDir()
	c, err := Create(root, "c1")
	if err != nil {
		t.Fatal(err)
	}
	c.State = State{ID: "c1", Status: Created}
	c.Save()
	got := make(chan struct{})
	go func() {
		c2, err := Load(root, "c1")
		if err == nil {
			c2.Unlock()
		}
		close(got)
	}()
	select {
	case <-got:
		t.Fatal("Load did not wait for the lock")
	case <-time.After(100 * time.Millisecond):
	}
	c.Unlock()
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("Load did not get the lock")
	}
}
