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
// and the first session's controlling terminal (/dev/tty), with the
// sandbox's own session and foreground process group (fs/host/tty.go).
var doConsole *host.TTY

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
// of the sandbox's first session (pid 1's, whose process group is in the
// foreground). Call it before StartInit.
func attachConsole(k *kernel.Kernel) {
	if doConsole != nil {
		k.SetSessionTTY(1, doConsole)
		doConsole.AttachSession(k, 1, 1)
	}
}

// findHostConsole returns the first of stdin, stdout and stderr that is a
// terminal, or nil.
func findHostConsole() *host.TTY {
	for fd := 0; fd < 3; fd++ {
		if tty := newHostTTY(fd, "/dev/console"); tty != nil {
			return tty
		}
	}
	return nil
}

// doSignal delivers a signal runsc do received: the ones a terminal's line
// discipline sends (^C, ^\, a resize) go to the foreground process group
// of the sandbox's terminal when runsc do runs on one, the rest (and those
// without a terminal) to the init.
func doSignal(k *kernel.Kernel, sig int) {
	switch unix.Signal(sig) {
	case unix.SIGINT, unix.SIGQUIT, unix.SIGWINCH:
		if doConsole != nil && doConsole.HostSignal(unix.Signal(sig)) {
			return
		}
	}
	k.SignalInit(sig)
}
