package host

// Waiting on host files.
//
// A host File is a waiter.Waitable so that poll, select, epoll and blocking
// reads work on the stdio the sandbox inherits (a pipe, a terminal, a
// socket or a file on the host):
//
//   - Readiness asks the host with a zero-timeout poll(2) on the fd.
//   - Waiting uses one notifier per sentry: a goroutine blocked in
//     epoll_wait(2) on a host epoll instance. A File registers its host fd
//     (edge-triggered, for every event) the first time someone waits on it,
//     and the notifier wakes the File's waiter.Queue on each host event.
//     Regular files and directories cannot be added to an epoll instance;
//     they are always ready, and Pollable reports false for them so that
//     epoll_ctl refuses them with EPERM as Linux does.
//   - Blocking reads and writes never put the host fd into O_NONBLOCK: it
//     is shared with the caller of runsc and perhaps other processes, which
//     would see the change. Instead, for a pipe, socket or terminal, Read
//     and Write first poll the host fd and return EAGAIN when it is not
//     ready; the system call layer then waits on the File's queue (an
//     interruptible Task.Block woken by the notifier) unless the sandbox's
//     view of the file has O_NONBLOCK, and calls again. Regular files are
//     read and written directly.
//
// Limits: readiness and the transfer are two host calls, so another host
// process reading the same pipe in between can make a read block in the
// host; and a write larger than the free space of a host pipe blocks in the
// host until the reader catches up, without being interruptible.

import (
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/waiter"
)

// notifier waits for events on registered host fds. mu guards files.
type notifier struct {
	epfd  int
	mu    sync.Mutex
	files map[int32]*File
}

var (
	notifierOnce sync.Once
	theNotifier  *notifier
)

// getNotifier returns the sentry's notifier, starting it on first use, or
// nil if the host epoll instance cannot be created.
func getNotifier() *notifier {
	notifierOnce.Do(func() {
		epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
		if err != nil {
			return
		}
		theNotifier = &notifier{epfd: epfd, files: map[int32]*File{}}
		go theNotifier.loop()
	})
	return theNotifier
}

// hostEvents are the events registered for every fd.
const hostEvents = unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLPRI | unix.EPOLLRDHUP | unix.EPOLLET

// add registers f's host fd; it fails (EPERM) for files the host cannot
// poll.
func (n *notifier) add(f *File) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	ev := unix.EpollEvent{Events: hostEvents, Fd: int32(f.fd)}
	if err := unix.EpollCtl(n.epfd, unix.EPOLL_CTL_ADD, f.fd, &ev); err != nil {
		return err
	}
	n.files[int32(f.fd)] = f
	return nil
}

// remove unregisters f's host fd; call it before closing the fd.
func (n *notifier) remove(f *File) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.files[int32(f.fd)] == f {
		delete(n.files, int32(f.fd))
	}
	unix.EpollCtl(n.epfd, unix.EPOLL_CTL_DEL, f.fd, nil)
}

func (n *notifier) loop() {
	events := make([]unix.EpollEvent, 128)
	for {
		k, err := unix.EpollWait(n.epfd, events, -1)
		if err != nil {
			if err == unix.EINTR {
				continue
			}
			return
		}
		for _, ev := range events[:k] {
			n.mu.Lock()
			f := n.files[ev.Fd]
			n.mu.Unlock()
			if f != nil {
				f.q.Notify(waiter.EventMask(ev.Events) & waiter.AllEvents &^ waiter.EventFree)
			}
		}
	}
}

// registerHost registers f with the notifier once; it reports whether the
// host can poll f.
func (f *File) registerHost() bool {
	f.pollOnce.Do(func() {
		if f.flags&unix.O_PATH != 0 {
			return
		}
		n := getNotifier()
		if n == nil {
			return
		}
		if n.add(f) == nil {
			f.registered = true
		}
	})
	return f.registered
}

// unregisterHost undoes registerHost (at release).
func (f *File) unregisterHost() {
	f.pollOnce.Do(func() {})
	if f.registered {
		theNotifier.remove(f)
	}
}

// Pollable implements epoll.Pollable: whether the host can poll the fd
// (pipes, sockets, terminals, but not regular files or directories).
func (f *File) Pollable() bool { return f.registerHost() }

// Readiness implements waiter.Waitable with a zero-timeout host poll.
func (f *File) Readiness(mask waiter.EventMask) waiter.EventMask {
	if f.closed.Load() {
		return 0
	}
	fds := []unix.PollFd{{Fd: int32(f.fd), Events: int16(mask & waiter.AllEvents &^ waiter.EventFree)}}
	for {
		_, err := unix.Poll(fds, 0)
		if err != unix.EINTR {
			break
		}
	}
	return waiter.EventMask(uint16(fds[0].Revents)) & mask
}

// EventRegister implements waiter.Waitable.
func (f *File) EventRegister(e *waiter.Entry) {
	f.q.EventRegister(e)
	f.registerHost()
}

// EventUnregister implements waiter.Waitable.
func (f *File) EventUnregister(e *waiter.Entry) { f.q.EventUnregister(e) }

// isStream reports whether reads and writes of the host fd may block: a
// pipe, a socket or a terminal.
func (f *File) isStream() bool {
	f.kindOnce.Do(func() {
		var st unix.Stat_t
		if unix.Fstat(f.fd, &st) != nil {
			return
		}
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFIFO, unix.S_IFSOCK:
			f.stream = true
		case unix.S_IFCHR:
			_, err := unix.IoctlGetTermios(f.fd, unix.TCGETS)
			f.stream = err == nil
		}
	})
	return f.stream
}

// wouldBlock reports whether a read (or write) of a stream host fd has to
// wait for the host to become ready.
func (f *File) wouldBlock(mask waiter.EventMask) bool {
	if !f.isStream() {
		return false
	}
	return f.Readiness(mask|waiter.EventErr|waiter.EventHUp) == 0
}
