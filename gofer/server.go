// Package gofer is the file server of a sandbox (`runsc gofer`): the only
// process that touches the container's files on the host. It serves the
// sentry over the protocol of package gofer/proto and answers opens with
// host fds (SCM_RIGHTS), which the sentry then reads and writes itself.
//
// # Handles
//
// A handle is a node of the gofer's file table: an O_PATH|O_NOFOLLOW fd
// of the file plus the node's parent and name. Every node is reached from
// the root by single names (no "/", ".", ".." or NUL), each opened with
// openat2(parent, name, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
// RESOLVE_NO_MAGICLINKS): the gofer never follows a symlink (the sentry
// reads links and resolves them in its own tree) and so never leaves the
// root. The same rule opens files for I/O: a directory is opened as "."
// below its own O_PATH fd, any other file as its name below its parent's
// fd, and the result's identity (st_dev, st_ino) must be the node's or the
// open fails with ESTALE (a host process replaced the file).
//
// The O_PATH fds are a cache: when more than Options.MaxFDs are open the
// least recently used ones are closed, and reopened from the parent (and
// checked) on the next use. The root, nodes in use and removed nodes keep
// theirs. Walking a name that already has a node returns that node (one
// more reference).
//
// # Read-only
//
// With Options.ReadOnly every change is refused with EROFS: create, mkdir,
// mknod, symlink, link, unlink, rename, setattr, setxattr, removexattr, and
// opens for writing or truncation (except of the harmless character devices
// null, zero, full, random, urandom and tty, as fs/host's TreeFS allows).
//
// # Devices
//
// The gofer makes no device nodes (mknod of a character or block device is
// EPERM) and opens none but the harmless ones above (ENXIO).
//
// # Concurrency
//
// Every connection is served by its own goroutine, one request at a time;
// the client opens more connections with OpChannel. The file table is
// guarded by one mutex held only around table updates (and the rare
// reopening of an evicted fd); host calls on a node run with the node
// pinned, without the lock.
package gofer

import (
	"container/list"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/gofer/proto"
)

// Options configure a Server.
type Options struct {
	// ReadOnly refuses every change (EROFS).
	ReadOnly bool
	// HideHostSpecial hides the host's procfs, sysfs, cgroup and
	// securityfs mounts below the root (ENOENT on walk): they describe the
	// host, never the sandbox. For a root of "/" (runsc do).
	HideHostSpecial bool
	// MaxFDs bounds the O_PATH fds the file table keeps open (0: half the
	// RLIMIT_NOFILE soft limit).
	MaxFDs int
	// Only, if set, is the one name of the root directory the client may
	// reach: the root is the parent of a single file served (a bind mount
	// of a file). Walks to any other name fail with ENOENT, and every
	// other use of the root handle (open, getdents, changes, attributes)
	// with EPERM, so the client never sees the file's siblings.
	Only string
}

// Server serves one root directory.
type Server struct {
	opts Options

	mu      sync.Mutex
	nodes   map[uint64]*node
	next    uint64
	byName  map[nameKey][]*node
	lru     *list.List // of *node with an fd, most recent first
	openFDs int
	root    *node
	hidden  map[uint64]bool
	// procFD is a path prefix for the *xattr calls on handles
	// ("/proc/self/fd/"), or "" when /proc is not reachable.
	procFD string
}

type nameKey struct {
	parent *node
	name   string
}

// node is a file of the table.
type node struct {
	id       uint64
	parent   *node
	name     string
	dev, ino uint64
	mode     uint32 // S_IFMT bits
	fd       int    // O_PATH fd, or -1 when evicted
	elem     *list.Element
	// refs counts the client's references and the child nodes.
	refs int
	// pins counts host calls in progress on fd.
	pins int
	// removed is set once the name is gone (unlink, rename over it):
	// the node keeps its fd for good, since it cannot be reopened.
	removed bool
}

// resolveHow confines every name the gofer opens.
const resolveHow = unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS

// NewServer opens root (with O_PATH) and returns a server for it.
func NewServer(root string, opts Options) (*Server, error) {
	fd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening the root %s: %w", root, err)
	}
	return NewServerFD(fd, opts)
}

// NewServerFD serves the directory open (O_PATH is enough) as rootFD, and
// takes ownership of it.
func NewServerFD(rootFD int, opts Options) (*Server, error) {
	var st unix.Stat_t
	if err := unix.Fstat(rootFD, &st); err != nil {
		unix.Close(rootFD)
		return nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		unix.Close(rootFD)
		return nil, unix.ENOTDIR
	}
	if opts.MaxFDs <= 0 {
		var rl unix.Rlimit
		opts.MaxFDs = 4096
		if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) == nil && rl.Cur > 256 {
			opts.MaxFDs = int(min(rl.Cur/2, 1<<20))
		}
	}
	s := &Server{opts: opts, nodes: map[uint64]*node{}, next: 1, byName: map[nameKey][]*node{},
		lru: list.New(), hidden: map[uint64]bool{}}
	s.root = &node{id: s.next, dev: st.Dev, ino: st.Ino, mode: unix.S_IFDIR, fd: rootFD, refs: 1}
	s.next++
	s.nodes[s.root.id] = s.root
	s.openFDs = 1
	if opts.HideHostSpecial {
		s.hidden = hostSpecialDevs()
	}
	if _, err := unix.Readlink(fmt.Sprintf("/proc/self/fd/%d", rootFD), make([]byte, 64)); err == nil {
		s.procFD = "/proc/self/fd/"
	}
	return s, nil
}

// ProcGone tells the server that /proc is no longer reachable by path (the
// gofer pivoted into a root without it): xattrs are then reached through
// files opened for reading (symlinks have none). Call it before Serve.
func (s *Server) ProcGone() { s.procFD = "" }

// hostSpecialDevs returns the devices of the host's procfs, sysfs, cgroup
// and securityfs mounts.
func hostSpecialDevs() map[uint64]bool {
	devs := map[uint64]bool{}
	for _, p := range []string{"/proc", "/sys", "/proc/sys/fs/binfmt_misc", "/sys/kernel/security", "/sys/fs/cgroup"} {
		var st unix.Stat_t
		var sfs unix.Statfs_t
		if unix.Stat(p, &st) != nil || unix.Statfs(p, &sfs) != nil {
			continue
		}
		switch sfs.Type {
		case unix.PROC_SUPER_MAGIC, unix.SYSFS_MAGIC, unix.CGROUP2_SUPER_MAGIC, unix.CGROUP_SUPER_MAGIC, unix.SECURITYFS_MAGIC:
			devs[st.Dev] = true
		}
	}
	return devs
}

// Close releases every node's fd. Connections still being served fail.
func (s *Server) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.nodes {
		if n.fd >= 0 {
			unix.Close(n.fd)
			n.fd = -1
		}
	}
	s.nodes = map[uint64]*node{}
}

// Handles returns how many nodes are in the table (root included) and how
// many O_PATH fds they hold, for tests.
func (s *Server) Handles() (nodes, fds int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.nodes), s.openFDs
}

// Serve serves the connection sock (an AF_UNIX SOCK_SEQPACKET socket,
// which Serve closes) until the peer closes it. It returns nil on a clean
// close.
func (s *Server) Serve(sock int) error {
	defer unix.Close(sock)
	buf := make([]byte, proto.MaxMessage)
	oob := make([]byte, proto.OOBSize)
	out := make([]byte, 0, 4096)
	for {
		msg, fd, err := proto.Recv(sock, buf, oob)
		if fd >= 0 {
			unix.Close(fd) // requests carry no fds
		}
		if err == proto.ErrMalformed {
			slog.Debug("gofer: dropping a malformed message")
			continue
		}
		if err != nil {
			return err
		}
		if len(msg) == 0 {
			return nil // peer closed
		}
		h, err := proto.ParseHeader(msg)
		if err != nil || h.Flags&proto.FlagResponse != 0 {
			// Without a readable header there is no id to answer.
			return fmt.Errorf("gofer: malformed request header (%d bytes)", len(msg))
		}
		var body proto.Message
		var errno unix.Errno
		hostFD := -1
		switch {
		case h.Version != proto.Version:
			errno = unix.EPROTONOSUPPORT
		case !h.Op.Valid():
			errno = unix.ENOSYS
		default:
			req := proto.NewRequest(h.Op)
			if proto.DecodeRequest(msg, req) != nil {
				errno = unix.EINVAL
			} else {
				body, hostFD, errno = s.dispatch(h.Op, req)
			}
		}
		out = proto.AppendResponse(out[:0], h.Op, h.ID, errno, body, hostFD >= 0)
		err = proto.Send(sock, out, hostFD)
		if hostFD >= 0 {
			unix.Close(hostFD)
		}
		if err != nil {
			return err
		}
	}
}

// dispatch runs one request; a panic (a bug) is an EIO answer, never the
// gofer's death.
func (s *Server) dispatch(op proto.Op, req proto.Message) (body proto.Message, hostFD int, errno unix.Errno) {
	hostFD = -1
	defer func() {
		if r := recover(); r != nil {
			slog.Error("gofer: panic serving a request", "op", op.String(), "panic", r, "stack", string(debug.Stack()))
			if hostFD >= 0 {
				unix.Close(hostFD)
			}
			body, hostFD, errno = nil, -1, unix.EIO
		}
	}()
	var err error
	if s.opts.Only != "" {
		if err := s.onlyCheck(op, req); err != nil {
			if op == proto.OpWalk {
				return &proto.WalkResp{}, -1, err.(unix.Errno)
			}
			return nil, -1, err.(unix.Errno)
		}
	}
	switch op {
	case proto.OpAttach:
		body, err = s.attach()
	case proto.OpChannel:
		hostFD, err = s.channel()
	case proto.OpWalk:
		var r *proto.WalkResp
		r, err = s.walk(req.(*proto.WalkReq))
		if r != nil && (err == nil || err == unix.ENOENT) {
			body = r
		}
	case proto.OpStat:
		body, err = s.stat(req.(*proto.HandleReq).Handle)
	case proto.OpOpen:
		hostFD, err = s.open(req.(*proto.OpenReq))
	case proto.OpCreate:
		body, hostFD, err = s.create(req.(*proto.CreateReq))
	case proto.OpMkdir:
		body, err = s.mkdir(req.(*proto.MkdirReq))
	case proto.OpMknod:
		body, err = s.mknod(req.(*proto.MknodReq))
	case proto.OpSymlink:
		body, err = s.symlink(req.(*proto.SymlinkReq))
	case proto.OpLink:
		body, err = s.link(req.(*proto.LinkReq))
	case proto.OpUnlink:
		err = s.unlink(req.(*proto.UnlinkReq))
	case proto.OpRename:
		err = s.rename(req.(*proto.RenameReq))
	case proto.OpReadlink:
		body, err = s.readlink(req.(*proto.HandleReq).Handle)
	case proto.OpSetAttr:
		body, err = s.setAttr(req.(*proto.SetAttrReq))
	case proto.OpGetdents:
		body, err = s.getdents(req.(*proto.GetdentsReq))
	case proto.OpGetxattr:
		body, err = s.getxattr(req.(*proto.GetxattrReq))
	case proto.OpListxattr:
		body, err = s.listxattr(req.(*proto.ListxattrReq))
	case proto.OpSetxattr:
		err = s.setxattr(req.(*proto.SetxattrReq))
	case proto.OpRemovexattr:
		err = s.removexattr(req.(*proto.RemovexattrReq))
	case proto.OpStatfs:
		body, err = s.statfs(req.(*proto.HandleReq).Handle)
	case proto.OpClose:
		s.release(req.(*proto.CloseReq).Handles)
	default:
		err = unix.ENOSYS
	}
	if err != nil {
		if hostFD >= 0 {
			unix.Close(hostFD)
			hostFD = -1
		}
		errno = toErrno(err)
		if op != proto.OpWalk || errno != unix.ENOENT {
			body = nil // (the handlers return typed nils)
		} else if body == nil {
			body = &proto.WalkResp{}
		}
		return body, -1, errno
	}
	return body, hostFD, 0
}

// onlyCheck refuses the requests that would reach beyond Options.Only
// through the root handle.
func (s *Server) onlyCheck(op proto.Op, req proto.Message) error {
	root := s.root.id
	switch r := req.(type) {
	case *proto.WalkReq:
		if r.Dir == root && len(r.Names) > 0 && r.Names[0] != s.opts.Only {
			return unix.ENOENT
		}
		return nil
	case *proto.HandleReq:
		if r.Handle == root && op != proto.OpStat && op != proto.OpStatfs {
			return unix.EPERM
		}
		return nil
	case *proto.OpenReq:
		if r.Handle == root {
			return unix.EPERM
		}
	case *proto.CreateReq:
		if r.Dir == root {
			return unix.EPERM
		}
	case *proto.MkdirReq:
		if r.Dir == root {
			return unix.EPERM
		}
	case *proto.MknodReq:
		if r.Dir == root {
			return unix.EPERM
		}
	case *proto.SymlinkReq:
		if r.Dir == root {
			return unix.EPERM
		}
	case *proto.LinkReq:
		if r.Dir == root || r.Target == root {
			return unix.EPERM
		}
	case *proto.UnlinkReq:
		if r.Dir == root {
			return unix.EPERM
		}
	case *proto.RenameReq:
		if r.OldDir == root || r.NewDir == root {
			return unix.EPERM
		}
	case *proto.SetAttrReq:
		if r.Handle == root {
			return unix.EPERM
		}
	case *proto.GetdentsReq:
		if r.Dir == root {
			return unix.EPERM
		}
	case *proto.GetxattrReq:
		if r.Handle == root {
			return unix.EPERM
		}
	case *proto.ListxattrReq:
		if r.Handle == root {
			return unix.EPERM
		}
	case *proto.SetxattrReq:
		if r.Handle == root {
			return unix.EPERM
		}
	case *proto.RemovexattrReq:
		if r.Handle == root {
			return unix.EPERM
		}
	}
	return nil
}

func toErrno(err error) unix.Errno {
	if e, ok := err.(unix.Errno); ok {
		return e
	}
	return unix.EIO
}

// channel makes a new connection served by its own goroutine and returns
// the client's end.
func (s *Server) channel() (int, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	go s.Serve(fds[0])
	return fds[1], nil
}

// --- the file table ---

// get returns the node of handle h, pinned (its fd open and kept open
// until unpin).
func (s *Server) get(h uint64) (*node, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.nodes[h]
	if n == nil {
		return nil, unix.EBADF
	}
	if err := s.pinLocked(n); err != nil {
		return nil, err
	}
	return n, nil
}

// getDir is get for a directory handle.
func (s *Server) getDir(h uint64) (*node, error) {
	n, err := s.get(h)
	if err != nil {
		return nil, err
	}
	if n.mode != unix.S_IFDIR {
		s.unpin(n)
		return nil, unix.ENOTDIR
	}
	return n, nil
}

func (s *Server) pinLocked(n *node) error {
	if err := s.ensureFDLocked(n); err != nil {
		return err
	}
	n.pins++
	if s.openFDs > s.opts.MaxFDs {
		s.evictLocked()
	}
	return nil
}

func (s *Server) unpin(n *node) {
	s.mu.Lock()
	n.pins--
	s.mu.Unlock()
}

// ensureFDLocked reopens an evicted node's fd from its parent, checking
// that the name still leads to the same file.
func (s *Server) ensureFDLocked(n *node) error {
	if n.fd >= 0 {
		if n.elem != nil {
			s.lru.MoveToFront(n.elem)
		}
		return nil
	}
	if n.parent == nil || n.removed {
		return unix.ESTALE
	}
	if err := s.ensureFDLocked(n.parent); err != nil {
		return err
	}
	fd, err := openat2(n.parent.fd, n.name, unix.O_PATH|unix.O_NOFOLLOW)
	if err != nil {
		if err == unix.ENOENT {
			return unix.ESTALE
		}
		return err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Dev != n.dev || st.Ino != n.ino {
		unix.Close(fd)
		return unix.ESTALE
	}
	n.fd = fd
	n.elem = s.lru.PushFront(n)
	s.openFDs++
	return nil
}

// evictLocked closes the least recently used fds above the bound.
func (s *Server) evictLocked() {
	for e := s.lru.Back(); e != nil && s.openFDs > s.opts.MaxFDs; {
		prev := e.Prev()
		n := e.Value.(*node)
		if n.pins == 0 && !n.removed && n.parent != nil {
			unix.Close(n.fd)
			n.fd = -1
			s.lru.Remove(e)
			n.elem = nil
			s.openFDs--
		}
		e = prev
	}
}

// addLocked enters the file open as fd (O_PATH) with attributes st as the
// child name of parent, or, if that child is already a node for the same
// file, takes a reference on it (and closes fd). The result is pinned.
func (s *Server) addLocked(parent *node, name string, fd int, st *unix.Stat_t) *node {
	key := nameKey{parent, name}
	for _, n := range s.byName[key] {
		if n.dev == st.Dev && n.ino == st.Ino && !n.removed {
			unix.Close(fd)
			n.refs++
			if err := s.pinLocked(n); err == nil {
				return n
			}
			n.refs--
			fd = -1
			break
		}
	}
	if fd < 0 {
		var err error
		if fd, err = openat2(parent.fd, name, unix.O_PATH|unix.O_NOFOLLOW); err != nil {
			return nil
		}
	}
	n := &node{id: s.next, parent: parent, name: name, dev: st.Dev, ino: st.Ino,
		mode: st.Mode & unix.S_IFMT, fd: fd, refs: 1, pins: 1}
	s.next++
	n.elem = s.lru.PushFront(n)
	s.openFDs++
	s.nodes[n.id] = n
	s.byName[key] = append(s.byName[key], n)
	parent.refs++
	s.evictLocked()
	return n
}

// unrefLocked drops a reference; a node without any leaves the table.
func (s *Server) unrefLocked(n *node) {
	for n != nil {
		n.refs--
		if n.refs > 0 || n == s.root {
			return
		}
		delete(s.nodes, n.id)
		s.unindexLocked(n)
		if n.fd >= 0 {
			unix.Close(n.fd)
			n.fd = -1
			s.openFDs--
		}
		if n.elem != nil {
			s.lru.Remove(n.elem)
			n.elem = nil
		}
		n = n.parent
	}
}

func (s *Server) unindexLocked(n *node) {
	if n.parent == nil {
		return
	}
	key := nameKey{n.parent, n.name}
	l := s.byName[key]
	for i, x := range l {
		if x == n {
			l = append(l[:i], l[i+1:]...)
			break
		}
	}
	if len(l) == 0 {
		delete(s.byName, key)
	} else {
		s.byName[key] = l
	}
}

// markRemovedLocked records that dir/name is gone: its nodes keep their
// fds (pinned by removed) and can no longer be reopened.
func (s *Server) markRemovedLocked(dir *node, name string) {
	key := nameKey{dir, name}
	for _, n := range s.byName[key] {
		if s.ensureFDLocked(n) == nil {
			n.removed = true
		}
	}
	delete(s.byName, key)
}

func (s *Server) release(handles []uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range handles {
		if n := s.nodes[h]; n != nil && n != s.root {
			s.unrefLocked(n)
		}
	}
}

// --- host helpers ---

func openat2(dirfd int, name string, flags int) (int, error) {
	flags |= unix.O_CLOEXEC
	if flags&unix.O_PATH == 0 {
		flags |= unix.O_NOCTTY
	}
	how := unix.OpenHow{Flags: uint64(flags), Resolve: resolveHow}
	for {
		fd, err := unix.Openat2(dirfd, name, &how)
		if err == unix.EINTR {
			continue
		}
		return fd, err
	}
}

// reopen opens node n (pinned) for I/O with flags: a directory as "."
// below its own fd, another file by name below its parent, checked to be
// the same file.
func (s *Server) reopen(n *node, flags int) (int, error) {
	if n.mode == unix.S_IFDIR {
		return openat2(n.fd, ".", flags|unix.O_DIRECTORY)
	}
	if n.mode == unix.S_IFLNK {
		return -1, unix.ELOOP
	}
	s.mu.Lock()
	p, name := n.parent, n.name
	if p == nil || n.removed {
		s.mu.Unlock()
		return -1, unix.ENOENT
	}
	if err := s.pinLocked(p); err != nil {
		s.mu.Unlock()
		return -1, err
	}
	s.mu.Unlock()
	defer s.unpin(p)
	fd, err := openat2(p.fd, name, flags|unix.O_NOFOLLOW)
	if err != nil {
		if err == unix.ENOENT {
			err = unix.ESTALE
		}
		return -1, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Dev != n.dev || st.Ino != n.ino {
		unix.Close(fd)
		return -1, unix.ESTALE
	}
	return fd, nil
}

// harmlessDevice reports the character devices the gofer opens (and the
// sandbox may write even on a read-only root): null, zero, full, random,
// urandom, tty.
func harmlessDevice(rdev uint64) bool {
	maj, min := unix.Major(rdev), unix.Minor(rdev)
	switch {
	case maj == 1 && (min == 3 || min == 5 || min == 7 || min == 8 || min == 9):
		return true
	case maj == 5 && min == 0:
		return true
	}
	return false
}

func fstat(fd int) (proto.Stat, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return proto.Stat{}, err
	}
	return proto.FromUnix(&st), nil
}

// --- operations ---

func (s *Server) attach() (*proto.EntryResp, error) {
	s.mu.Lock()
	s.root.refs++
	s.mu.Unlock()
	st, err := fstat(s.root.fd)
	if err != nil {
		return nil, err
	}
	return &proto.EntryResp{Handle: s.root.id, Stat: st}, nil
}

func (s *Server) walk(req *proto.WalkReq) (*proto.WalkResp, error) {
	dir, err := s.get(req.Dir)
	if err != nil {
		return nil, err
	}
	resp := &proto.WalkResp{}
	defer func() { s.unpin(dir) }()
	for _, name := range req.Names {
		if dir.mode != unix.S_IFDIR {
			// The walk stops after a non-directory (a symlink is the
			// sentry's to follow).
			if len(resp.Entries) == 0 {
				return resp, unix.ENOTDIR
			}
			return resp, nil
		}
		if !proto.ValidName(name) {
			return resp, unix.EINVAL
		}
		fd, err := openat2(dir.fd, name, unix.O_PATH|unix.O_NOFOLLOW)
		if err != nil {
			if err == unix.EXDEV || err == unix.ELOOP {
				// RESOLVE_BENEATH / NO_MAGICLINKS refusals of a
				// single name cannot happen for a plain entry.
				err = unix.EACCES
			}
			return resp, err
		}
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			unix.Close(fd)
			return resp, err
		}
		if s.hidden[st.Dev] {
			unix.Close(fd)
			return resp, unix.ENOENT
		}
		s.mu.Lock()
		n := s.addLocked(dir, name, fd, &st)
		if n == nil {
			s.mu.Unlock()
			return resp, unix.ESTALE
		}
		dir.pins--
		s.mu.Unlock()
		dir = n
		resp.Entries = append(resp.Entries, proto.EntryResp{Handle: n.id, Stat: proto.FromUnix(&st)})
	}
	return resp, nil
}

func (s *Server) stat(h uint64) (*proto.StatResp, error) {
	n, err := s.get(h)
	if err != nil {
		return nil, err
	}
	defer s.unpin(n)
	st, err := fstat(n.fd)
	if err != nil {
		return nil, err
	}
	return &proto.StatResp{Stat: st}, nil
}

// openFlags are the open(2) flags a client may ask for.
const openFlags = unix.O_ACCMODE | unix.O_TRUNC | unix.O_APPEND | unix.O_DIRECT | unix.O_NOATIME |
	unix.O_NONBLOCK | unix.O_DIRECTORY | unix.O_DSYNC | unix.O_SYNC | unix.O_LARGEFILE

func writing(flags int) bool {
	return flags&unix.O_ACCMODE != unix.O_RDONLY || flags&unix.O_TRUNC != 0
}

func (s *Server) open(req *proto.OpenReq) (int, error) {
	flags := int(req.Flags) & openFlags
	if flags&unix.O_ACCMODE == unix.O_ACCMODE {
		return -1, unix.EINVAL
	}
	n, err := s.get(req.Handle)
	if err != nil {
		return -1, err
	}
	defer s.unpin(n)
	switch n.mode {
	case unix.S_IFCHR, unix.S_IFBLK:
		var st unix.Stat_t
		if err := unix.Fstat(n.fd, &st); err != nil {
			return -1, err
		}
		if n.mode == unix.S_IFBLK || !harmlessDevice(st.Rdev) {
			return -1, unix.ENXIO
		}
		flags &^= unix.O_TRUNC
	case unix.S_IFSOCK:
		return -1, unix.ENXIO
	case unix.S_IFIFO:
		// Never block the gofer in open(2); the sentry waits for
		// readiness itself.
		flags |= unix.O_NONBLOCK
		flags &^= unix.O_TRUNC
		if s.opts.ReadOnly && writing(flags) {
			return -1, unix.EROFS
		}
	default:
		if s.opts.ReadOnly && writing(flags) {
			return -1, unix.EROFS
		}
	}
	if flags&unix.O_DIRECTORY != 0 && n.mode != unix.S_IFDIR {
		return -1, unix.ENOTDIR
	}
	if n.mode == unix.S_IFDIR && writing(flags) {
		return -1, unix.EISDIR
	}
	return s.reopen(n, flags)
}

// chown gives the file open as fd (any kind of fd) the owner the sentry
// asked for. A gofer without the privilege to give files away keeps them
// its own (a rootless `runsc do`).
func chown(fd int, uid, gid uint32) {
	if err := unix.Fchownat(fd, "", int(uid), int(gid), unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW); err != nil {
		unix.Fchownat(fd, "", -1, int(gid), unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW)
	}
}

// newChild enters the just-made dir/name (made by this gofer) as a node and
// returns its entry; the node is unpinned.
func (s *Server) newChild(dir *node, name string, uid, gid uint32) (*proto.EntryResp, error) {
	fd, err := openat2(dir.fd, name, unix.O_PATH|unix.O_NOFOLLOW)
	if err != nil {
		return nil, err
	}
	if uid != ^uint32(0) {
		chown(fd, uid, gid)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, err
	}
	s.mu.Lock()
	n := s.addLocked(dir, name, fd, &st)
	if n != nil {
		n.pins--
	}
	s.mu.Unlock()
	if n == nil {
		return nil, unix.ESTALE
	}
	return &proto.EntryResp{Handle: n.id, Stat: proto.FromUnix(&st)}, nil
}

// changeDir checks a directory change request and returns the directory,
// pinned.
func (s *Server) changeDir(h uint64, name string) (*node, error) {
	if s.opts.ReadOnly {
		return nil, unix.EROFS
	}
	if !proto.ValidName(name) {
		return nil, unix.EINVAL
	}
	return s.getDir(h)
}

func (s *Server) create(req *proto.CreateReq) (*proto.EntryResp, int, error) {
	dir, err := s.changeDir(req.Dir, req.Name)
	if err != nil {
		return nil, -1, err
	}
	defer s.unpin(dir)
	flags := int(req.Flags)&(openFlags&^(unix.O_DIRECTORY|unix.O_TRUNC)) | unix.O_CREAT | unix.O_EXCL | unix.O_NOFOLLOW
	if flags&unix.O_ACCMODE == unix.O_ACCMODE {
		return nil, -1, unix.EINVAL
	}
	how := unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC | unix.O_NOCTTY), Mode: uint64(req.Mode & 0o7777), Resolve: resolveHow}
	fd, err := unix.Openat2(dir.fd, req.Name, &how)
	if err != nil {
		return nil, -1, err
	}
	e, err := s.newChild(dir, req.Name, req.UID, req.GID)
	if err != nil {
		unix.Close(fd)
		return nil, -1, err
	}
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil || st.Dev != e.Stat.Dev || st.Ino != e.Stat.Ino {
		unix.Close(fd)
		s.release([]uint64{e.Handle})
		return nil, -1, unix.ESTALE
	}
	return e, fd, nil
}

func (s *Server) mkdir(req *proto.MkdirReq) (*proto.EntryResp, error) {
	dir, err := s.changeDir(req.Dir, req.Name)
	if err != nil {
		return nil, err
	}
	defer s.unpin(dir)
	if err := unix.Mkdirat(dir.fd, req.Name, req.Mode&0o7777); err != nil {
		return nil, err
	}
	return s.newChild(dir, req.Name, req.UID, req.GID)
}

func (s *Server) mknod(req *proto.MknodReq) (*proto.EntryResp, error) {
	dir, err := s.changeDir(req.Dir, req.Name)
	if err != nil {
		return nil, err
	}
	defer s.unpin(dir)
	switch req.Mode & unix.S_IFMT {
	case unix.S_IFREG, unix.S_IFIFO, unix.S_IFSOCK:
	case 0:
		req.Mode |= unix.S_IFREG
	case unix.S_IFCHR, unix.S_IFBLK:
		return nil, unix.EPERM
	default:
		return nil, unix.EINVAL
	}
	if err := unix.Mknodat(dir.fd, req.Name, req.Mode&(unix.S_IFMT|0o7777), 0); err != nil {
		return nil, err
	}
	return s.newChild(dir, req.Name, req.UID, req.GID)
}

func (s *Server) symlink(req *proto.SymlinkReq) (*proto.EntryResp, error) {
	dir, err := s.changeDir(req.Dir, req.Name)
	if err != nil {
		return nil, err
	}
	defer s.unpin(dir)
	if req.Target == "" || strings.IndexByte(req.Target, 0) >= 0 {
		return nil, unix.ENOENT
	}
	if err := unix.Symlinkat(req.Target, dir.fd, req.Name); err != nil {
		return nil, err
	}
	return s.newChild(dir, req.Name, req.UID, req.GID)
}

func (s *Server) link(req *proto.LinkReq) (*proto.StatResp, error) {
	dir, err := s.changeDir(req.Dir, req.Name)
	if err != nil {
		return nil, err
	}
	defer s.unpin(dir)
	t, err := s.get(req.Target)
	if err != nil {
		return nil, err
	}
	defer s.unpin(t)
	if t.mode == unix.S_IFDIR {
		return nil, unix.EPERM
	}
	// linkat(fd, "", AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH; without it,
	// link by the target's name and check the result.
	err = unix.Linkat(t.fd, "", dir.fd, req.Name, unix.AT_EMPTY_PATH)
	if err == unix.ENOENT || err == unix.EPERM {
		s.mu.Lock()
		p, name := t.parent, t.name
		if p == nil || t.removed {
			s.mu.Unlock()
			return nil, unix.ENOENT
		}
		if err := s.pinLocked(p); err != nil {
			s.mu.Unlock()
			return nil, err
		}
		s.mu.Unlock()
		err = unix.Linkat(p.fd, name, dir.fd, req.Name, 0)
		s.unpin(p)
		if err == nil {
			var st unix.Stat_t
			if unix.Fstatat(dir.fd, req.Name, &st, unix.AT_SYMLINK_NOFOLLOW) != nil || st.Dev != t.dev || st.Ino != t.ino {
				unix.Unlinkat(dir.fd, req.Name, 0)
				return nil, unix.ESTALE
			}
		}
	}
	if err != nil {
		return nil, err
	}
	st, err := fstat(t.fd)
	if err != nil {
		return nil, err
	}
	return &proto.StatResp{Stat: st}, nil
}

func (s *Server) unlink(req *proto.UnlinkReq) error {
	dir, err := s.changeDir(req.Dir, req.Name)
	if err != nil {
		return err
	}
	defer s.unpin(dir)
	if req.Flags&^unix.AT_REMOVEDIR != 0 {
		return unix.EINVAL
	}
	if err := unix.Unlinkat(dir.fd, req.Name, int(req.Flags)); err != nil {
		return err
	}
	s.mu.Lock()
	s.markRemovedLocked(dir, req.Name)
	s.mu.Unlock()
	return nil
}

func (s *Server) rename(req *proto.RenameReq) error {
	if s.opts.ReadOnly {
		return unix.EROFS
	}
	if !proto.ValidName(req.OldName) || !proto.ValidName(req.NewName) {
		return unix.EINVAL
	}
	if req.Flags&^(unix.RENAME_NOREPLACE|unix.RENAME_EXCHANGE) != 0 {
		return unix.EINVAL
	}
	od, err := s.getDir(req.OldDir)
	if err != nil {
		return err
	}
	defer s.unpin(od)
	nd, err := s.getDir(req.NewDir)
	if err != nil {
		return err
	}
	defer s.unpin(nd)
	if err := unix.Renameat2(od.fd, req.OldName, nd.fd, req.NewName, uint(req.Flags)); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	oldKey, newKey := nameKey{od, req.OldName}, nameKey{nd, req.NewName}
	moved, replaced := s.byName[oldKey], s.byName[newKey]
	delete(s.byName, oldKey)
	delete(s.byName, newKey)
	if req.Flags&unix.RENAME_EXCHANGE != 0 {
		s.moveLocked(replaced, od, req.OldName)
	} else {
		s.byName[newKey] = replaced
		s.markRemovedLocked(nd, req.NewName)
	}
	s.moveLocked(moved, nd, req.NewName)
	return nil
}

// moveLocked makes nodes children name of dir.
func (s *Server) moveLocked(nodes []*node, dir *node, name string) {
	for _, n := range nodes {
		if n.parent != dir {
			dir.refs++
			old := n.parent
			n.parent = dir
			s.unrefLocked(old)
		}
		n.name = name
		key := nameKey{dir, name}
		s.byName[key] = append(s.byName[key], n)
	}
}

func (s *Server) readlink(h uint64) (*proto.ReadlinkResp, error) {
	n, err := s.get(h)
	if err != nil {
		return nil, err
	}
	defer s.unpin(n)
	if n.mode != unix.S_IFLNK {
		return nil, unix.EINVAL
	}
	buf := make([]byte, proto.MaxPath)
	k, err := unix.Readlinkat(n.fd, "", buf)
	if err != nil {
		return nil, err
	}
	return &proto.ReadlinkResp{Target: string(buf[:k])}, nil
}

func (s *Server) setAttr(req *proto.SetAttrReq) (*proto.StatResp, error) {
	if s.opts.ReadOnly {
		return nil, unix.EROFS
	}
	n, err := s.get(req.Handle)
	if err != nil {
		return nil, err
	}
	defer s.unpin(n)
	if req.Mask&proto.SetSize != 0 {
		switch n.mode {
		case unix.S_IFDIR:
			return nil, unix.EISDIR
		case unix.S_IFREG:
		default:
			return nil, unix.EINVAL
		}
		if req.Size < 0 {
			return nil, unix.EINVAL
		}
		fd, err := s.reopen(n, unix.O_WRONLY)
		if err != nil {
			return nil, err
		}
		err = unix.Ftruncate(fd, req.Size)
		unix.Close(fd)
		if err != nil {
			return nil, err
		}
	}
	if req.Mask&proto.SetMode != 0 {
		if n.mode == unix.S_IFLNK {
			return nil, unix.EOPNOTSUPP
		}
		err := unix.Fchmodat(n.fd, "", req.Mode&0o7777, unix.AT_EMPTY_PATH)
		if err == unix.EOPNOTSUPP || err == unix.EINVAL || err == unix.ENOSYS {
			err = s.fchmodFallback(n, req.Mode&0o7777)
		}
		if err != nil {
			return nil, err
		}
	}
	if req.Mask&(proto.SetUID|proto.SetGID) != 0 {
		uid, gid := -1, -1
		if req.Mask&proto.SetUID != 0 {
			uid = int(req.UID)
		}
		if req.Mask&proto.SetGID != 0 {
			gid = int(req.GID)
		}
		if err := unix.Fchownat(n.fd, "", uid, gid, unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return nil, err
		}
	}
	if req.Mask&(proto.SetAtime|proto.SetMtime) != 0 {
		ts := []unix.Timespec{{Nsec: unix.UTIME_OMIT}, {Nsec: unix.UTIME_OMIT}}
		if req.Mask&proto.SetAtime != 0 {
			ts[0] = req.Atime
		}
		if req.Mask&proto.SetMtime != 0 {
			ts[1] = req.Mtime
		}
		if err := unix.UtimesNanoAt(n.fd, "", ts, unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return nil, err
		}
	}
	st, err := fstat(n.fd)
	if err != nil {
		return nil, err
	}
	return &proto.StatResp{Stat: st}, nil
}

// fchmodFallback changes the mode where fchmodat2 is missing: through the
// file opened for reading.
func (s *Server) fchmodFallback(n *node, mode uint32) error {
	fd, err := s.reopen(n, unix.O_RDONLY|unix.O_NONBLOCK)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.Fchmod(fd, mode)
}

func (s *Server) getdents(req *proto.GetdentsReq) (*proto.GetdentsResp, error) {
	n, err := s.getDir(req.Dir)
	if err != nil {
		return nil, err
	}
	defer s.unpin(n)
	if req.Offset < 0 {
		return nil, unix.EINVAL
	}
	fd, err := s.reopen(n, unix.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	if req.Offset > 0 {
		if _, err := unix.Seek(fd, req.Offset, unix.SEEK_SET); err != nil {
			return nil, err
		}
	}
	resp := &proto.GetdentsResp{}
	size := 0
	buf := make([]byte, 32<<10)
	for {
		k, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			if len(resp.Entries) > 0 {
				return resp, nil
			}
			return nil, err
		}
		if k == 0 {
			return resp, nil
		}
		for b := buf[:k]; len(b) >= 19; {
			reclen := int(uint16(b[16]) | uint16(b[17])<<8)
			if reclen < 19 || reclen > len(b) {
				return resp, nil
			}
			name := b[19:reclen]
			if j := indexByte(name, 0); j >= 0 {
				name = name[:j]
			}
			d := proto.Dirent{Ino: le64(b[0:]), Off: int64(le64(b[8:])), Type: b[18], Name: string(name)}
			b = b[reclen:]
			if d.Name == "." || d.Name == ".." {
				continue
			}
			if len(resp.Entries) >= proto.MaxDirents || size+len(d.Name)+32 > proto.DirentBytes {
				return resp, nil
			}
			size += len(d.Name) + 32
			resp.Entries = append(resp.Entries, d)
		}
		// Stop at a batch boundary: the offsets of the entries sent so
		// far let the client resume.
		if len(resp.Entries) > 0 {
			return resp, nil
		}
	}
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

func le64(b []byte) uint64 {
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// xattrFile runs fn with a way to reach node n's xattrs: a
// /proc/self/fd path (which leads to the node's own file, a symlink
// included) when /proc is reachable, else the file opened for reading
// (symlinks then have none).
func (s *Server) xattrFile(n *node, fn func(path string, fd int) (int, error)) (int, error) {
	if s.procFD != "" {
		return fn(s.procFD+fmt.Sprint(n.fd), -1)
	}
	if n.mode == unix.S_IFLNK {
		return 0, unix.EOPNOTSUPP
	}
	fd, err := s.reopen(n, unix.O_RDONLY|unix.O_NONBLOCK)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	return fn("", fd)
}

func xattrBuf(size uint32) []byte {
	if size == 0 {
		return nil
	}
	return make([]byte, min(size, proto.MaxXattr))
}

func (s *Server) getxattr(req *proto.GetxattrReq) (*proto.XattrResp, error) {
	n, err := s.get(req.Handle)
	if err != nil {
		return nil, err
	}
	defer s.unpin(n)
	buf := xattrBuf(req.Size)
	k, err := s.xattrFile(n, func(path string, fd int) (int, error) {
		if fd >= 0 {
			return unix.Fgetxattr(fd, req.Name, buf)
		}
		return unix.Getxattr(path, req.Name, buf)
	})
	if err != nil {
		return nil, err
	}
	r := &proto.XattrResp{Len: uint32(k)}
	if buf != nil {
		r.Value = buf[:k]
	}
	return r, nil
}

func (s *Server) listxattr(req *proto.ListxattrReq) (*proto.XattrResp, error) {
	n, err := s.get(req.Handle)
	if err != nil {
		return nil, err
	}
	defer s.unpin(n)
	buf := xattrBuf(req.Size)
	k, err := s.xattrFile(n, func(path string, fd int) (int, error) {
		if fd >= 0 {
			return unix.Flistxattr(fd, buf)
		}
		return unix.Listxattr(path, buf)
	})
	if err == unix.EOPNOTSUPP && n.mode == unix.S_IFLNK {
		return &proto.XattrResp{}, nil
	}
	if err != nil {
		return nil, err
	}
	r := &proto.XattrResp{Len: uint32(k)}
	if buf != nil {
		r.Value = buf[:k]
	}
	return r, nil
}

func (s *Server) setxattr(req *proto.SetxattrReq) error {
	if s.opts.ReadOnly {
		return unix.EROFS
	}
	if req.Flags&^(unix.XATTR_CREATE|unix.XATTR_REPLACE) != 0 {
		return unix.EINVAL
	}
	n, err := s.get(req.Handle)
	if err != nil {
		return err
	}
	defer s.unpin(n)
	_, err = s.xattrFile(n, func(path string, fd int) (int, error) {
		if fd >= 0 {
			return 0, unix.Fsetxattr(fd, req.Name, req.Value, int(req.Flags))
		}
		return 0, unix.Setxattr(path, req.Name, req.Value, int(req.Flags))
	})
	return err
}

func (s *Server) removexattr(req *proto.RemovexattrReq) error {
	if s.opts.ReadOnly {
		return unix.EROFS
	}
	n, err := s.get(req.Handle)
	if err != nil {
		return err
	}
	defer s.unpin(n)
	_, err = s.xattrFile(n, func(path string, fd int) (int, error) {
		if fd >= 0 {
			return 0, unix.Fremovexattr(fd, req.Name)
		}
		return 0, unix.Removexattr(path, req.Name)
	})
	return err
}

func (s *Server) statfs(h uint64) (*proto.StatfsResp, error) {
	n, err := s.get(h)
	if err != nil {
		return nil, err
	}
	defer s.unpin(n)
	var st unix.Statfs_t
	if err := unix.Fstatfs(n.fd, &st); err != nil {
		return nil, err
	}
	r := proto.FromStatfs(&st)
	if s.opts.ReadOnly {
		r.Flags |= unix.ST_RDONLY
	}
	return &r, nil
}
