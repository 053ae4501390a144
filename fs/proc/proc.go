// Package proc is the sandbox's procfs: /proc/[pid] for the sandbox's own
// processes (never the host's), /proc/self, and the system-wide files
// (cpuinfo, meminfo, stat, uptime, /proc/sys ...) with values consistent
// with what the sandbox emulates.
//
// Contents are generated when a file is opened (fs/synth); reads and
// seeks see that snapshot. Per-process directories are made on each
// lookup and never cached by the VFS, so a pid always names the current
// process.
package proc

import (
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/synth"
	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
)

// Magic is procfs's statfs type.
const Magic = unix.PROC_SUPER_MAGIC

// Dev is the device number procfs reports.
var Dev = unix.Mkdev(0, 22)

// FS is one procfs instance, bound to a kernel.
type FS struct {
	k    *kernel.Kernel
	tmpl synth.Attr
	root *rootDir
	// bootID is /proc/sys/kernel/random/boot_id.
	bootID string
	// pidns, if scoped, is the pid namespace whose processes the
	// per-process directories show (NewForPIDNamespace).
	pidns  string
	scoped bool
	// hostname overrides the kernel's hostname once written.
}

// New returns the root inode of a procfs showing kernel k.
func New(k *kernel.Kernel) vfs.Inode {
	return newFS(k).root
}

// NewForPIDNamespace is New with per-process directories for the
// processes of pid namespace ns only (kernel.ThreadGroup.PIDNamespace),
// as a procfs mounted in a pid namespace shows that namespace's processes.
func NewForPIDNamespace(k *kernel.Kernel, ns string) vfs.Inode {
	fs := newFS(k)
	fs.pidns, fs.scoped = ns, true
	return fs.root
}

// shows reports whether the per-process directories include tg.
func (fs *FS) shows(tg *kernel.ThreadGroup) bool {
	return !fs.scoped || tg.PIDNamespace() == fs.pidns
}

func newFS(k *kernel.Kernel) *FS {
	bt := k.BootTime()
	fs := &FS{k: k, tmpl: synth.Attr{Dev: Dev, Magic: Magic, Time: unix.NsecToTimespec(bt.UnixNano())}}
	fs.bootID = newUUID(k)
	a := fs.tmpl
	a.Ino, a.Mode = 1, unix.S_IFDIR|0o555
	fs.root = &rootDir{Dir: synth.NewDir(a), fs: fs}
	fs.root.Dyn = pidList{fs}
	fs.buildSystem()
	return fs
}

// rootDir is /proc: the fixed entries, then one directory per process.
// "self" and "thread-self" depend on who looks (vfs.ContextDirInode).
type rootDir struct {
	*synth.Dir
	fs *FS
}

// LookupContext implements vfs.ContextDirInode.
func (r *rootDir) LookupContext(ctx *vfs.Context, name string) (vfs.Inode, error) {
	if name == "self" || name == "thread-self" {
		t, _ := ctx.Task.(*kernel.Task)
		return r.fs.selfLink(name, t), nil
	}
	return r.Dir.Lookup(name)
}

// selfLink returns /proc/self or /proc/thread-self as seen by t (nil: no
// task, the link leads nowhere).
func (fs *FS) selfLink(name string, t *kernel.Task) vfs.Inode {
	a := fs.tmpl
	a.Mode, a.NoCache = unix.S_IFLNK|0o777, true
	if name == "self" {
		a.Ino = 2
	} else {
		a.Ino = 3
	}
	return &synth.Symlink{Attr: a, Target: func() (string, error) {
		if t == nil {
			return "", unix.ENOENT
		}
		pid := strconv.Itoa(int(t.PID()))
		if name == "self" {
			return pid, nil
		}
		return pid + "/task/" + strconv.Itoa(int(t.ID)), nil
	}}
}

// pidList is /proc's changing part: one directory per process.
type pidList struct{ fs *FS }

// Names implements synth.Dynamic.
func (l pidList) Names() []string {
	var out []string
	for _, tg := range l.fs.k.ThreadGroups() {
		if l.fs.shows(tg) {
			out = append(out, strconv.Itoa(int(tg.ID)))
		}
	}
	return out
}

// Lookup implements synth.Dynamic.
func (l pidList) Lookup(name string) (vfs.Inode, error) {
	pid, err := strconv.ParseInt(name, 10, 32)
	if err != nil || pid <= 0 || strconv.Itoa(int(pid)) != name {
		return nil, unix.ENOENT
	}
	tg := l.fs.k.ProcessByID(int32(pid))
	if tg == nil {
		// A thread id that is not a process id still resolves, as on
		// Linux (hidden from the listing).
		if t := l.fs.k.FindTask(int32(pid)); t != nil && l.fs.shows(t.ThreadGroup()) {
			return l.fs.processDir(t.ThreadGroup(), t), nil
		}
		return nil, unix.ENOENT
	}
	if !l.fs.shows(tg) {
		return nil, unix.ENOENT
	}
	return l.fs.processDir(tg, nil), nil
}

// ticks converts a duration to clock ticks (USER_HZ = 100).
func ticks(ns int64) int64 { return ns / 1e7 }

// uptime returns the time since the sandbox booted.
func (fs *FS) uptime() time.Duration { return time.Since(fs.k.BootTime()) }

// newUUID returns a random version-4 UUID.
func newUUID(k *kernel.Kernel) string {
	var b [16]byte
	k.Random(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[c>>4], hex[c&15])
	}
	return string(out)
}

// vdsoRanger is a platform that reports where the vDSO is.
type vdsoRanger interface {
	VDSORange() (start, vdso, end uintptr)
}

// vdso returns the [vvar] and [vdso] ranges every address space has.
func (fs *FS) vdso() (start, vdso, end uintptr, ok bool) {
	r, ok := fs.k.Platform.(vdsoRanger)
	if !ok {
		return 0, 0, 0, false
	}
	start, vdso, end = r.VDSORange()
	return start, vdso, end, vdso != 0
}
