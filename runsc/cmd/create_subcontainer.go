package cmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"stockade.dev/runsc/container"
	"stockade.dev/runsc/sandbox"
	"stockade.dev/runsc/specutil"
	"stockade.dev/sentry/control"
)

// Later containers of a pod, on the CLI's side (see boot_containers.go for
// the sentry's). `runsc create` of such a container:
//
//   - makes its state directory and a listening control socket there,
//   - starts a `runsc gofer` for its rootfs and bind mounts (the sentry may
//     be confined and cannot exec); the gofer outlives create and ends when
//     the sentry closes its sockets (the container is deleted, or the
//     sandbox ends),
//   - sends the sandbox's control socket create-container with the spec and
//     the fds (SCM_RIGHTS): the listening socket, the init's stdio (or the
//     pty of --console-socket), the gofer's sockets,
//   - starts the proxy (`runsc proxy`): a host process standing for the
//     container's init, whose pid goes to --pid-file and which exits with
//     the init's status, so that a caller waiting for that pid (containerd's
//     shim, a subreaper) sees the container exit as it would with runc.
//
// The container's state holds the sandbox process's pid (as gVisor's does);
// start, state, kill, ps, exec and wait reach the container through its
// own control socket; delete destroys it in the sentry
// (destroySubcontainer).

// createSubcontainer creates container id of the pod whose sandbox
// container is sandboxID. On error nothing is left behind. The container
// is returned locked.
func createSubcontainer(id, sandboxID, bundle, pidFile, consoleSocket string, spec *specs.Spec, release bool) (*container.Container, error) {
	if !release {
		return nil, errors.New("runsc run cannot add a container to a pod sandbox: use runsc create and runsc start")
	}
	sb, err := container.Load(rootDir, sandboxID)
	if err != nil {
		if err == container.ErrNotExist {
			return nil, fmt.Errorf("pod sandbox %s of container %s does not exist under %s: create the sandbox container first", sandboxID, id, rootDir)
		}
		return nil, err
	}
	// Held until the container is created: the sandbox is not deleted
	// meanwhile.
	defer sb.Unlock()
	if sb.State.Pod != nil {
		return nil, fmt.Errorf("container %s is not a pod sandbox (it belongs to the pod of %s)", sandboxID, sb.State.Pod.Sandbox)
	}
	if st := sb.Status(); st != container.Created && st != container.Running {
		return nil, fmt.Errorf("pod sandbox %s is %s: a container can only join a running sandbox", sandboxID, st)
	}
	mounts, _ := specBindMounts(spec)
	if err := checkBindSources(mounts); err != nil {
		return nil, err
	}
	specJSON, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	ct, err := container.Create(rootDir, id)
	if err != nil {
		return nil, err
	}
	ok := false
	var gofer, proxy *exec.Cmd
	defer func() {
		if ok {
			return
		}
		for _, c := range []*exec.Cmd{proxy, gofer} {
			if c != nil && c.Process != nil {
				c.Process.Kill()
				c.Wait()
			}
		}
		ct.Destroy()
		if pidFile != "" && proxy != nil {
			os.Remove(pidFile)
		}
	}()
	l, err := control.Listen(ct.Dir)
	if err != nil {
		return nil, fmt.Errorf("creating the control socket: %v", err)
	}
	lf, err := l.File()
	l.Close()
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	stdio, closeStdio, err := subcontainerStdio(spec.Process.Terminal, consoleSocket)
	if err != nil {
		return nil, err
	}
	defer closeStdio()

	rootfs := specutil.RootPath(spec, bundle)
	gc, err := goferCommand([]string{"--root=" + rootDir, "--confine=" + strconv.FormatBool(confineFl)}, rootfs, goferReadOnly(spec), false, os.Geteuid() == 0, mounts)
	if err != nil {
		return nil, fmt.Errorf("serving the rootfs %s: %v", rootfs, err)
	}
	defer gc.CloseClients()
	gofer = gc.Cmd
	// The gofer keeps none of create's stdio (a caller reading create's
	// output must see EOF when create exits); it logs to --debug-log.
	gofer.SysProcAttr.Setsid, gofer.SysProcAttr.Setpgid = true, false
	err = gofer.Start()
	gc.closeServerEnds()
	if err != nil {
		return nil, fmt.Errorf("starting the gofer: %v", err)
	}
	joinSandboxCgroup(sb.State.Cgroup, gofer.Process.Pid)

	fds := []int{int(lf.Fd())}
	for _, f := range stdio {
		fds = append(fds, int(f.Fd()))
	}
	fds = append(fds, gc.Clients...)
	req := &control.Request{Method: control.MethodCreateContainer, Container: &control.Container{
		ID: id, Spec: specJSON, Rootfs: rootfs, NStdio: int32(len(stdio)), BindFiles: gc.FileNames,
	}}
	if _, err := control.Call(sb.Dir, req, fds); err != nil {
		if err == control.ErrNoSandbox {
			return nil, fmt.Errorf("pod sandbox %s is not running", sandboxID)
		}
		return nil, err
	}
	var console *os.File
	if spec.Process.Terminal {
		console = stdio[0]
	}
	proxy, err = startProxy(id, console)
	if err != nil {
		control.Call(ct.Dir, &control.Request{Method: control.MethodDestroy}, nil)
		return nil, err
	}
	goferStart, _, _ := container.ProcStart(gofer.Process.Pid)
	proxyStart, _, _ := container.ProcStart(proxy.Process.Pid)
	ct.State = container.State{
		ID: id, Bundle: bundle, Rootfs: rootfs, Created: time.Now().UTC(),
		Status: container.Created, Pid: sb.State.Pid, PidStart: sb.State.PidStart, Annotations: spec.Annotations,
		Hooks: spec.Hooks,
		Pod: &container.PodState{Sandbox: sandboxID, GoferPid: gofer.Process.Pid, GoferStart: goferStart,
			ProxyPid: proxy.Process.Pid, ProxyStart: proxyStart},
	}
	destroy := func() { control.Call(ct.Dir, &control.Request{Method: control.MethodDestroy}, nil) }
	if err := ct.Save(); err != nil {
		destroy()
		return nil, err
	}
	if pidFile != "" {
		if err := writePidFile(pidFile, proxy.Process.Pid); err != nil {
			destroy()
			return nil, err
		}
	}
	if err := runCreateHooks(ct, spec); err != nil {
		destroy()
		return nil, err
	}
	ok = true
	// Both outlive create: the gofer until the sentry lets go of it, the
	// proxy until the init ends (their caller, or init, reaps them).
	gofer.Process.Release()
	proxy.Process.Release()
	return ct, nil
}

// subcontainerStdio returns the stdio the container's init gets: a new
// pty's slave whose master went to the console socket, or create's own
// stdin, stdout and stderr (/dev/null for any that is closed).
func subcontainerStdio(terminal bool, consoleSocket string) ([]*os.File, func(), error) {
	if !terminal {
		stdio := []*os.File{os.Stdin, os.Stdout, os.Stderr}
		var opened []*os.File
		for i, f := range stdio {
			if _, err := unix.FcntlInt(f.Fd(), unix.F_GETFD, 0); err == nil {
				continue
			}
			null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
			if err != nil {
				return nil, nil, err
			}
			stdio[i] = null
			opened = append(opened, null)
		}
		return stdio, func() {
			for _, f := range opened {
				f.Close()
			}
		}, nil
	}
	if consoleSocket == "" {
		return nil, nil, errors.New("cannot allocate tty if runsc will detach without setting console socket")
	}
	master, slave, err := sandbox.OpenPty()
	if err != nil {
		return nil, nil, fmt.Errorf("allocating a pty: %v", err)
	}
	err = sandbox.SendConsole(consoleSocket, master)
	master.Close()
	if err != nil {
		slave.Close()
		return nil, nil, err
	}
	return []*os.File{slave}, func() { slave.Close() }, nil
}

// startProxy starts `runsc proxy ID`, the host process that stands for
// container id's init (proxy.go). With a console (the init's terminal),
// the proxy holds it as its controlling terminal and relays the signals
// its line discipline generates into the container (proxy --tty).
func startProxy(id string, console *os.File) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		exe = "/proc/self/exe"
	}
	args := append(proxyGlobalArgs(), "proxy")
	attr := &syscall.SysProcAttr{Setsid: true}
	if console != nil {
		args = append(args, "--tty")
		attr.Setctty, attr.Ctty = true, 0
	}
	cmd := exec.Command(exe, append(args, id)...)
	cmd.Args[0] = "runsc"
	cmd.SysProcAttr = attr
	if console != nil {
		cmd.Stdin = console
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the container's proxy process: %v", err)
	}
	return cmd, nil
}

// proxyGlobalArgs are the global flags the proxy needs: the state root and
// the log.
func proxyGlobalArgs() []string {
	args := []string{"--root=" + rootDir, "--log-format=" + logFormat}
	if logFile != "" {
		args = append(args, "--log="+logFile)
	}
	if debugLog != "" {
		args = append(args, "--debug-log="+debugLog)
	}
	return args
}

// destroySubcontainer ends a later container of a pod in its sandbox (its
// processes, root, control socket) and its gofer and proxy; the rest of
// the pod runs on (runsc delete, through destroySandbox).
func destroySubcontainer(ct *container.Container) {
	if ct.SandboxAlive() && ct.SandboxPaused() {
		// The frozen sentry cannot answer: it destroys the container when
		// the pod is resumed (its gofer and proxy then end), as frozen
		// processes die of SIGKILL once thawed.
		if err := control.Post(ct.Dir, &control.Request{Method: control.MethodDestroy}); err != nil {
			slog.Warn("destroying the container in the paused sandbox", "id", ct.State.ID, "err", err)
		}
		return
	}
	if ct.SandboxAlive() {
		if _, err := control.Call(ct.Dir, &control.Request{Method: control.MethodDestroy}, nil); err != nil && err != control.ErrNoSandbox {
			slog.Warn("destroying the container in the sandbox", "id", ct.State.ID, "err", err)
		}
	}
	// The gofer ends once the sentry closed its sockets and the proxy once
	// its wait was answered; make sure of both.
	if !ct.WaitPodProcessesGone(2 * time.Second) {
		p := ct.State.Pod
		for _, pr := range [][2]uint64{{uint64(p.GoferPid), p.GoferStart}, {uint64(p.ProxyPid), p.ProxyStart}} {
			if container.ProcessAlive(int(pr[0]), pr[1]) {
				unix.Kill(int(pr[0]), unix.SIGKILL)
			}
		}
		if !ct.WaitPodProcessesGone(3 * time.Second) {
			slog.Warn("the container's gofer or proxy did not end", "id", ct.State.ID)
		}
	}
}
