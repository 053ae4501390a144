// Package cgroup puts a sandbox's host processes (the sentry, its ptrace
// stubs and the gofer) into host cgroups, as runc puts a container's: one
// cgroup path (the spec's linux.cgroupsPath, e.g. /docker/<id>) created in
// every cgroup v1 hierarchy (or once in the v2 unified tree), with the
// spec's linux.resources written to it (resources.go). Pause and resume
// use its freezer (freeze.go), `runsc events` its counters (stats.go).
//
// The sentry's application tasks are not host processes: what the host
// cgroup sees and limits is the sandbox as a whole (its memory file, the
// CPU time of its stubs and threads, its host tasks).
package cgroup

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Cgroup is one cgroup path in the host's hierarchies.
type Cgroup struct {
	// Path is the cgroup's path inside each hierarchy, absolute.
	Path string
	// V2 is set when the host has the unified (cgroup v2) hierarchy only.
	V2 bool
	// dirs maps a v1 controller to its directory (for v2 the only key
	// is "").
	dirs map[string]string
}

// controllers are the v1 controllers a sandbox's cgroup is made in, as
// runc makes a container's (each that the host has mounted).
var controllers = []string{"memory", "cpu", "cpuacct", "cpuset", "pids", "freezer", "devices", "blkio"}

// mounts are the host's cgroup mount points: v1 controller → mount point,
// and the unified mount (with controllers) if the host is cgroup v2 only.
type mounts struct {
	v1      map[string]string
	unified string
}

// readMounts reads /proc/self/mountinfo.
func readMounts() (mounts, error) {
	m := mounts{v1: map[string]string{}}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return m, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root mountpoint opts... - fstype source superopts
		fields := strings.Fields(sc.Text())
		sep := -1
		for i, f := range fields {
			if f == "-" {
				sep = i
				break
			}
		}
		if sep < 0 || len(fields) < sep+4 {
			continue
		}
		mnt, fstype := unescape(fields[4]), fields[sep+1]
		switch fstype {
		case "cgroup":
			for _, o := range strings.Split(fields[sep+3], ",") {
				for _, c := range controllers {
					if o == c {
						if _, dup := m.v1[c]; !dup {
							m.v1[c] = mnt
						}
					}
				}
			}
		case "cgroup2":
			if b, err := os.ReadFile(filepath.Join(mnt, "cgroup.controllers")); err == nil && len(strings.TrimSpace(string(b))) > 0 && m.unified == "" {
				m.unified = mnt
			}
		}
	}
	return m, sc.Err()
}

// unescape undoes mountinfo's octal escapes (\040 for a space).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ErrNoCgroups is returned when the host has no cgroup hierarchy mounted.
var ErrNoCgroups = errors.New("this host has no cgroup hierarchy mounted at /sys/fs/cgroup")

// Load returns the Cgroup of path (made by Create before) in the host's
// hierarchies. path is absolute (see Path).
func Load(path string) (*Cgroup, error) {
	m, err := readMounts()
	if err != nil {
		return nil, fmt.Errorf("reading the cgroup mounts: %v", err)
	}
	cg := &Cgroup{Path: path, dirs: map[string]string{}}
	if len(m.v1) == 0 {
		if m.unified == "" {
			return nil, ErrNoCgroups
		}
		cg.V2 = true
		cg.dirs[""] = filepath.Join(m.unified, path)
		return cg, nil
	}
	for c, mnt := range m.v1 {
		cg.dirs[c] = filepath.Join(mnt, path)
	}
	return cg, nil
}

// Dir returns the directory of controller ("" on v2 gives the cgroup's
// directory), or "" when the host does not have that controller.
func (cg *Cgroup) Dir(controller string) string {
	if cg.V2 {
		return cg.dirs[""]
	}
	return cg.dirs[controller]
}

// Dirs returns every directory of the cgroup, sorted.
func (cg *Cgroup) Dirs() []string {
	seen := map[string]bool{}
	var out []string
	for _, d := range cg.dirs {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}

// Create makes the cgroup in every hierarchy (the missing parents too;
// in v1's cpuset, each new level gets its parent's cpus and mems, which
// the kernel leaves empty). On error it removes what it made. An existing
// cgroup directory is an error unless it is empty of processes (runc
// reuses one in that case too).
func Create(path string) (*Cgroup, error) {
	cg, err := Load(path)
	if err != nil {
		return nil, err
	}
	if cg.V2 {
		err = cg.createV2()
	} else {
		for _, c := range controllers {
			dir := cg.dirs[c]
			if dir == "" {
				continue
			}
			if err = mkdirLevels(dir, c == "cpuset"); err != nil {
				err = fmt.Errorf("creating the %s cgroup %s: %v", c, dir, err)
				break
			}
		}
	}
	if err != nil {
		cg.Destroy()
		return nil, err
	}
	return cg, nil
}

// mkdirLevels makes dir and its missing parents; with cpuset, each new
// level inherits cpuset.cpus and cpuset.mems from its parent.
func mkdirLevels(dir string, cpuset bool) error {
	parent := filepath.Dir(dir)
	if _, err := os.Stat(dir); err != nil {
		if parent != dir {
			if err := mkdirLevels(parent, cpuset); err != nil {
				return err
			}
		}
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
	}
	// An existing level too: another runsc may have just made it and not
	// yet filled it in.
	if cpuset {
		for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
			cur, err := readString(dir, f)
			if err != nil || cur != "" {
				continue
			}
			v, err := readString(parent, f)
			if err != nil {
				return err
			}
			if err := writeString(dir, f, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// createV2 makes the v2 cgroup, enabling the controllers it uses in every
// ancestor's cgroup.subtree_control.
func (cg *Cgroup) createV2() error {
	dir := cg.dirs[""]
	m, _ := readMounts()
	rel := strings.TrimPrefix(dir, m.unified)
	cur := m.unified
	for _, c := range strings.Split(strings.Trim(rel, "/"), "/") {
		avail, _ := readString(cur, "cgroup.controllers")
		var enable []string
		for _, want := range []string{"cpu", "cpuset", "memory", "pids"} {
			for _, a := range strings.Fields(avail) {
				if a == want {
					enable = append(enable, "+"+want)
				}
			}
		}
		if len(enable) > 0 {
			// Best effort: a parent with processes of its own cannot
			// delegate (the "no internal processes" rule).
			writeString(cur, "cgroup.subtree_control", strings.Join(enable, " "))
		}
		cur = filepath.Join(cur, c)
		if err := os.Mkdir(cur, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("creating the cgroup %s: %v", cur, err)
		}
	}
	return nil
}

// Join moves process pid (all its threads) into the cgroup, in every
// hierarchy. Children it creates afterwards are born inside.
func (cg *Cgroup) Join(pid int) error {
	for _, d := range cg.Dirs() {
		if err := writeString(d, "cgroup.procs", strconv.Itoa(pid)); err != nil {
			return fmt.Errorf("joining the cgroup %s: %v", d, err)
		}
	}
	return nil
}

// Procs returns the host processes in the cgroup (all hierarchies).
func (cg *Cgroup) Procs() ([]int, error) {
	seen := map[int]bool{}
	var out []int
	for _, d := range cg.Dirs() {
		b, err := os.ReadFile(filepath.Join(d, "cgroup.procs"))
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, err
		}
		for _, l := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(l); err == nil && !seen[pid] {
				seen[pid] = true
				out = append(out, pid)
			}
		}
	}
	sort.Ints(out)
	return out, nil
}

// Destroy kills the processes left in the cgroup (thawing it first) and
// removes its directories (not the parents, which other cgroups share, as
// runc leaves /docker). It waits up to a few seconds for the processes to
// go; a directory that cannot be removed is reported.
func (cg *Cgroup) Destroy() error {
	if d := cg.Dir("freezer"); d != "" {
		if _, err := os.Stat(d); err == nil {
			cg.Freeze(false)
		}
	}
	var errs []error
	deadline := time.Now().Add(5 * time.Second)
	for _, d := range cg.Dirs() {
		for {
			err := os.Remove(d)
			if err == nil || errors.Is(err, os.ErrNotExist) {
				break
			}
			if !errors.Is(err, unix.EBUSY) || time.Now().After(deadline) {
				errs = append(errs, fmt.Errorf("removing the cgroup %s: %v", d, err))
				break
			}
			pids, _ := cg.Procs()
			for _, pid := range pids {
				unix.Kill(pid, unix.SIGKILL)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return errors.Join(errs...)
}

// Exists reports whether any of the cgroup's directories exists.
func (cg *Cgroup) Exists() bool {
	for _, d := range cg.Dirs() {
		if _, err := os.Stat(d); err == nil {
			return true
		}
	}
	return false
}

func readString(dir, file string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, file))
	return strings.TrimSpace(string(b)), err
}

func readUint(dir, file string) (uint64, error) {
	s, err := readString(dir, file)
	if err != nil {
		return 0, err
	}
	if s == "max" {
		return ^uint64(0), nil
	}
	return strconv.ParseUint(s, 10, 64)
}

func writeString(dir, file, v string) error {
	return os.WriteFile(filepath.Join(dir, file), []byte(v), 0)
}
