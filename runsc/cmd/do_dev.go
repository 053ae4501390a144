package cmd

import (
	"golang.org/x/sys/unix"

	"stockade.dev/fs/dev"
	"stockade.dev/fs/devpts"
	"stockade.dev/fs/host"
	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
)

// The /dev part of the mount layout: the sentry's device tree on /dev and
// a devpts instance on /dev/pts. /dev/shm is a directory of the tree that
// the tmpfs mounts may cover (mountDevShm).

// doConsole is the host terminal `runsc do` runs on, if any: /dev/console
// and the first session's controlling terminal (/dev/tty).
var doConsole *hostConsole

// mountDev registers the sentry's devices with v and mounts /dev and
// /dev/pts (called from mountSpecialFilesystems).
func mountDev(v *vfs.VFS, ctx *vfs.Context) error {
	doConsole = findHostConsole()
	var console dev.Console
	if doConsole != nil {
		console = doConsole
	}
	dev.Register(v, console)
	if err := mountAt(v, ctx, "/dev", dev.NewTree(), "devtmpfs", "devtmpfs", vfs.MountNoSuid|vfs.MountNoExec, "mode=755"); err != nil {
		return err
	}
	return mountAt(v, ctx, "/dev/pts", devpts.New(v).Root(), "devpts", "devpts", vfs.MountNoSuid|vfs.MountNoExec, "gid=5,mode=620,ptmxmode=666")
}

// attachConsole makes the host terminal (if any) the controlling terminal
// of the sandbox's first session (pid 1's). Call it before StartInit.
func attachConsole(k *kernel.Kernel) {
	if doConsole != nil {
		k.SetSessionTTY(1, doConsole)
	}
}

// hostConsole is a host terminal: opening it opens a duplicate of the
// host fd.
type hostConsole struct{ fd int }

// findHostConsole returns the first of stdin, stdout and stderr that is a
// terminal (duplicated), or nil.
func findHostConsole() *hostConsole {
	for fd := 0; fd < 3; fd++ {
		if _, err := unix.IoctlGetTermios(fd, unix.TCGETS); err != nil {
			continue
		}
		nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 3)
		if err != nil {
			continue
		}
		return &hostConsole{fd: nfd}
	}
	return nil
}

func (c *hostConsole) open(name string, flags int) (vfs.FileDescription, error) {
	nfd, err := unix.FcntlInt(uintptr(c.fd), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return nil, unix.ENXIO
	}
	return host.NewFile(nfd, name, uint32(flags)&(unix.O_ACCMODE|unix.O_NONBLOCK|unix.O_APPEND)), nil
}

// OpenConsole implements dev.Console.
func (c *hostConsole) OpenConsole(flags int) (vfs.FileDescription, error) {
	return c.open("/dev/console", flags)
}

// OpenTTY implements kernel.TTY.
func (c *hostConsole) OpenTTY(_ *kernel.Task, _ vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	return c.open("/dev/tty", flags)
}

// SessionLost implements kernel.TTY.
func (c *hostConsole) SessionLost(int32) {}
