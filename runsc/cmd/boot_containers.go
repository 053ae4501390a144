package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	fsgofer "stockade.dev/fs/gofer"
	"stockade.dev/fs/host"
	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/control"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/memfile"
)

// The later containers of a pod, inside the sentry (`runsc boot`).
//
// `runsc create` of a container whose annotations name a running pod
// sandbox (create_subcontainer.go) does not start a sentry: it starts a
// gofer for the container's rootfs itself (the sentry may not exec) and
// sends the sandbox's control socket a create-container request carrying
// the container's spec and, as SCM_RIGHTS, a listening control socket in
// the container's own state directory, its init's stdio and the gofer's
// sockets. The sentry then builds the container's root in a mount
// namespace of its own (the rootfs under the --overlay layer, then the
// spec's mounts) and serves the container's socket with a control.Server
// of its own, so that start, exec, kill, wait, ps and state address that
// container alone. Its processes carry its id in the kernel
// (kernel.ThreadGroup.Container); when its init ends, the rest of its
// processes are killed, as a pid namespace's are.

// podContainers is the registry of a sandbox's later containers, by id.
type podContainers struct {
	k  *kernel.Kernel
	mf *memfile.File

	mu   sync.Mutex
	byID map[string]*podContainer
}

// podContainer is one later container of the pod.
type podContainer struct {
	id   string
	spec *specs.Spec
	// root is the root of its mount namespace; conns the gofer clients
	// serving it (closing them ends its gofer).
	root  vfs.VirtualDentry
	conns []*fsgofer.Client
	srv   *control.Server
	ln    *net.UnixListener

	mu sync.Mutex
	// stdio are the init's stdio fds until it starts.
	stdio []int
	init  *kernel.ThreadGroup
	dead  bool
}

// podScope is where a process of a pod container starts: the root of the
// container's mount namespace, its id ("" for the sandbox's first), and
// whether it shares the sandbox's pid namespace.
type podScope struct {
	root       vfs.VirtualDentry
	container  string
	sharedPIDs bool
}

// pidNamespace is the scope's pid namespace, as the kernel names it
// (kernel.ThreadGroup.PIDNamespace).
func (sc podScope) pidNamespace() string {
	if sc.sharedPIDs {
		return ""
	}
	return sc.container
}

// scope returns the scope of ct's processes.
func (ct *podContainer) scope() podScope {
	return podScope{root: ct.root, container: ct.id, sharedPIDs: sharesSandboxPIDs(ct.spec)}
}

// sharesSandboxPIDs reports whether a pod container's spec joins the
// sandbox's pid namespace (a pid namespace with a path:
// shareProcessNamespace in Kubernetes) instead of having its own.
func sharesSandboxPIDs(s *specs.Spec) bool {
	if s.Linux == nil {
		return true
	}
	for _, ns := range s.Linux.Namespaces {
		if ns.Type == specs.PIDNamespace {
			return ns.Path != ""
		}
	}
	// No pid namespace in the spec: the runtime's (runc's) own, shared.
	return true
}

// newPodContainers returns an empty registry for k.
func newPodContainers(k *kernel.Kernel, mf *memfile.File) *podContainers {
	return &podContainers{k: k, mf: mf, byID: map[string]*podContainer{}}
}

// create implements create-container (control.Server.CreateContainer):
// fds are the container's listening socket, its init's stdio and its
// gofer's sockets (the root's, then one per bind mount). It owns fds.
func (pc *podContainers) create(c *control.Container, fds []int) (err error) {
	nstdio := int(c.NStdio)
	var spec specs.Spec
	if err := json.Unmarshal(c.Spec, &spec); err != nil {
		closeFDList(fds)
		return fmt.Errorf("create-container: reading the spec: %v", err)
	}
	if spec.Process == nil || len(spec.Process.Args) == 0 || spec.Root == nil {
		closeFDList(fds)
		return errors.New("create-container: the spec has no process or root")
	}
	mounts, idx := specBindMounts(&spec)
	if nstdio < 1 || len(fds) != 1+nstdio+1+len(mounts) || len(c.BindFiles) != len(mounts) {
		closeFDList(fds)
		return fmt.Errorf("create-container: %d fds for %d stdio and %d bind mounts", len(fds), nstdio, len(mounts))
	}
	lnFD, stdio, goferFDs := fds[0], fds[1:1+nstdio], fds[1+nstdio:]
	pc.mu.Lock()
	_, dup := pc.byID[c.ID]
	pc.mu.Unlock()
	if c.ID == "" || dup {
		closeFDList(fds)
		return fmt.Errorf("create-container: container %q exists in the sandbox", c.ID)
	}
	ct := &podContainer{id: c.ID, spec: &spec, stdio: stdio}
	defer func() {
		if err != nil {
			ct.release()
			if ct.root.Ok() {
				pc.k.VFS.ReleaseNamespace(ct.root)
			}
		}
	}()
	lf := os.NewFile(uintptr(lnFD), "control")
	l, lerr := net.FileListener(lf)
	lf.Close()
	if lerr != nil {
		closeFDList(goferFDs)
		return fmt.Errorf("create-container: the control socket: %v", lerr)
	}
	ct.ln = l.(*net.UnixListener)
	root, binds, conns, err := attachGofer(goferFDs, goferReadOnly(&spec), mounts, c.BindFiles)
	ct.conns = conns
	if err != nil {
		return err
	}
	layer, err := rootLayers(pc.mf, root, c.Rootfs)
	if err != nil {
		return err
	}
	v := pc.k.VFS
	ct.root = v.NewNamespace(layer.Inode, layer.FSType, layer.Source, 0)
	ct.root.Mount.Options = layer.Options
	bindMap := map[int]vfs.Inode{}
	for j, i := range idx {
		bindMap[i] = binds[j]
	}
	if err := mountSpecAt(v, ct.root, ct.scope().pidNamespace(), pc.k, pc.mf, &spec, bindMap); err != nil {
		return err
	}
	// The init's program must exist now: runc fails create, not start.
	p := spec.Process
	if _, err := resolveProgram(v, processContextAt(ct.root, p.User.UID, p.User.GID, p.User.AdditionalGids), p.Args[0], p.Env); err != nil {
		return err
	}
	ct.srv = pc.newServer(ct)
	pc.mu.Lock()
	pc.byID[c.ID] = ct
	pc.mu.Unlock()
	go ct.srv.Serve(ct.ln)
	slog.Info("container added to the pod", "id", c.ID, "rootfs", c.Rootfs)
	return nil
}

// newServer returns the control server of ct.
func (pc *podContainers) newServer(ct *podContainer) *control.Server {
	k := pc.k
	srv := control.NewServer(k)
	srv.Container = ct.id
	srv.StartInit = func() (*kernel.ThreadGroup, error) {
		ct.mu.Lock()
		defer ct.mu.Unlock()
		if ct.dead {
			return nil, errors.New("the container was deleted")
		}
		cp := procFromSpec(ct.spec.Process)
		fds, tty, err := ct.stdioFor(cp.Terminal, ct.stdio)
		if err != nil {
			return nil, err
		}
		tg, err := startSpecProcessIn(k, ct.scope(), cp, fds, tty, true)
		closeFDList(ct.stdio)
		ct.stdio = nil
		if err != nil {
			return nil, err
		}
		ct.init = tg
		go func() {
			st, _ := tg.WaitExit(nil)
			// As when a pid namespace's init ends: the container's other
			// processes are killed.
			k.KillContainer(ct.id)
			slog.Info("container exited", "id", ct.id, "status", st)
			srv.InitExited(st)
		}()
		return tg, nil
	}
	srv.Exec = func(cp *control.Process, fds []int) (*kernel.ThreadGroup, error) {
		defer closeFDList(fds)
		pfds, tty, err := ct.stdioFor(cp.Terminal, fds)
		if err != nil {
			return nil, err
		}
		return startSpecProcessIn(k, ct.scope(), cp, pfds, tty, false)
	}
	srv.SignalCreated = func(sig int) {
		// A created container has no process yet: a signal that would
		// kill its init stops it, as runc's kill of a created container.
		if terminates(sig) {
			ct.mu.Lock()
			closeFDList(ct.stdio)
			ct.stdio = nil
			ct.mu.Unlock()
			srv.InitExited(kernel.ExitStatus{Signal: sig})
		}
	}
	srv.Destroy = func() { pc.destroy(ct) }
	return srv
}

// stdioFor returns the fds a process of ct starts with and its terminal:
// with a terminal, fds[0] is the pty and becomes the process's 0, 1, 2.
func (ct *podContainer) stdioFor(terminal bool, fds []int) ([]int, *host.TTY, error) {
	if !terminal || len(fds) == 0 {
		return fds, nil, nil
	}
	tty := newHostTTY(fds[0], "")
	if tty == nil {
		return nil, nil, fmt.Errorf("the container's terminal is not a terminal")
	}
	return []int{fds[0], fds[0], fds[0]}, tty, nil
}

// destroy ends ct (runsc delete): its processes die, its control socket
// closes and its gofer ends (its sockets close).
func (pc *podContainers) destroy(ct *podContainer) {
	pc.mu.Lock()
	if pc.byID[ct.id] == ct {
		delete(pc.byID, ct.id)
	}
	pc.mu.Unlock()
	k := pc.k
	k.KillContainer(ct.id)
	// Its processes must be gone before its mounts go.
	deadline := time.Now().Add(2 * time.Second)
	for len(k.ContainerProcesses(ct.id)) > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	ct.release()
	if ct.root.Ok() && len(k.ContainerProcesses(ct.id)) == 0 {
		k.VFS.ReleaseNamespace(ct.root)
	}
	slog.Info("container removed from the pod", "id", ct.id)
}

// release closes what ct holds: stdio, control socket, gofer clients.
func (ct *podContainer) release() {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	ct.dead = true
	closeFDList(ct.stdio)
	ct.stdio = nil
	if ct.ln != nil {
		ct.ln.Close()
	}
	for _, c := range ct.conns {
		c.Close()
	}
	ct.conns = nil
}

// closeFDList closes host fds.
func closeFDList(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}
