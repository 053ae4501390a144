// Package specutil reads an OCI bundle's config.json
// (github.com/opencontainers/runtime-spec) and turns its parts into what
// the sandbox needs: the process to run, the root, the mounts.
package specutil

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// ConfigName is the bundle's configuration file.
const ConfigName = "config.json"

// Load reads and checks bundle/config.json, and adds HOME to the process's
// environment when it has none, from the root filesystem's /etc/passwd, as
// runc does (AddHome). Its errors read like runc's.
func Load(bundle string) (*specs.Spec, error) {
	s, err := LoadRaw(bundle)
	if err != nil {
		return nil, err
	}
	AddHome(s.Process, RootPath(s, bundle))
	return s, nil
}

// LoadRaw is Load without AddHome: the process's environment as written.
func LoadRaw(bundle string) (*specs.Spec, error) {
	b, err := os.ReadFile(filepath.Join(bundle, ConfigName))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("JSON specification file %s not found", ConfigName)
		}
		return nil, err
	}
	var s specs.Spec
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("parsing %s: %v", ConfigName, err)
	}
	if err := Validate(&s, bundle); err != nil {
		return nil, err
	}
	return &s, nil
}

// maxPasswd bounds how much of a container's /etc/passwd is read.
const maxPasswd = 4 << 20

// AddHome sets HOME in p's environment, if it has none, to the home
// directory of p's uid in rootfs/etc/passwd, or "/" if there is none (as
// runc does). The file is opened with every path component resolved inside
// rootfs, so a symbolic link in the container cannot make the host read
// another file.
func AddHome(p *specs.Process, rootfs string) {
	for _, e := range p.Env {
		if strings.HasPrefix(e, "HOME=") {
			return
		}
	}
	p.Env = append(p.Env, "HOME="+homeOf(rootfs, p.User.UID))
}

// homeOf is uid's home directory in rootfs/etc/passwd ("/" if unknown).
func homeOf(rootfs string, uid uint32) string {
	root, err := unix.Open(rootfs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "/"
	}
	defer unix.Close(root)
	fd, err := unix.Openat2(root, "etc/passwd", &unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NOCTTY | unix.O_NONBLOCK,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	})
	if err != nil {
		return "/"
	}
	f := os.NewFile(uintptr(fd), "passwd")
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return "/"
	}
	b := make([]byte, maxPasswd)
	n, _ := io.ReadFull(f, b)
	return homeFromPasswd(string(b[:n]), uid)
}

// homeFromPasswd finds uid's home directory in a passwd file's text.
func homeFromPasswd(passwd string, uid uint32) string {
	for _, line := range strings.Split(passwd, "\n") {
		f := strings.Split(line, ":")
		if len(f) < 6 || strings.HasPrefix(line, "#") {
			continue
		}
		if u, err := strconv.ParseUint(f[2], 10, 32); err == nil && uint32(u) == uid {
			if f[5] == "" {
				return "/"
			}
			return f[5]
		}
	}
	return "/"
}

// Validate checks the parts of s that runsc needs.
func Validate(s *specs.Spec, bundle string) error {
	if s.Process == nil {
		return errors.New("config.json has no process")
	}
	if len(s.Process.Args) == 0 {
		return errors.New("config.json: process.args must not be empty")
	}
	if s.Root == nil || s.Root.Path == "" {
		return errors.New("config.json: root.path is required")
	}
	root := RootPath(s, bundle)
	st, err := os.Stat(root)
	if err != nil {
		return fmt.Errorf("invalid rootfs: %v", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("invalid rootfs: %s is not a directory", root)
	}
	if s.Process.Cwd != "" && !filepath.IsAbs(s.Process.Cwd) {
		return fmt.Errorf("config.json: process.cwd %q must be an absolute path", s.Process.Cwd)
	}
	for _, m := range s.Mounts {
		if !filepath.IsAbs(m.Destination) {
			return fmt.Errorf("config.json: mount destination %q must be an absolute path", m.Destination)
		}
	}
	if s.Linux != nil {
		for _, ns := range s.Linux.Namespaces {
			if ns.Path != "" {
				if _, err := os.Stat(ns.Path); err != nil {
					return fmt.Errorf("%s namespace path: %v", ns.Type, err)
				}
			}
		}
	}
	return nil
}

// RootPath returns the absolute path of the container's root.
func RootPath(s *specs.Spec, bundle string) string {
	p := s.Root.Path
	if !filepath.IsAbs(p) {
		p = filepath.Join(bundle, p)
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return p
}

// Rlimit resource names (RLIMIT_*) and their numbers.
var rlimitNames = map[string]int{
	"RLIMIT_CPU": unix.RLIMIT_CPU, "RLIMIT_FSIZE": unix.RLIMIT_FSIZE, "RLIMIT_DATA": unix.RLIMIT_DATA,
	"RLIMIT_STACK": unix.RLIMIT_STACK, "RLIMIT_CORE": unix.RLIMIT_CORE, "RLIMIT_RSS": unix.RLIMIT_RSS,
	"RLIMIT_NPROC": unix.RLIMIT_NPROC, "RLIMIT_NOFILE": unix.RLIMIT_NOFILE, "RLIMIT_MEMLOCK": unix.RLIMIT_MEMLOCK,
	"RLIMIT_AS": unix.RLIMIT_AS, "RLIMIT_LOCKS": unix.RLIMIT_LOCKS, "RLIMIT_SIGPENDING": unix.RLIMIT_SIGPENDING,
	"RLIMIT_MSGQUEUE": unix.RLIMIT_MSGQUEUE, "RLIMIT_NICE": unix.RLIMIT_NICE, "RLIMIT_RTPRIO": unix.RLIMIT_RTPRIO,
	"RLIMIT_RTTIME": unix.RLIMIT_RTTIME,
}

// RlimitResource returns the number of an RLIMIT_* name.
func RlimitResource(name string) (int, error) {
	r, ok := rlimitNames[name]
	if !ok {
		return 0, fmt.Errorf("unknown rlimit %q", name)
	}
	return r, nil
}

// MountFlags splits mount options into the mount flags runsc applies and
// the remaining filesystem options (comma-separated).
func MountFlags(opts []string) (ro, nosuid, nodev, noexec, bind bool, data string) {
	var rest []string
	for _, o := range opts {
		switch o {
		case "ro":
			ro = true
		case "rw":
			ro = false
		case "nosuid":
			nosuid = true
		case "nodev":
			nodev = true
		case "noexec":
			noexec = true
		case "bind", "rbind":
			bind = true
		case "suid", "dev", "exec", "private", "rprivate", "slave", "rslave", "shared", "rshared",
			"unbindable", "runbindable", "relatime", "norelatime", "noatime", "strictatime", "nodiratime", "async", "sync", "remount":
		default:
			rest = append(rest, o)
		}
	}
	return ro, nosuid, nodev, noexec, bind, strings.Join(rest, ",")
}

// TmpfsMode returns the mode= of tmpfs options, or def.
func TmpfsMode(data string, def uint32) uint32 {
	for _, o := range strings.Split(data, ",") {
		if v, ok := strings.CutPrefix(o, "mode="); ok {
			if m, err := strconv.ParseUint(v, 8, 32); err == nil {
				return uint32(m)
			}
		}
	}
	return def
}

// TmpfsSize returns the size= of tmpfs options in bytes (k, m, g
// suffixes), or 0.
func TmpfsSize(data string) int64 {
	for _, o := range strings.Split(data, ",") {
		v, ok := strings.CutPrefix(o, "size=")
		if !ok || v == "" {
			continue
		}
		mult := int64(1)
		switch v[len(v)-1] {
		case 'k', 'K':
			mult = 1 << 10
		case 'm', 'M':
			mult = 1 << 20
		case 'g', 'G':
			mult = 1 << 30
		}
		if mult != 1 {
			v = v[:len(v)-1]
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n * mult
		}
	}
	return 0
}

// EnvValue returns the value of name in env (NAME=value entries).
func EnvValue(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], name+"="); ok {
			return v
		}
	}
	return ""
}

// Default returns the configuration `runsc spec` writes: a shell on a
// terminal, root as user, the usual Linux mounts and namespaces.
func Default(rootless bool) *specs.Spec {
	caps := []string{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}
	rl := []specs.POSIXRlimit{{Type: "RLIMIT_NOFILE", Hard: 1024, Soft: 1024}}
	s := &specs.Spec{
		Version: specs.Version,
		Process: &specs.Process{
			Terminal: true,
			User:     specs.User{UID: 0, GID: 0},
			Args:     []string{"sh"},
			Env:      []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"},
			Cwd:      "/",
			Capabilities: &specs.LinuxCapabilities{
				Bounding: caps, Effective: caps, Permitted: caps,
			},
			Rlimits:         rl,
			NoNewPrivileges: true,
		},
		Root:     &specs.Root{Path: "rootfs", Readonly: true},
		Hostname: "runsc",
		Mounts: []specs.Mount{
			{Destination: "/proc", Type: "proc", Source: "proc"},
			{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
			{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
			{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
			{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
			{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: []string{"nosuid", "noexec", "nodev", "ro"}},
			{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup", Options: []string{"nosuid", "noexec", "nodev", "relatime", "ro"}},
		},
		Linux: &specs.Linux{
			MaskedPaths: []string{
				"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
				"/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi",
			},
			ReadonlyPaths: []string{
				"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
			},
			Resources: &specs.LinuxResources{
				Devices: []specs.LinuxDeviceCgroup{{Allow: false, Access: "rwm"}},
			},
			Namespaces: []specs.LinuxNamespace{
				{Type: specs.PIDNamespace}, {Type: specs.NetworkNamespace}, {Type: specs.IPCNamespace},
				{Type: specs.UTSNamespace}, {Type: specs.MountNamespace},
			},
		},
	}
	if rootless {
		s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
		s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: uint32(os.Getuid()), Size: 1}}
		s.Linux.GIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: uint32(os.Getgid()), Size: 1}}
		s.Linux.Resources = nil
		var ms []specs.Mount
		for _, m := range s.Mounts {
			if m.Type == "cgroup" || m.Destination == "/sys" {
				continue
			}
			ms = append(ms, m)
		}
		ms = append(ms, specs.Mount{Destination: "/sys", Type: "none", Source: "/sys", Options: []string{"rbind", "nosuid", "noexec", "nodev", "ro"}})
		s.Mounts = ms
	}
	return s
}
