// Package dev implements the sentry's device files and the /dev
// filesystem: /dev/null, zero, full, random and urandom are served by the
// sentry itself (never by the host), /dev/tty opens the caller's
// controlling terminal and /dev/console the sandbox's console (the host
// terminal `runsc do` was started from, if any). Ptys are fs/devpts.
//
// Devices are registered by number with vfs.RegisterDevice, so a device
// node opens the same way wherever it is found (this tree, a tmpfs mknod,
// the host's /dev in the root).
package dev

import (
	"crypto/rand"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/waiter"
)

// Device numbers.
const (
	MemMajor     = 1
	NullMinor    = 3
	ZeroMinor    = 5
	FullMinor    = 7
	RandomMinor  = 8
	URandomMinor = 9

	TTYAuxMajor  = 5
	TTYMinor     = 0
	ConsoleMinor = 1
	PtmxMinor    = 2
)

// kind is which memory device a file is.
type kind int

const (
	kindNull kind = iota
	kindZero
	kindFull
	kindRandom
)

// memFile is an open /dev/null, zero, full, random or urandom.
type memFile struct {
	vfs.RefCount
	vfs.NoIO
	vfs.FileLocation
	kind  kind
	name  string
	flags atomic.Uint32
}

var _ waiter.Waitable = (*memFile)(nil)

func newMemFile(v *vfs.VFS, vd vfs.VirtualDentry, flags int, k kind) *memFile {
	f := &memFile{FileLocation: vfs.FileLocation{VD: vd}, kind: k, name: v.PathOf(vd, v.Root())}
	f.flags.Store(uint32(flags) &^ (unix.O_CREAT | unix.O_EXCL | unix.O_TRUNC | unix.O_CLOEXEC | unix.O_NOCTTY | unix.O_NOFOLLOW))
	f.InitRefs()
	return f
}

func fill(dst [][]byte, random bool) int {
	n := 0
	for _, d := range dst {
		if random {
			rand.Read(d)
		} else {
			clear(d)
		}
		n += len(d)
	}
	return n
}

func total(bufs [][]byte) int {
	n := 0
	for _, b := range bufs {
		n += len(b)
	}
	return n
}

// Read implements vfs.FileDescription.
func (f *memFile) Read(dst [][]byte, off int64) (int, error) {
	if f.StatusFlags()&unix.O_ACCMODE == unix.O_WRONLY {
		return 0, unix.EBADF
	}
	switch f.kind {
	case kindNull:
		return 0, nil
	case kindRandom:
		return fill(dst, true), nil
	}
	return fill(dst, false), nil
}

// Write implements vfs.FileDescription.
func (f *memFile) Write(src [][]byte, off int64) (int, error) {
	if f.StatusFlags()&unix.O_ACCMODE == unix.O_RDONLY {
		return 0, unix.EBADF
	}
	if f.kind == kindFull {
		return 0, unix.ENOSPC
	}
	return total(src), nil
}

// ReadAt implements vfs.FileDescription.
func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	return f.Read([][]byte{p}, off)
}

// Seek implements vfs.FileDescription: these devices have no position.
func (f *memFile) Seek(off int64, whence int) (int64, error) { return 0, nil }

// Stat implements vfs.FileDescription.
func (f *memFile) Stat(st *unix.Stat_t) error { return f.VD.Inode().Stat(st) }

// StatusFlags implements vfs.FileDescription.
func (f *memFile) StatusFlags() uint32 { return f.flags.Load() }

// SetStatusFlags implements vfs.FileDescription.
func (f *memFile) SetStatusFlags(fl uint32) error {
	const settable = unix.O_APPEND | unix.O_NONBLOCK | unix.O_ASYNC | unix.O_DIRECT | unix.O_NOATIME
	for {
		old := f.flags.Load()
		if f.flags.CompareAndSwap(old, old&^settable|fl&settable) {
			return nil
		}
	}
}

// Name implements vfs.FileDescription.
func (f *memFile) Name() string { return f.name }

// Ioctl implements vfs.FileDescription: RNDGETENTCNT on the random devices.
func (f *memFile) Ioctl(m vfs.Memory, req, arg uintptr) (uintptr, error) {
	const rndGetEntCnt = 0x80045200
	if f.kind == kindRandom && req == rndGetEntCnt {
		b := []byte{0, 1, 0, 0} // 256 bits
		if _, err := m.CopyOut(arg, b); err != nil {
			return 0, unix.EFAULT
		}
		return 0, nil
	}
	return 0, unix.ENOTTY
}

// MapsAsAnonymous tells mmap that /dev/zero maps as anonymous memory.
func (f *memFile) MapsAsAnonymous() bool { return f.kind == kindZero }

// Readiness implements waiter.Waitable: always ready.
func (f *memFile) Readiness(mask waiter.EventMask) waiter.EventMask {
	return mask & (waiter.EventIn | waiter.EventRdNorm | waiter.EventOut | waiter.EventWrNorm)
}

// EventRegister implements waiter.Waitable.
func (f *memFile) EventRegister(*waiter.Entry) {}

// EventUnregister implements waiter.Waitable.
func (f *memFile) EventUnregister(*waiter.Entry) {}

// ttyRedirect is an open of /dev/tty before the syscall layer knows the
// caller: TaskOpen replaces it by the caller's controlling terminal.
type ttyRedirect struct {
	vfs.RefCount
	vfs.NoIO
	vfs.FileLocation
}

var _ kernel.TaskOpener = (*ttyRedirect)(nil)

// TaskOpen implements kernel.TaskOpener: ENXIO without a controlling
// terminal.
func (f *ttyRedirect) TaskOpen(t *kernel.Task, flags int) (vfs.FileDescription, error) {
	tty := t.ControllingTTY()
	if tty == nil {
		return nil, unix.ENXIO
	}
	return tty.OpenTTY(t, f.VD, flags|unix.O_NOCTTY)
}

// Stat implements vfs.FileDescription.
func (f *ttyRedirect) Stat(st *unix.Stat_t) error { return f.VD.Inode().Stat(st) }

// StatusFlags implements vfs.FileDescription.
func (f *ttyRedirect) StatusFlags() uint32 { return unix.O_RDWR }

// SetStatusFlags implements vfs.FileDescription.
func (f *ttyRedirect) SetStatusFlags(uint32) error { return nil }

// Name implements vfs.FileDescription.
func (f *ttyRedirect) Name() string { return "/dev/tty" }

// Console is what /dev/console opens; nil makes it ENXIO.
type Console interface {
	OpenConsole(flags int) (vfs.FileDescription, error)
}

// Register registers the memory devices, /dev/tty and /dev/console (which
// opens console, if not nil) with v.
func Register(v *vfs.VFS, console Console) {
	for _, d := range []struct {
		minor uint32
		k     kind
	}{{NullMinor, kindNull}, {ZeroMinor, kindZero}, {FullMinor, kindFull}, {RandomMinor, kindRandom}, {URandomMinor, kindRandom}} {
		k := d.k
		v.RegisterDevice(MemMajor, d.minor, func(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
			return newMemFile(v, vd, flags, k), nil
		})
	}
	v.RegisterDevice(TTYAuxMajor, TTYMinor, func(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
		f := &ttyRedirect{FileLocation: vfs.FileLocation{VD: vd}}
		f.InitRefs()
		return f, nil
	})
	v.RegisterDevice(TTYAuxMajor, ConsoleMinor, func(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
		if console == nil {
			return nil, unix.ENXIO
		}
		return console.OpenConsole(flags)
	})
}

// NewTree returns the root of a /dev filesystem: the devices, the ptmx
// link into pts/, the mount points pts/ and shm/, and the /proc/self/fd
// links.
func NewTree() *Dir {
	d := NewDir(0o755)
	for _, n := range []struct {
		name         string
		major, minor uint32
		perm         uint32
		gid          uint32
	}{
		{"null", MemMajor, NullMinor, 0o666, 0},
		{"zero", MemMajor, ZeroMinor, 0o666, 0},
		{"full", MemMajor, FullMinor, 0o666, 0},
		{"random", MemMajor, RandomMinor, 0o666, 0},
		{"urandom", MemMajor, URandomMinor, 0o666, 0},
		{"tty", TTYAuxMajor, TTYMinor, 0o666, 5},
		{"console", TTYAuxMajor, ConsoleMinor, 0o620, 5},
	} {
		d.Add(n.name, NewCharDev(n.major, n.minor, n.perm, 0, n.gid))
	}
	d.Add("ptmx", NewSymlink("pts/ptmx"))
	d.Add("pts", NewDir(0o755))
	shm := NewDir(0o1777)
	d.Add("shm", shm)
	d.Add("fd", NewSymlink("/proc/self/fd"))
	d.Add("stdin", NewSymlink("/proc/self/fd/0"))
	d.Add("stdout", NewSymlink("/proc/self/fd/1"))
	d.Add("stderr", NewSymlink("/proc/self/fd/2"))
	return d
}
