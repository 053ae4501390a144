package ptrace

import (
	"os"

	"golang.org/x/sys/unix"
)

// watch notices the stub's end: a pidfd of the stub, registered with Go's
// poller (no thread is held), is readable once the stub ended. If the
// address space was not released by then, the host killed the stub (its
// OOM killer, say): Lost. Without pidfds (before Linux 5.3) the death is
// noticed only when a thread next runs in the stub (Switch fails).
func (as *addressSpace) watch() {
	fd, err := unix.PidfdOpen(as.tgid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return
	}
	f := os.NewFile(uintptr(fd), "stub-pidfd")
	go func() {
		defer f.Close()
		rc, err := f.SyscallConn()
		if err != nil {
			return
		}
		rc.Read(func(fd uintptr) bool {
			for {
				p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
				n, err := unix.Poll(p, 0)
				if err != unix.EINTR {
					return err != nil || n > 0
				}
			}
		})
		as.mu.Lock()
		as.lost = !as.released
		as.mu.Unlock()
		close(as.gone)
	}()
}

// Gone implements platform.LossNotifier.
func (as *addressSpace) Gone() <-chan struct{} { return as.gone }

// Lost implements platform.LossNotifier.
func (as *addressSpace) Lost() bool {
	as.mu.Lock()
	defer as.mu.Unlock()
	return as.lost
}
