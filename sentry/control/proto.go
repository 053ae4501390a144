// Package control is the control API of a sandbox: the server the sentry
// (`runsc boot`) runs on a unix stream socket, and the client the runsc CLI
// uses to start the container, exec processes, send signals, wait, list
// processes and read statistics.
//
// Wire format: each message is a 4-byte big-endian length followed by that
// many bytes of a protobuf message (Request from the client, Response from
// the server). File descriptors (the stdio of an exec'd process) travel
// with a request's first byte as SCM_RIGHTS. The messages are encoded with
// google.golang.org/protobuf/encoding/protowire by hand: the schema is
// small, stable and written out below as a .proto comment, and hand
// encoding keeps protoc and generated code out of the build.
//
//	message Request {
//	  string method = 1;   // start, exec, signal, wait, ps, stats, shutdown,
//	                       // create-container, state, destroy
//	  int32 pid = 2;       // signal, wait: the process (0: init)
//	  int32 signal = 3;    // signal
//	  bool all = 4;        // signal: every process
//	  Process process = 5; // exec
//	  Container container = 6; // create-container
//	  bool foreground = 20; // signal: the foreground process group of
//	                        // the terminal of process pid (its session's)
//	}
//	// A later container of a pod (create-container). Its fds follow the
//	// request: the listening control socket of the container, nstdio
//	// stdio fds of its init, the gofer socket of its root, then one gofer
//	// socket per bind mount of the spec (in spec order, /dev excepted).
//	message Container {
//	  string id = 1;
//	  bytes spec = 2;                 // config.json, as runsc create read it
//	  string rootfs = 3;              // the rootfs's host path (for mounts)
//	  int32 nstdio = 4;
//	  repeated string bind_files = 5; // per bind mount: the file's name
//	                                  // below the served directory, or ""
//	}
//	message Process {
//	  repeated string args = 1; repeated string env = 2; string cwd = 3;
//	  uint32 uid = 4; uint32 gid = 5; repeated uint32 groups = 6 [packed];
//	  bool terminal = 7; repeated Rlimit rlimits = 8; int32 nfds = 9;
//	  Capabilities caps = 10;  // absent: the defaults of the uid
//	  bool no_new_privs = 11;
//	}
//	message Capabilities {   // bit n: capability n
//	  uint64 effective = 1; uint64 permitted = 2; uint64 inheritable = 3;
//	  uint64 bounding = 4; uint64 ambient = 5;
//	}
//	message Rlimit { int32 resource = 1; uint64 soft = 2; uint64 hard = 3; }
//	message Response {
//	  string error = 1; int32 pid = 2; int32 code = 3; int32 signal = 4;
//	  repeated ProcInfo procs = 5; Stats stats = 6;
//	  string status = 7;   // state: created, running or stopped
//	}
//	message ProcInfo {
//	  int32 pid = 1; int32 ppid = 2; uint32 uid = 3; string cmd = 4;
//	  string state = 5; int32 threads = 6; int64 start_unix_nano = 7;
//	  uint64 cpu_nanos = 8; string tty = 9;
//	  int32 host_pid = 20; // the host process running its code (a ptrace
//	                       // stub; pid in the sentry's pid namespace)
//	}
//	message Stats {
//	  uint64 memory_usage = 1; uint64 memory_limit = 2; uint64 pids = 3;
//	  uint64 cpu_total_nanos = 4; uint64 cpu_user_nanos = 5;
//	  uint64 cpu_kernel_nanos = 6;
//	}
package control

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protowire"
)

// Methods of the control API.
const (
	MethodStart    = "start"
	MethodExec     = "exec"
	MethodSignal   = "signal"
	MethodWait     = "wait"
	MethodPs       = "ps"
	MethodStats    = "stats"
	MethodShutdown = "shutdown"
	// MethodCreateContainer adds a container to the pod (the sandbox's
	// own control socket only); MethodState and MethodDestroy are answered
	// on a later container's socket (see Server.Container).
	MethodCreateContainer = "create-container"
	MethodState           = "state"
	MethodDestroy         = "destroy"
)

// Request is a call from the CLI.
type Request struct {
	Method  string
	PID     int32
	Signal  int32
	All     bool
	Process *Process
	// Container is the container to create (create-container).
	Container *Container
	// Foreground (signal): send to the foreground process group of the
	// controlling terminal of process PID instead (the host terminal's
	// line discipline generated the signal: host/tty.go).
	Foreground bool
}

// Container describes a later container of a pod (create-container).
type Container struct {
	ID string
	// Spec is the container's config.json.
	Spec []byte
	// Rootfs is its root's host path (shown in /proc/mounts).
	Rootfs string
	// NStdio is how many stdio fds follow the control socket.
	NStdio int32
	// BindFiles are, per bind mount, the name of the file a gofer socket
	// serves (as the only name of its directory), or "" for a directory.
	BindFiles []string
}

// Process describes a process to start (exec).
type Process struct {
	Args, Env []string
	Cwd       string
	UID, GID  uint32
	Groups    []uint32
	Terminal  bool
	Rlimits   []Rlimit
	// NFDs is how many fds came with the request (its stdio: 0, 1, 2).
	NFDs int32
	// Caps are the process's capability sets (OCI process.capabilities);
	// nil leaves the defaults of its uid (all for root, none otherwise).
	Caps *Capabilities
	// NoNewPrivs sets no_new_privs (OCI process.noNewPrivileges).
	NoNewPrivs bool
}

// Capabilities are the five capability sets of a process, bit n for
// capability n (unix.CAP_CHOWN is bit 0).
type Capabilities struct {
	Effective, Permitted, Inheritable, Bounding, Ambient uint64
}

// Rlimit is one resource limit.
type Rlimit struct {
	Resource   int32
	Soft, Hard uint64
}

// Response is the sandbox's answer.
type Response struct {
	Error  string
	PID    int32
	Code   int32
	Signal int32
	Procs  []ProcInfo
	Stats  *Stats
	// Status is a container's status (state): created, running, stopped.
	Status string
}

// ProcInfo describes one process of the sandbox (ps).
type ProcInfo struct {
	PID, PPID     int32
	UID           uint32
	Cmd           string
	State         string
	Threads       int32
	StartUnixNano int64
	CPUNanos      uint64
	TTY           string
	// HostPID is the host process that runs the process's code (its
	// address space's ptrace stub), as the sentry's pid namespace numbers
	// it; 0 if none.
	HostPID int32
}

// Stats are the sandbox's resource usage (events --stats).
type Stats struct {
	MemoryUsage, MemoryLimit, Pids          uint64
	CPUTotalNanos, CPUUserNanos, CPUKernelN uint64
}

// maxMessage bounds a message's size.
const maxMessage = 16 << 20

func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func appendInt32(b []byte, num protowire.Number, v int32) []byte {
	return appendVarint(b, num, uint64(int64(v)))
}

func appendMessage(b []byte, num protowire.Number, m []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, m)
}

// fields calls fn for each field of the message in b.
func fields(b []byte, fn func(num protowire.Number, typ protowire.Type, v uint64, data []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var v uint64
		var data []byte
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			data, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := fn(num, typ, v, data); err != nil {
			return err
		}
	}
	return nil
}

// Marshal encodes r.
func (r *Request) Marshal() []byte {
	var b []byte
	b = appendString(b, 1, r.Method)
	b = appendInt32(b, 2, r.PID)
	b = appendInt32(b, 3, r.Signal)
	if r.All {
		b = appendVarint(b, 4, 1)
	}
	if r.Process != nil {
		b = appendMessage(b, 5, r.Process.marshal())
	}
	if r.Container != nil {
		b = appendMessage(b, 6, r.Container.marshal())
	}
	if r.Foreground {
		b = appendVarint(b, 20, 1)
	}
	return b
}

// Unmarshal decodes b into r.
func (r *Request) Unmarshal(b []byte) error {
	*r = Request{}
	return fields(b, func(num protowire.Number, typ protowire.Type, v uint64, data []byte) error {
		switch num {
		case 1:
			r.Method = string(data)
		case 2:
			r.PID = int32(v)
		case 3:
			r.Signal = int32(v)
		case 4:
			r.All = v != 0
		case 5:
			r.Process = &Process{}
			return r.Process.unmarshal(data)
		case 6:
			r.Container = &Container{}
			return r.Container.unmarshal(data)
		case 20:
			r.Foreground = v != 0
		}
		return nil
	})
}

func (c *Container) marshal() []byte {
	var b []byte
	b = appendString(b, 1, c.ID)
	if len(c.Spec) > 0 {
		b = appendMessage(b, 2, c.Spec)
	}
	b = appendString(b, 3, c.Rootfs)
	b = appendInt32(b, 4, c.NStdio)
	for _, f := range c.BindFiles {
		// Empty entries count: the list is positional.
		b = protowire.AppendTag(b, 5, protowire.BytesType)
		b = protowire.AppendString(b, f)
	}
	return b
}

func (c *Container) unmarshal(b []byte) error {
	return fields(b, func(num protowire.Number, _ protowire.Type, v uint64, data []byte) error {
		switch num {
		case 1:
			c.ID = string(data)
		case 2:
			c.Spec = append([]byte(nil), data...)
		case 3:
			c.Rootfs = string(data)
		case 4:
			c.NStdio = int32(v)
		case 5:
			c.BindFiles = append(c.BindFiles, string(data))
		}
		return nil
	})
}

func (p *Process) marshal() []byte {
	var b []byte
	for _, a := range p.Args {
		b = protowire.AppendTag(b, 1, protowire.BytesType)
		b = protowire.AppendString(b, a)
	}
	for _, e := range p.Env {
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendString(b, e)
	}
	b = appendString(b, 3, p.Cwd)
	b = appendVarint(b, 4, uint64(p.UID))
	b = appendVarint(b, 5, uint64(p.GID))
	if len(p.Groups) > 0 {
		var packed []byte
		for _, g := range p.Groups {
			packed = protowire.AppendVarint(packed, uint64(g))
		}
		b = appendMessage(b, 6, packed)
	}
	if p.Terminal {
		b = appendVarint(b, 7, 1)
	}
	for _, l := range p.Rlimits {
		var m []byte
		m = appendInt32(m, 1, l.Resource)
		m = appendVarint(m, 2, l.Soft)
		m = appendVarint(m, 3, l.Hard)
		b = appendMessage(b, 8, m)
	}
	b = appendInt32(b, 9, p.NFDs)
	if c := p.Caps; c != nil {
		var m []byte
		for i, v := range []uint64{c.Effective, c.Permitted, c.Inheritable, c.Bounding, c.Ambient} {
			m = appendVarint(m, protowire.Number(i+1), v)
		}
		b = appendMessage(b, 10, m) // present even when every set is empty
	}
	if p.NoNewPrivs {
		b = appendVarint(b, 11, 1)
	}
	return b
}

func (p *Process) unmarshal(b []byte) error {
	return fields(b, func(num protowire.Number, typ protowire.Type, v uint64, data []byte) error {
		switch num {
		case 1:
			p.Args = append(p.Args, string(data))
		case 2:
			p.Env = append(p.Env, string(data))
		case 3:
			p.Cwd = string(data)
		case 4:
			p.UID = uint32(v)
		case 5:
			p.GID = uint32(v)
		case 6:
			if typ == protowire.VarintType {
				p.Groups = append(p.Groups, uint32(v))
				return nil
			}
			for len(data) > 0 {
				g, n := protowire.ConsumeVarint(data)
				if n < 0 {
					return protowire.ParseError(n)
				}
				p.Groups = append(p.Groups, uint32(g))
				data = data[n:]
			}
		case 7:
			p.Terminal = v != 0
		case 8:
			var l Rlimit
			if err := fields(data, func(num protowire.Number, _ protowire.Type, v uint64, _ []byte) error {
				switch num {
				case 1:
					l.Resource = int32(v)
				case 2:
					l.Soft = v
				case 3:
					l.Hard = v
				}
				return nil
			}); err != nil {
				return err
			}
			p.Rlimits = append(p.Rlimits, l)
		case 9:
			p.NFDs = int32(v)
		case 10:
			c := &Capabilities{}
			sets := []*uint64{&c.Effective, &c.Permitted, &c.Inheritable, &c.Bounding, &c.Ambient}
			if err := fields(data, func(num protowire.Number, _ protowire.Type, v uint64, _ []byte) error {
				if num >= 1 && int(num) <= len(sets) {
					*sets[num-1] = v
				}
				return nil
			}); err != nil {
				return err
			}
			p.Caps = c
		case 11:
			p.NoNewPrivs = v != 0
		}
		return nil
	})
}

// Marshal encodes r.
func (r *Response) Marshal() []byte {
	var b []byte
	b = appendString(b, 1, r.Error)
	b = appendInt32(b, 2, r.PID)
	b = appendInt32(b, 3, r.Code)
	b = appendInt32(b, 4, r.Signal)
	for _, p := range r.Procs {
		var m []byte
		m = appendInt32(m, 1, p.PID)
		m = appendInt32(m, 2, p.PPID)
		m = appendVarint(m, 3, uint64(p.UID))
		m = appendString(m, 4, p.Cmd)
		m = appendString(m, 5, p.State)
		m = appendInt32(m, 6, p.Threads)
		m = appendVarint(m, 7, uint64(p.StartUnixNano))
		m = appendVarint(m, 8, p.CPUNanos)
		m = appendString(m, 9, p.TTY)
		m = appendInt32(m, 20, p.HostPID)
		b = appendMessage(b, 5, m)
	}
	if s := r.Stats; s != nil {
		var m []byte
		m = appendVarint(m, 1, s.MemoryUsage)
		m = appendVarint(m, 2, s.MemoryLimit)
		m = appendVarint(m, 3, s.Pids)
		m = appendVarint(m, 4, s.CPUTotalNanos)
		m = appendVarint(m, 5, s.CPUUserNanos)
		m = appendVarint(m, 6, s.CPUKernelN)
		b = appendMessage(b, 6, m)
	}
	b = appendString(b, 7, r.Status)
	return b
}

// Unmarshal decodes b into r.
func (r *Response) Unmarshal(b []byte) error {
	*r = Response{}
	return fields(b, func(num protowire.Number, typ protowire.Type, v uint64, data []byte) error {
		switch num {
		case 1:
			r.Error = string(data)
		case 2:
			r.PID = int32(v)
		case 3:
			r.Code = int32(v)
		case 4:
			r.Signal = int32(v)
		case 5:
			var p ProcInfo
			if err := fields(data, func(num protowire.Number, _ protowire.Type, v uint64, data []byte) error {
				switch num {
				case 1:
					p.PID = int32(v)
				case 2:
					p.PPID = int32(v)
				case 3:
					p.UID = uint32(v)
				case 4:
					p.Cmd = string(data)
				case 5:
					p.State = string(data)
				case 6:
					p.Threads = int32(v)
				case 7:
					p.StartUnixNano = int64(v)
				case 8:
					p.CPUNanos = v
				case 9:
					p.TTY = string(data)
				case 20:
					p.HostPID = int32(v)
				}
				return nil
			}); err != nil {
				return err
			}
			r.Procs = append(r.Procs, p)
		case 6:
			s := &Stats{}
			if err := fields(data, func(num protowire.Number, _ protowire.Type, v uint64, _ []byte) error {
				switch num {
				case 1:
					s.MemoryUsage = v
				case 2:
					s.MemoryLimit = v
				case 3:
					s.Pids = v
				case 4:
					s.CPUTotalNanos = v
				case 5:
					s.CPUUserNanos = v
				case 6:
					s.CPUKernelN = v
				}
				return nil
			}); err != nil {
				return err
			}
			r.Stats = s
		case 7:
			r.Status = string(data)
		}
		return nil
	})
}

// frameHeader is the length prefix of a message.
const frameHeader = 4

// encodeFrame returns the framed message.
func encodeFrame(m []byte) []byte {
	b := make([]byte, frameHeader, frameHeader+len(m))
	binary.BigEndian.PutUint32(b, uint32(len(m)))
	return append(b, m...)
}

// readFrame reads one framed message whose first byte (or part) may have
// been read already into pre.
func readFrame(r io.Reader, pre []byte) ([]byte, error) {
	hdr := make([]byte, frameHeader)
	n := copy(hdr, pre)
	pre = pre[n:]
	if _, err := io.ReadFull(r, hdr[n:]); err != nil {
		return nil, err
	}
	size := binary.BigEndian.Uint32(hdr)
	if size > maxMessage {
		return nil, fmt.Errorf("control message of %d bytes is too large", size)
	}
	m := make([]byte, size)
	k := copy(m, pre)
	if _, err := io.ReadFull(r, m[k:]); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return m, nil
}
