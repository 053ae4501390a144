package syscalls

import (
	"encoding/binary"
	"errors"

	"golang.org/x/sys/unix"

	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/loader"
)

func init() {
	register(map[string]impl{
		"execve":   partial(sysExecve, "file capabilities (security.capability) are ignored; set-user-ID/set-group-ID bits and root's capabilities follow Linux"),
		"execveat": partial(sysExecveat, "AT_EMPTY_PATH on an fd is not supported; file capabilities are ignored"),
	})
}

// maxArgStrings and maxArgBytes bound argv+envp, like Linux's limits.
const (
	maxArgStrings = 0x7fffffff
	maxArgBytes   = 2 << 20
)

// copyInStrings reads a NULL-terminated array of strings.
func copyInStrings(t *kernel.Task, addr uintptr, total *int) ([]string, error) {
	var out []string
	if addr == 0 {
		return nil, nil
	}
	for i := 0; ; i++ {
		var b [8]byte
		if _, err := t.CopyIn(addr+uintptr(8*i), b[:]); err != nil {
			return nil, unix.EFAULT
		}
		p := uintptr(binary.LittleEndian.Uint64(b[:]))
		if p == 0 {
			return out, nil
		}
		s, err := t.CopyInString(p, 128*1024)
		if err != nil {
			if err == unix.ENAMETOOLONG {
				return nil, unix.E2BIG
			}
			return nil, err
		}
		*total += len(s) + 1 + 8
		if *total > maxArgBytes {
			return nil, unix.E2BIG
		}
		out = append(out, s)
	}
}

func doExecve(t *kernel.Task, dirfd int32, pathAddr, argvAddr, envvAddr uintptr, flags int) (uintptr, error) {
	path, err := copyInPath(t, pathAddr)
	if err != nil {
		return 0, err
	}
	if flags&^(unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW) != 0 {
		return 0, unix.EINVAL
	}
	if path == "" {
		return 0, unix.ENOENT
	}
	total := 0
	argv, err := copyInStrings(t, argvAddr, &total)
	if err != nil {
		return 0, err
	}
	envv, err := copyInStrings(t, envvAddr, &total)
	if err != nil {
		return 0, err
	}
	if dirfd != atFDCWD && path[0] != '/' {
		dir, err := dirFor(t, dirfd, path)
		if err != nil {
			return 0, err
		}
		path = vfsOf(t).PathOf(dir, t.FS.Root()) + "/" + path
	}
	if err := t.Exec(path, argv, envv); err != nil {
		var le *loader.Error
		if errors.As(err, &le) {
			return 0, le.Errno
		}
		t.Kernel().Log.Warn("execve failed", "path", path, "err", err)
		return 0, unix.ENOMEM
	}
	return 0, kernel.ErrNoReturn
}

func sysExecve(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doExecve(t, atFDCWD, a[0], a[1], a[2], 0)
}

func sysExecveat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doExecve(t, a.Int(0), a[1], a[2], a[3], int(a.Int(4)))
}
