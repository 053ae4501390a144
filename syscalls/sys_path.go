package syscalls

import (
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
)

func init() {
	register(map[string]impl{
		"access":     full(sysAccess),
		"faccessat":  full(sysFaccessat),
		"faccessat2": full(sysFaccessat2),
		"readlink":   partial(sysReadlink, "/proc: only /proc/self/exe"),
		"readlinkat": partial(sysReadlinkat, "/proc: only /proc/self/exe"),
		"getcwd":     full(sysGetcwd),
		"chdir":      full(sysChdir),
		"fchdir":     full(sysFchdir),
	})
}

func doAccess(t *kernel.Task, dirfd int32, pathAddr uintptr, mode uint32, flags int) (uintptr, error) {
	if mode&^(unix.R_OK|unix.W_OK|unix.X_OK) != 0 {
		return 0, unix.EINVAL
	}
	if flags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EACCESS|unix.AT_EMPTY_PATH) != 0 {
		return 0, unix.EINVAL
	}
	path, err := copyInPath(t, pathAddr)
	if err != nil {
		return 0, err
	}
	dir, err := dirFor(t, dirfd, path)
	if err != nil {
		return 0, err
	}
	defer release(dir)
	return 0, errnoOf(t.Kernel().FS.AccessAt(dir, path, mode, flags))
}

func sysAccess(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doAccess(t, atFDCWD, a[0], a.Uint(1), 0)
}

func sysFaccessat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doAccess(t, a.Int(0), a[1], a.Uint(2), 0)
}

func sysFaccessat2(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doAccess(t, a.Int(0), a[1], a.Uint(2), int(a.Int(3)))
}

// procSelfLink answers readlink of the sandbox's own /proc/self links
// (until procfs exists): exe.
func procSelfLink(t *kernel.Task, path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/proc/")
	if !ok {
		return "", false
	}
	who, link, ok := strings.Cut(rest, "/")
	if !ok {
		return "", false
	}
	if who != "self" && who != "thread-self" && who != strconv.Itoa(int(t.PID())) {
		return "", false
	}
	if link == "exe" {
		return t.MM.Executable, true
	}
	return "", false
}

func doReadlink(t *kernel.Task, dirfd int32, pathAddr, buf uintptr, size int32) (uintptr, error) {
	if size <= 0 {
		return 0, unix.EINVAL
	}
	path, err := copyInPath(t, pathAddr)
	if err != nil {
		return 0, err
	}
	target, ok := procSelfLink(t, path)
	if !ok {
		dir, err := dirFor(t, dirfd, path)
		if err != nil {
			return 0, err
		}
		defer release(dir)
		if path == "" {
			return 0, unix.ENOENT
		}
		target, err = t.Kernel().FS.ReadlinkAt(dir, path)
		if err != nil {
			return 0, errnoOf(err)
		}
	}
	b := []byte(target)
	if len(b) > int(size) {
		b = b[:size]
	}
	if _, err := t.CopyOut(buf, b); err != nil {
		return 0, unix.EFAULT
	}
	return uintptr(len(b)), nil
}

func sysReadlink(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doReadlink(t, atFDCWD, a[0], a[1], a.Int(2))
}

func sysReadlinkat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doReadlink(t, a.Int(0), a[1], a[2], a.Int(3))
}

func sysGetcwd(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	cwd := t.FS.Cwd()
	name := cwd.Name()
	cwd.DecRef()
	b := append([]byte(name), 0)
	if uintptr(len(b)) > a[1] {
		return 0, unix.ERANGE
	}
	if _, err := t.CopyOut(a[0], b); err != nil {
		return 0, unix.EFAULT
	}
	return uintptr(len(b)), nil
}

func sysChdir(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	path, err := copyInPath(t, a[0])
	if err != nil {
		return 0, err
	}
	dir, err := dirFor(t, atFDCWD, path)
	if err != nil {
		return 0, err
	}
	defer release(dir)
	if err := t.Kernel().FS.AccessAt(dir, path, unix.X_OK, 0); err != nil {
		return 0, errnoOf(err)
	}
	d, err := t.Kernel().FS.OpenAt(dir, path, unix.O_PATH|unix.O_DIRECTORY, 0)
	if err != nil {
		return 0, errnoOf(err)
	}
	t.FS.SetCwd(d)
	return 0, nil
}

func sysFchdir(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	f, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	var st unix.Stat_t
	if err := f.Stat(&st); err != nil {
		f.DecRef()
		return 0, errnoOf(err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		f.DecRef()
		return 0, unix.ENOTDIR
	}
	t.FS.SetCwd(f)
	return 0, nil
}
