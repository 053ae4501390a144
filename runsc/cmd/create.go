package cmd

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/google/subcommands"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"stockade.dev/runsc/container"
	"stockade.dev/runsc/sandbox"
	"stockade.dev/runsc/specutil"
)

// Create implements `runsc create`: start a container's sandbox, its init
// not yet running (created).
type Create struct {
	bundle, pidFile, consoleSocket string
	noPivot, noNewKeyring          bool
	preserveFDs                    int
}

// Name implements subcommands.Command.
func (*Create) Name() string { return "create" }

// Synopsis implements subcommands.Command.
func (*Create) Synopsis() string { return "create a container" }

// Usage implements subcommands.Command.
func (*Create) Usage() string {
	return `create [command options] <container-id>

Where "<container-id>" is your name for the instance of the container that
you are starting. The name you provide for the container instance must be
unique on your host. The bundle's config.json describes the container; the
container is created with its init stopped before the user program, until
runsc start runs it.
`
}

// SetFlags implements subcommands.Command.
func (c *Create) SetFlags(fs *flag.FlagSet) {
	setBundleFlags(fs, &c.bundle, &c.pidFile, &c.consoleSocket)
	fs.BoolVar(&c.noPivot, "no-pivot", false, "accepted for runc compatibility")
	fs.BoolVar(&c.noNewKeyring, "no-new-keyring", false, "accepted for runc compatibility")
	fs.IntVar(&c.preserveFDs, "preserve-fds", 0, "accepted for runc compatibility (extra fds are not passed yet)")
}

func setBundleFlags(fs *flag.FlagSet, bundle, pidFile, consoleSocket *string) {
	fs.StringVar(bundle, "bundle", "", "path to the root of the bundle directory, defaults to the current directory")
	fs.StringVar(bundle, "b", "", "same as --bundle")
	fs.StringVar(pidFile, "pid-file", "", "specify the file to write the process id to")
	fs.StringVar(consoleSocket, "console-socket", "", "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal")
}

// Execute implements subcommands.Command.
func (c *Create) Execute(_ context.Context, fs *flag.FlagSet, _ ...any) subcommands.ExitStatus {
	setupOCILogging()
	id, err := oneID(fs, "create")
	if err != nil {
		return ociError("%v", err)
	}
	ct, _, err := createContainer(id, c.bundle, c.pidFile, c.consoleSocket, nil, true)
	if err != nil {
		return ociError("runsc create failed: %v", err)
	}
	ct.Unlock()
	return subcommands.ExitSuccess
}

// createContainer creates container id from bundle: the state directory,
// the sandbox process, the pid file, the createRuntime hooks. On error
// nothing is left behind. The container is returned locked.
func createContainer(id, bundle, pidFile, consoleSocket string, console *os.File, release bool) (*container.Container, *sandbox.Sandbox, error) {
	bundle, err := absBundle(bundle)
	if err != nil {
		return nil, nil, err
	}
	if err := container.ValidateID(id); err != nil {
		return nil, nil, err
	}
	spec, err := specutil.Load(bundle)
	if err != nil {
		return nil, nil, err
	}
	if sandboxID, ok := container.PodSandboxID(spec.Annotations); ok {
		// A later container of a pod joins its sandbox's sentry.
		ct, err := createSubcontainer(id, sandboxID, bundle, pidFile, consoleSocket, spec, release)
		return ct, nil, err
	}
	ct, err := container.Create(rootDir, id)
	if err != nil {
		return nil, nil, err
	}
	cgroup, err := createCgroup(spec, id)
	if err != nil {
		ct.Destroy()
		return nil, nil, err
	}
	cleanup := func() {
		removeCgroup(cgroup)
		ct.Destroy()
	}
	sb, err := sandbox.Start(&sandbox.Config{
		ID: id, Bundle: bundle, StateDir: ct.Dir,
		Terminal: spec.Process.Terminal, ConsoleSocket: consoleSocket, Console: console,
		Stdio:      [3]*os.File{os.Stdin, os.Stdout, os.Stderr},
		GlobalArgs: bootGlobalArgs(), Cgroup: cgroup, Confine: confineFl,
		NetNS: sandbox.NetNSPath(spec),
	})
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	start, _, _ := container.ProcStart(sb.Pid)
	ct.State = container.State{
		ID: id, Bundle: bundle, Rootfs: specutil.RootPath(spec, bundle), Created: time.Now().UTC(),
		Status: container.Created, Pid: sb.Pid, PidStart: start, Annotations: spec.Annotations,
		Hooks: spec.Hooks, Cgroup: cgroup,
	}
	kill := func() {
		sb.Process.Kill()
		sb.Process.Wait()
		cleanup()
	}
	if err := ct.Save(); err != nil {
		kill()
		return nil, nil, err
	}
	if pidFile != "" {
		if err := writePidFile(pidFile, sb.Pid); err != nil {
			kill()
			return nil, nil, err
		}
	}
	if err := runCreateHooks(ct, spec); err != nil {
		kill()
		if pidFile != "" {
			os.Remove(pidFile)
		}
		return nil, nil, err
	}
	if release {
		sb.Process.Release()
	}
	return ct, sb, nil
}

// runCreateHooks runs the hooks of a container being created: prestart,
// createRuntime, createContainer.
func runCreateHooks(ct *container.Container, spec *specs.Spec) error {
	h := spec.Hooks
	if h == nil {
		return nil
	}
	for _, hk := range []struct {
		kind  string
		hooks []specs.Hook
	}{{"prestart", h.Prestart}, {"createRuntime", h.CreateRuntime}, {"createContainer", h.CreateContainer}} {
		if err := ct.RunHooks(hk.kind, hk.hooks, container.Creating); err != nil {
			return err
		}
	}
	return nil
}

// writePidFile writes pid to path atomically, as runc does.
func writePidFile(path string, pid int) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(abs), "."+filepath.Base(abs)+".tmp")
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(pid)), 0o644); err != nil {
		return fmt.Errorf("writing the pid file: %v", err)
	}
	return os.Rename(tmp, abs)
}
