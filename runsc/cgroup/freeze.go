package cgroup

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Freeze freezes (or thaws) every process of the cgroup and waits until it
// took effect: `runsc pause` and `runsc resume`, as runc's.
func (cg *Cgroup) Freeze(freeze bool) error {
	if cg.V2 {
		d := cg.Dir("")
		v := "0"
		if freeze {
			v = "1"
		}
		if err := writeString(d, "cgroup.freeze", v); err != nil {
			return fmt.Errorf("freezing the cgroup %s: %v", d, err)
		}
		want := "frozen " + v
		for i := 0; i < 2000; i++ {
			s, err := readString(d, "cgroup.events")
			if err != nil {
				return err
			}
			for _, l := range strings.Split(s, "\n") {
				if l == want {
					return nil
				}
			}
			time.Sleep(time.Millisecond)
		}
		return fmt.Errorf("the cgroup %s did not reach %q", d, want)
	}
	d := cg.Dir("freezer")
	if d == "" {
		return errors.New("pause and resume need the freezer cgroup, and this host has none mounted")
	}
	want := "THAWED"
	if freeze {
		want = "FROZEN"
	}
	for i := 0; i < 2000; i++ {
		if err := writeString(d, "freezer.state", want); err != nil {
			return fmt.Errorf("writing %s to %s/freezer.state: %v", want, d, err)
		}
		s, err := readString(d, "freezer.state")
		if err != nil {
			return err
		}
		if s == want {
			return nil
		}
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("the cgroup %s did not reach %s", d, want)
}
