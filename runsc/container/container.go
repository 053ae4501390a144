// Package container keeps the state of runsc's containers between CLI
// calls: one directory per container under --root holding state.json, a
// lock file (flock) that serializes the CLI calls on the container, and the
// sandbox's control socket. The CLI keeps nothing in memory between calls:
// the state directory and the sandbox process are the truth.
package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Statuses, as the OCI runtime spec names them.
const (
	Creating = "creating"
	Created  = "created"
	Running  = "running"
	Paused   = "paused"
	Stopped  = "stopped"
)

// Errors the CLI reports as runc does.
var (
	ErrNotExist = errors.New("container does not exist")
	ErrExist    = errors.New("container with given ID already exists")
)

const (
	stateFile = "state.json"
	lockFile  = "lock"
)

// State is what state.json holds.
type State struct {
	ID      string    `json:"id"`
	Bundle  string    `json:"bundle"`
	Rootfs  string    `json:"rootfs"`
	Created time.Time `json:"created"`
	// Status is the status the CLI last set: created, running or paused.
	// The sandbox process's death makes it stopped (Container.Status).
	Status string `json:"status"`
	// Pid is the sandbox process's host pid and PidStart its start time
	// (/proc/PID/stat field 22), which tells a reused pid apart.
	Pid      int    `json:"pid"`
	PidStart uint64 `json:"pidStart"`
	// InitPid is the container init's pid inside the sandbox.
	InitPid     int32             `json:"initPid,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// Hooks are the spec's hooks, kept for start and delete.
	Hooks *specs.Hooks `json:"hooks,omitempty"`
	// Cgroup is the host cgroup path (in each hierarchy, see runsc/cgroup)
	// the sandbox's processes run in, if any.
	Cgroup string `json:"cgroup,omitempty"`
	// Pod is set for a later container of a pod, which runs in the pod
	// sandbox's sentry (pod.go).
	Pod *PodState `json:"pod,omitempty"`
}

// Container is one container whose lock the caller holds.
type Container struct {
	// Dir is the state directory.
	Dir   string
	State State
	lock  *os.File
}

var idRE = regexp.MustCompile(`^[\w+\-.]+$`)

// ValidateID checks a container id as runc does.
func ValidateID(id string) error {
	if id == "" {
		return errors.New("container id cannot be empty")
	}
	if !idRE.MatchString(id) || id == "." || id == ".." {
		return fmt.Errorf("invalid container id format: %s", id)
	}
	return nil
}

// Create makes the state directory of a new container and locks it.
func Create(root, id string) (*Container, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(root, 0o711); err != nil {
		return nil, fmt.Errorf("creating the state root %s: %v", root, err)
	}
	dir := filepath.Join(root, id)
	if err := os.Mkdir(dir, 0o711); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, ErrExist
		}
		return nil, err
	}
	c := &Container{Dir: dir}
	if err := c.doLock(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

// Load locks the container id and reads its state.
func Load(root, id string) (*Container, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	c := &Container{Dir: filepath.Join(root, id)}
	if err := c.doLock(); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, ErrNotExist
		}
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(c.Dir, stateFile))
	if err != nil {
		c.Unlock()
		if errors.Is(err, os.ErrNotExist) {
			return nil, ErrNotExist
		}
		return nil, err
	}
	if err := json.Unmarshal(b, &c.State); err != nil {
		c.Unlock()
		return nil, fmt.Errorf("reading the state of %s: %v", id, err)
	}
	return c, nil
}

func (c *Container) doLock() error {
	f, err := os.OpenFile(filepath.Join(c.Dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return fmt.Errorf("locking %s: %v", c.Dir, err)
	}
	c.lock = f
	return nil
}

// Unlock releases the container's lock.
func (c *Container) Unlock() {
	if c.lock != nil {
		c.lock.Close()
		c.lock = nil
	}
}

// Save writes state.json atomically.
func (c *Container) Save() error {
	b, err := json.Marshal(&c.State)
	if err != nil {
		return err
	}
	tmp := filepath.Join(c.Dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(c.Dir, stateFile))
}

// Destroy removes the state directory (and releases the lock).
func (c *Container) Destroy() error {
	err := os.RemoveAll(c.Dir)
	c.Unlock()
	return err
}

// Status returns the container's status: the saved one while the sandbox
// process lives, stopped once it is gone.
func (c *Container) Status() string {
	if c.State.Pod != nil {
		return c.podStatus()
	}
	if c.State.Status == Stopped || !c.SandboxAlive() {
		return Stopped
	}
	return c.State.Status
}

// SandboxAlive reports whether the sandbox process still runs.
func (c *Container) SandboxAlive() bool {
	return ProcessAlive(c.State.Pid, c.State.PidStart)
}

// ProcessAlive reports whether pid runs (not a zombie) and, if start is not
// 0, started at start.
func ProcessAlive(pid int, start uint64) bool {
	if pid <= 0 {
		return false
	}
	st, state, err := ProcStart(pid)
	if err != nil || state == "Z" || state == "X" {
		return false
	}
	return start == 0 || st == start
}

// ProcStart returns a process's start time (clock ticks after boot) and
// state letter, from /proc/PID/stat.
func ProcStart(pid int) (uint64, string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, "", err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, "", errors.New("malformed stat")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return 0, "", errors.New("malformed stat")
	}
	st, err := strconv.ParseUint(f[19], 10, 64)
	return st, f[0], err
}

// OCIState is the state `runsc state` prints: runc's fields.
type OCIState struct {
	Version     string            `json:"ociVersion"`
	ID          string            `json:"id"`
	Pid         int               `json:"pid"`
	Status      string            `json:"status"`
	Bundle      string            `json:"bundle"`
	Rootfs      string            `json:"rootfs"`
	Created     time.Time         `json:"created"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Owner       string            `json:"owner"`
}

// OCIState returns the container's state as `runsc state` shows it.
func (c *Container) OCIState() OCIState {
	st := c.Status()
	pid := c.State.Pid
	if st == Stopped {
		pid = 0
	}
	return OCIState{
		Version: specs.Version, ID: c.State.ID, Pid: pid, Status: st, Bundle: c.State.Bundle,
		Rootfs: c.State.Rootfs, Created: c.State.Created, Annotations: c.State.Annotations,
	}
}

// HookState is the state a hook reads on its stdin (the OCI state).
func (c *Container) HookState(status string) []byte {
	pid := c.State.Pid
	if status == Stopped {
		pid = 0
	}
	b, _ := json.Marshal(specs.State{
		Version: specs.Version, ID: c.State.ID, Status: specs.ContainerState(status),
		Pid: pid, Bundle: c.State.Bundle, Annotations: c.State.Annotations,
	})
	return b
}

// Owner returns the name of the user owning the state directory.
func (c *Container) Owner() string {
	st, err := os.Stat(c.Dir)
	if err != nil {
		return ""
	}
	uid := st.Sys().(*syscall.Stat_t).Uid
	if u, err := user.LookupId(strconv.Itoa(int(uid))); err == nil {
		return u.Username
	}
	return "#" + strconv.Itoa(int(uid))
}

// List returns the ids of the containers under root, sorted.
func List(root string) ([]string, error) {
	ents, err := os.ReadDir(root)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var ids []string
	for _, e := range ents {
		if e.IsDir() {
			if _, err := os.Stat(filepath.Join(root, e.Name(), stateFile)); err == nil {
				ids = append(ids, e.Name())
			}
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// WaitGone waits up to timeout for the sandbox process to end.
func (c *Container) WaitGone(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if !c.SandboxAlive() {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return !c.SandboxAlive()
}
