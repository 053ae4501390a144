package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The freezer cgroup of a sandbox: every host process of the sandbox
// (the sentry and the ptrace stubs running application code) joins it, and
// pause/resume freeze and thaw it, as runc does for a container.

const cgroupRoot = "/sys/fs/cgroup"

func cgroupV2() bool {
	_, err := os.Stat(filepath.Join(cgroupRoot, "cgroup.controllers"))
	return err == nil
}

// CgroupDir returns the freezer cgroup directory for container id, or ""
// when the host has no freezer.
func CgroupDir(id string) string {
	if cgroupV2() {
		return filepath.Join(cgroupRoot, "runsc", id)
	}
	if st, err := os.Stat(filepath.Join(cgroupRoot, "freezer")); err == nil && st.IsDir() {
		return filepath.Join(cgroupRoot, "freezer", "runsc", id)
	}
	return ""
}

// CreateCgroup makes the directory (best effort: "" when it cannot be
// made, and pause will then say so).
func CreateCgroup(id string) string {
	dir := CgroupDir(id)
	if dir == "" {
		return ""
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ""
	}
	return dir
}

// JoinCgroup moves the calling process into dir.
func JoinCgroup(dir string) error {
	return os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(os.Getpid())), 0)
}

// RemoveCgroup removes dir once its processes are gone (it waits a little
// for them to leave).
func RemoveCgroup(dir string) error {
	if dir == "" {
		return nil
	}
	var err error
	for i := 0; i < 200; i++ {
		if err = os.Remove(dir); err == nil || errors.Is(err, os.ErrNotExist) {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return err
}

// Freeze freezes (or thaws) every process of the cgroup dir and waits
// until it took effect.
func Freeze(dir string, freeze bool) error {
	if dir == "" {
		return errors.New("pause and resume need a freezer cgroup, and this host has none")
	}
	if cgroupV2() {
		v := "0"
		if freeze {
			v = "1"
		}
		if err := os.WriteFile(filepath.Join(dir, "cgroup.freeze"), []byte(v), 0); err != nil {
			return err
		}
		want := "frozen " + v
		for i := 0; i < 1000; i++ {
			b, err := os.ReadFile(filepath.Join(dir, "cgroup.events"))
			if err != nil {
				return err
			}
			for _, l := range strings.Split(string(b), "\n") {
				if l == want {
					return nil
				}
			}
			time.Sleep(time.Millisecond)
		}
		return fmt.Errorf("the cgroup %s did not reach %q", dir, want)
	}
	want := "THAWED"
	if freeze {
		want = "FROZEN"
	}
	for i := 0; i < 1000; i++ {
		if err := os.WriteFile(filepath.Join(dir, "freezer.state"), []byte(want), 0); err != nil {
			return err
		}
		b, err := os.ReadFile(filepath.Join(dir, "freezer.state"))
		if err != nil {
			return err
		}
		if string(bytes.TrimSpace(b)) == want {
			return nil
		}
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("the cgroup %s did not reach %s", dir, want)
}
