package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/subcommands"
)

// defaultDockerConfig is where dockerd reads its configuration.
const defaultDockerConfig = "/etc/docker/daemon.json"

// Install implements `runsc install`: register runsc as a docker runtime
// in dockerd's daemon.json, keeping everything else in the file.
type Install struct {
	config  string
	runtime string
	path    string
}

// Name implements subcommands.Command.
func (*Install) Name() string { return "install" }

// Synopsis implements subcommands.Command.
func (*Install) Synopsis() string {
	return "add a runtime entry for runsc to docker's daemon.json"
}

// Usage implements subcommands.Command.
func (*Install) Usage() string {
	return `install [flags] [-- [runsc flags...]]

Adds (or replaces) the runtime entry NAME (--runtime, default "runsc") in
docker's daemon.json (--config, default /etc/docker/daemon.json), keeping
every other setting of the file:

    {"runtimes": {"runsc": {"path": "/abs/path/runsc", "runtimeArgs": [...]}}}

Arguments after "--" are the runtime's flags, passed by docker before the
command (e.g. runsc install -- --debug-log=/tmp/runsc.log). Restart or
reload dockerd (SIGHUP) afterwards, then: docker run --runtime=runsc ...
`
}

// SetFlags implements subcommands.Command.
func (i *Install) SetFlags(fs *flag.FlagSet) {
	fs.StringVar(&i.config, "config", defaultDockerConfig, "path to docker's daemon.json")
	fs.StringVar(&i.runtime, "runtime", "runsc", "the runtime's name in docker (docker run --runtime=NAME)")
	fs.StringVar(&i.path, "path", "", "the runtime binary to register (default: this runsc, by absolute path)")
}

// Execute implements subcommands.Command.
func (i *Install) Execute(_ context.Context, fs *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	path := i.path
	if path == "" {
		exe, err := os.Executable()
		if err != nil {
			return ociError("install: finding this binary: %v", err)
		}
		path = exe
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return ociError("install: %v", err)
	}
	if err := InstallRuntime(i.config, i.runtime, abs, fs.Args()); err != nil {
		return ociError("install: %v", err)
	}
	fmt.Fprintf(os.Stderr, "runtime %q (%s) added to %s; reload dockerd to use it\n", i.runtime, abs, i.config)
	return subcommands.ExitSuccess
}

// Uninstall implements `runsc uninstall`: remove runsc's runtime entry
// from docker's daemon.json.
type Uninstall struct {
	config  string
	runtime string
}

// Name implements subcommands.Command.
func (*Uninstall) Name() string { return "uninstall" }

// Synopsis implements subcommands.Command.
func (*Uninstall) Synopsis() string {
	return "remove runsc's runtime entry from docker's daemon.json"
}

// Usage implements subcommands.Command.
func (*Uninstall) Usage() string {
	return `uninstall [flags]

Removes the runtime entry NAME (--runtime, default "runsc") from docker's
daemon.json (--config, default /etc/docker/daemon.json), keeping every other
setting of the file.
`
}

// SetFlags implements subcommands.Command.
func (u *Uninstall) SetFlags(fs *flag.FlagSet) {
	fs.StringVar(&u.config, "config", defaultDockerConfig, "path to docker's daemon.json")
	fs.StringVar(&u.runtime, "runtime", "runsc", "the runtime's name in docker")
}

// Execute implements subcommands.Command.
func (u *Uninstall) Execute(context.Context, *flag.FlagSet, ...any) subcommands.ExitStatus {
	if err := UninstallRuntime(u.config, u.runtime); err != nil {
		return ociError("uninstall: %v", err)
	}
	fmt.Fprintf(os.Stderr, "runtime %q removed from %s; reload dockerd\n", u.runtime, u.config)
	return subcommands.ExitSuccess
}

// readDaemonJSON reads docker's configuration as a generic object, so that
// settings runsc does not know survive a rewrite. A missing or empty file
// is an empty configuration.
func readDaemonJSON(path string) (map[string]any, os.FileMode, error) {
	mode := os.FileMode(0o644)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]any{}, mode, nil
	}
	if err != nil {
		return nil, 0, err
	}
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return map[string]any{}, mode, nil
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, 0, fmt.Errorf("%s is not a JSON object: %v", path, err)
	}
	if c == nil {
		c = map[string]any{}
	}
	return c, mode, nil
}

// writeDaemonJSON writes c to path atomically (a temporary file renamed
// over it), creating the directory if needed.
func writeDaemonJSON(path string, c map[string]any, mode os.FileMode) error {
	b, err := json.MarshalIndent(c, "", "    ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// InstallRuntime adds (or replaces) runtime name, the binary at path with
// args as its runtimeArgs, in the daemon.json at config.
func InstallRuntime(config, name, path string, args []string) error {
	if name == "" {
		return errors.New("empty runtime name")
	}
	c, mode, err := readDaemonJSON(config)
	if err != nil {
		return err
	}
	runtimes := map[string]any{}
	if r, ok := c["runtimes"]; ok && r != nil {
		m, ok := r.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: \"runtimes\" is not a JSON object", config)
		}
		runtimes = m
	}
	entry := map[string]any{"path": path}
	if len(args) > 0 {
		entry["runtimeArgs"] = args
	}
	runtimes[name] = entry
	c["runtimes"] = runtimes
	return writeDaemonJSON(config, c, mode)
}

// UninstallRuntime removes runtime name from the daemon.json at config (and
// the "runtimes" object if it is left empty). A missing entry is not an
// error, as a missing file is not.
func UninstallRuntime(config, name string) error {
	if _, err := os.Stat(config); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	c, mode, err := readDaemonJSON(config)
	if err != nil {
		return err
	}
	r, ok := c["runtimes"].(map[string]any)
	if !ok {
		return nil
	}
	if _, ok := r[name]; !ok {
		return nil
	}
	delete(r, name)
	if len(r) == 0 {
		delete(c, "runtimes")
	}
	return writeDaemonJSON(config, c, mode)
}
