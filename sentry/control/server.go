package control

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/platform"
	"stockade.dev/sentry/kernel"
)

// Server serves the control API of one container of a sandbox. The sandbox
// (runsc boot) fills in the hooks that need its setup (stdio, terminal, the
// spec) and calls InitExited when the container's init ends.
//
// A sandbox serves its first container on the control socket in that
// container's state directory; each later container of the pod
// (create-container) gets a server of its own on a socket in its own state
// directory, so that every per-container call of the CLI (start, exec,
// signal, wait, ps, stats) reaches the right container by the socket it
// connects to.
type Server struct {
	// Kernel is the sandbox's kernel.
	Kernel *kernel.Kernel
	// Container is the id of the container served ("" for the sandbox's
	// first): ps, stats and signal --all see only its processes.
	Container string
	// CreateContainer adds a container to the pod (create-container); the
	// hook owns the fds. Nil on a later container's server.
	CreateContainer func(c *Container, fds []int) error
	// Destroy ends a later container: its processes, its root (destroy).
	// Nil on the first container's server (deleting it ends the sandbox).
	Destroy func()
	// StartInit starts the container's init process (the start method).
	StartInit func() (*kernel.ThreadGroup, error)
	// Exec starts a process described by p with the given host fds as
	// its stdio; the hook owns the fds.
	Exec func(p *Process, fds []int) (*kernel.ThreadGroup, error)
	// SignalCreated handles a signal sent before the container started
	// (the sandbox ends if the signal would kill a process).
	SignalCreated func(sig int)

	mu      sync.Mutex
	started bool
	init    *kernel.ThreadGroup
	procs   map[int32]*kernel.ThreadGroup

	exitOnce   sync.Once
	exited     chan struct{}
	exitStatus kernel.ExitStatus

	// waiters counts the connections answering a wait, so that the
	// sandbox can let them finish before it exits.
	waiters sync.WaitGroup
}

// NewServer returns a server for k.
func NewServer(k *kernel.Kernel) *Server {
	return &Server{Kernel: k, procs: map[int32]*kernel.ThreadGroup{}, exited: make(chan struct{})}
}

// InitExited records how the container's init ended and answers the
// pending waits.
func (s *Server) InitExited(st kernel.ExitStatus) {
	s.exitOnce.Do(func() {
		s.exitStatus = st
		close(s.exited)
	})
}

// Exited is closed once the container's init ended.
func (s *Server) Exited() <-chan struct{} { return s.exited }

// DrainWaiters waits (at most timeout) for the exit statuses of the
// exec'd processes to be collected and the answers to pending waits to be
// sent. A detached exec's waiter (`runsc wait --pid`, the pid containerd's
// shim watches) may connect only after the init ended, for example when
// the exec'd process is what made the init exit: its status must still
// reach it, as the exec'd process's exit reaches runc's shim.
func (s *Server) DrainWaiters(timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		s.mu.Lock()
		n := len(s.procs)
		s.mu.Unlock()
		if n == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	done := make(chan struct{})
	go func() { s.waiters.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Until(deadline)):
	}
}

// Serve accepts connections on l until it is closed.
func (s *Server) Serve(l *net.UnixListener) {
	for {
		c, err := l.AcceptUnix()
		if err != nil {
			return
		}
		go s.handle(c)
	}
}

func (s *Server) handle(c *net.UnixConn) {
	defer c.Close()
	m, fds, err := readMessage(c)
	if err != nil {
		closeFDs(fds)
		return
	}
	var req Request
	if err := req.Unmarshal(m); err != nil {
		closeFDs(fds)
		writeMessage(c, (&Response{Error: "malformed request: " + err.Error()}).Marshal(), nil)
		return
	}
	if req.Method == MethodWait {
		s.waiters.Add(1)
		defer s.waiters.Done()
	}
	resp := s.dispatch(&req, fds)
	if err := writeMessage(c, resp.Marshal(), nil); err != nil {
		slog.Debug("control: writing a response", "method", req.Method, "err", err)
	}
}

func (s *Server) dispatch(req *Request, fds []int) *Response {
	if req.Method != MethodExec && req.Method != MethodCreateContainer {
		closeFDs(fds)
	}
	switch req.Method {
	case MethodStart:
		s.mu.Lock()
		if s.started {
			s.mu.Unlock()
			return &Response{Error: "the container was already started"}
		}
		s.started = true
		s.mu.Unlock()
		select {
		case <-s.exited:
			return &Response{Error: "cannot start a container that has stopped"}
		default:
		}
		tg, err := s.StartInit()
		if err != nil {
			return &Response{Error: err.Error()}
		}
		s.mu.Lock()
		s.init = tg
		s.mu.Unlock()
		return &Response{PID: tg.ID}
	case MethodExec:
		if req.Process == nil || len(req.Process.Args) == 0 {
			closeFDs(fds)
			return &Response{Error: "exec: no process arguments"}
		}
		select {
		case <-s.exited:
			closeFDs(fds)
			return &Response{Error: "cannot exec in a stopped container"}
		default:
		}
		tg, err := s.Exec(req.Process, fds)
		if err != nil {
			return &Response{Error: err.Error()}
		}
		s.mu.Lock()
		s.procs[tg.ID] = tg
		s.mu.Unlock()
		return &Response{PID: tg.ID}
	case MethodSignal:
		return s.signal(req)
	case MethodWait:
		return s.wait(req.PID)
	case MethodPs:
		return &Response{Procs: s.ps()}
	case MethodStats:
		return &Response{Stats: s.stats()}
	case MethodState:
		return s.state()
	case MethodCreateContainer:
		if s.CreateContainer == nil || req.Container == nil {
			closeFDs(fds)
			return &Response{Error: "create-container: only the pod sandbox's control socket adds containers"}
		}
		if err := s.CreateContainer(req.Container, fds); err != nil {
			return &Response{Error: err.Error()}
		}
		return &Response{}
	case MethodDestroy:
		if s.Destroy == nil {
			return &Response{Error: "destroy: the pod sandbox's container ends with the sandbox"}
		}
		s.Destroy()
		s.InitExited(kernel.ExitStatus{Signal: int(unix.SIGKILL)})
		return &Response{}
	}
	return &Response{Error: fmt.Sprintf("unknown control method %q", req.Method)}
}

func (s *Server) signal(req *Request) *Response {
	sig := int(req.Signal)
	if sig <= 0 || sig > 64 {
		return &Response{Error: fmt.Sprintf("invalid signal %d", sig)}
	}
	s.mu.Lock()
	started, init := s.started, s.init
	s.mu.Unlock()
	if req.Foreground && (!started || init == nil) {
		// A terminal's signal before anything runs on it: nobody to
		// deliver it to (it is not a signal to the container).
		return &Response{}
	}
	if !started || init == nil {
		if s.SignalCreated != nil {
			s.SignalCreated(sig)
		}
		return &Response{}
	}
	switch {
	case req.Foreground:
		return s.signalForeground(req.PID, sig)
	case req.All:
		s.Kernel.SignalContainer(s.Container, sig)
	case req.PID == 0:
		init.SendGroupSignal(kernel.SigInfo{Signo: sig})
	default:
		tg := s.Kernel.ProcessByID(req.PID)
		if tg == nil || tg.IsZombie() {
			return &Response{Error: fmt.Sprintf("no such process %d", req.PID)}
		}
		tg.SendGroupSignal(kernel.SigInfo{Signo: sig})
	}
	return &Response{}
}

// state answers the container's status: created until started, running
// until its init ended, then stopped with the init's exit status.
func (s *Server) state() *Response {
	s.mu.Lock()
	started, init := s.started, s.init
	s.mu.Unlock()
	select {
	case <-s.exited:
		r := statusResponse(s.exitStatus)
		r.Status = "stopped"
		return r
	default:
	}
	if !started || init == nil {
		return &Response{Status: "created"}
	}
	return &Response{Status: "running", PID: init.ID}
}

// hostSignaller is a terminal that delivers signals its host line
// discipline generated (fs/host.TTY).
type hostSignaller interface {
	HostSignal(sig unix.Signal) bool
}

// signalForeground delivers sig to the foreground process group of the
// controlling terminal of process pid (0: the init), for the process that
// holds the host end of that terminal (runsc wait of `exec -t`).
func (s *Server) signalForeground(pid int32, sig int) *Response {
	var tg *kernel.ThreadGroup
	if pid == 0 {
		s.mu.Lock()
		tg = s.init
		s.mu.Unlock()
	} else {
		tg = s.Kernel.ProcessByID(pid)
	}
	if tg == nil || tg.IsZombie() {
		return &Response{Error: fmt.Sprintf("no such process %d", pid)}
	}
	t := tg.LiveTask()
	if t == nil {
		return &Response{Error: fmt.Sprintf("no such process %d", pid)}
	}
	if h, ok := t.ControllingTTY().(hostSignaller); ok && h.HostSignal(unix.Signal(sig)) {
		return &Response{}
	}
	return &Response{Error: fmt.Sprintf("process %d has no terminal", pid)}
}

func statusResponse(st kernel.ExitStatus) *Response {
	return &Response{Code: int32(st.Code), Signal: int32(st.Signal)}
}

func (s *Server) wait(pid int32) *Response {
	if pid == 0 {
		<-s.exited
		return statusResponse(s.exitStatus)
	}
	s.mu.Lock()
	tg := s.procs[pid]
	s.mu.Unlock()
	if tg == nil {
		return &Response{Error: fmt.Sprintf("no process %d started by exec", pid)}
	}
	st, ok := tg.WaitExit(s.exited)
	if !ok {
		// The sandbox is ending: every process dies with it.
		st, ok = tg.WaitExit(nil)
		_ = ok
	}
	s.mu.Lock()
	delete(s.procs, pid)
	s.mu.Unlock()
	return statusResponse(st)
}

func (s *Server) ps() []ProcInfo {
	var out []ProcInfo
	for _, tg := range s.Kernel.ContainerProcesses(s.Container) {
		t := tg.LiveTask()
		if t == nil {
			continue
		}
		p := ProcInfo{PID: tg.ID, PPID: tg.ParentID(), Threads: int32(len(tg.Tasks()))}
		if c := t.Credentials(); c != nil {
			p.UID = c.RealUID
		}
		p.Cmd = t.CommName()
		if m := t.MemoryManager(); m != nil {
			if b := m.ReadRange(m.ArgvStart, m.ArgvEnd, 4096); len(b) > 0 {
				p.Cmd = strings.TrimSpace(string(bytes.ReplaceAll(bytes.TrimRight(b, "\x00"), []byte{0}, []byte{' '})))
			}
		}
		if m := t.MemoryManager(); m != nil {
			if hp, ok := m.CurrentAddressSpace().(platform.HostProcess); ok {
				p.HostPID = int32(hp.HostPID())
			}
		}
		p.State = t.State().String()
		p.StartUnixNano = t.StartTime().UnixNano()
		p.CPUNanos = uint64(tg.ProcessUsage().Sched)
		out = append(out, p)
	}
	return out
}

func (s *Server) stats() *Stats {
	total, used := s.Kernel.MemoryUsage()
	st := &Stats{MemoryUsage: used, MemoryLimit: total}
	for _, tg := range s.Kernel.ContainerProcesses(s.Container) {
		st.Pids++
		u := tg.ProcessUsage()
		st.CPUTotalNanos += uint64(u.Sched)
		st.CPUUserNanos += uint64(u.User)
		st.CPUKernelN += uint64(u.Sys)
	}
	return st
}

// maxFDs is how many fds a message may carry (create-container carries a
// socket, stdio and a gofer socket per bind mount).
const maxFDs = 64

// readMessage reads one framed message and the fds sent with it.
func readMessage(c *net.UnixConn) ([]byte, []int, error) {
	buf := make([]byte, 64<<10)
	oob := make([]byte, unix.CmsgSpace(maxFDs*4))
	n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil, nil, err
	}
	var fds []int
	if oobn > 0 {
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err == nil {
			for _, m := range msgs {
				if f, err := unix.ParseUnixRights(&m); err == nil {
					fds = append(fds, f...)
				}
			}
		}
	}
	if n == 0 {
		return nil, fds, errors.New("connection closed")
	}
	m, err := readFrame(c, buf[:n])
	return m, fds, err
}

// writeMessage writes one framed message, with fds if any.
func writeMessage(c *net.UnixConn, m []byte, fds []int) error {
	frame := encodeFrame(m)
	if len(fds) > 0 {
		if _, _, err := c.WriteMsgUnix(frame[:1], unix.UnixRights(fds...), nil); err != nil {
			return err
		}
		frame = frame[1:]
	}
	_, err := c.Write(frame)
	return err
}

func closeFDs(fds []int) {
	for _, fd := range fds {
		unix.Close(fd)
	}
}
