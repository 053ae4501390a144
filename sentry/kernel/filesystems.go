package kernel

import (
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
)

// FilesystemFactory makes a new instance of a filesystem type for
// mount(2): source and data are mount's arguments. It returns the root
// inode and the options string shown in /proc/mounts.
type FilesystemFactory func(k *Kernel, source, data string) (vfs.Inode, string, error)

// fsTypes is the registry of mountable filesystem types. Filesystems that
// need the kernel (proc, sysfs) live in packages that import this one, so
// the sandbox's set-up code registers them (no import cycle).
var (
	fsTypesMu sync.Mutex
	fsTypes   = map[*Kernel]map[string]FilesystemFactory{}
)

// RegisterFilesystem makes fstype mountable in k.
func (k *Kernel) RegisterFilesystem(fstype string, f FilesystemFactory) {
	fsTypesMu.Lock()
	defer fsTypesMu.Unlock()
	if fsTypes[k] == nil {
		fsTypes[k] = map[string]FilesystemFactory{}
	}
	fsTypes[k][fstype] = f
}

// NewFilesystem makes an instance of fstype, or fails with ENODEV.
func (k *Kernel) NewFilesystem(fstype, source, data string) (vfs.Inode, string, error) {
	fsTypesMu.Lock()
	f := fsTypes[k][fstype]
	fsTypesMu.Unlock()
	if f == nil {
		return nil, "", unix.ENODEV
	}
	return f(k, source, data)
}

// FilesystemTypes lists the registered types (/proc/filesystems).
func (k *Kernel) FilesystemTypes() []string {
	fsTypesMu.Lock()
	defer fsTypesMu.Unlock()
	var out []string
	for name := range fsTypes[k] {
		out = append(out, name)
	}
	return out
}
