package cmd

import (
	"fmt"
	"os"
	"os/signal"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/host"
	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/hostproc"
)

// The sandbox's side of host terminals (the design is in fs/host/tty.go):
// the console of `runsc boot` and `runsc do`, the terminal of `exec -t`,
// the stdio files on them, and the relay of the signals the host line
// discipline sends to the process holding the terminal.

// newHostTTY makes host terminal fd (duplicated; the caller keeps its own)
// a terminal of the sandbox named name (the host's name if empty), or
// returns nil if fd is not a terminal.
func newHostTTY(fd int, name string) *host.TTY {
	if !host.IsTerminal(fd) {
		return nil
	}
	if name == "" {
		name, _ = hostproc.Readlink(fmt.Sprintf("self/fd/%d", fd))
	}
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return nil
	}
	return host.NewTTY(nfd, name)
}

// stdioFile is the sandbox's file for host fd (duplicated): a terminal
// file of tty if fd is tty's terminal, else a host file.
func stdioFile(fd int, tty *host.TTY) (vfs.FileDescription, error) {
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return nil, err
	}
	if tty != nil && tty.SameFile(fd) {
		return tty.NewFile(tty.Name(), fl)
	}
	name, _ := hostproc.Readlink(fmt.Sprintf("self/fd/%d", fd))
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return nil, err
	}
	return host.NewFile(nfd, name, uint32(fl)&^unix.O_CLOEXEC), nil
}

// terminalSignals are the signals a host terminal's line discipline sends
// to the process group in its foreground.
var terminalSignals = []os.Signal{unix.SIGINT, unix.SIGQUIT, unix.SIGTSTP, unix.SIGWINCH, unix.SIGHUP}

// relayTerminalSignals delivers the terminal signals this process receives
// to tty's foreground process group (SIGHUP to its session leader), for a
// process that holds tty's host terminal as its controlling terminal
// (runsc boot with a console).
func relayTerminalSignals(tty *host.TTY) {
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, terminalSignals...)
	go func() {
		for s := range sigs {
			tty.HostSignal(s.(unix.Signal))
		}
	}()
}

// setConsoleNode makes the sandbox's /dev/console what the console's files
// show in fstat (host.TTY.SetNode), so ttyname(3) on them finds it.
func setConsoleNode(v *vfs.VFS, tty *host.TTY) {
	if tty == nil {
		return
	}
	root := &vfs.Context{Creds: vfs.RootCreds(), Root: v.Root(), Cwd: v.Root()}
	if vd, err := v.Resolve(root, vfs.VirtualDentry{}, "/dev/console", vfs.ResolveOptions{Follow: true}); err == nil {
		tty.SetNode(vd.Inode())
	}
}
