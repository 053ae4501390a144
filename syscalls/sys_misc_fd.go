package syscalls

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/mm"
)

func init() {
	register(map[string]impl{
		"close_range": full(sysCloseRange),
		"readahead":   partial(sysReadahead, "validated, then a no-op: there is no page cache to fill"),
		"mincore":     partial(sysMincore, "touched anonymous pages and every page of file and shared mappings are reported resident"),
		"openat2":     partial(sysOpenat2, "RESOLVE_CACHED always fails with EAGAIN (callers retry without it)"),
	})
}

// close_range(2) flags.
const (
	closeRangeUnshare = 2
	closeRangeCloexec = 4
)

func sysCloseRange(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	first, last, flags := uint32(a[0]), uint32(a[1]), a.Uint(2)
	if flags&^(closeRangeUnshare|closeRangeCloexec) != 0 || first > last {
		return 0, unix.EINVAL
	}
	if flags&closeRangeUnshare != 0 && t.FDTable.Users() > 1 {
		nt := t.FDTable.Fork()
		t.FDTable.DecUsers()
		t.FDTable = nt
	}
	t.FDTable.CloseRange(first, last, flags&closeRangeCloexec != 0)
	return 0, nil
}

func sysReadahead(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	f, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if !readable(f) {
		return 0, unix.EBADF
	}
	if m := fileMode(f); m != unix.S_IFREG && m != unix.S_IFBLK {
		return 0, unix.EINVAL
	}
	if a.Int64(1) < 0 {
		return 0, unix.EINVAL
	}
	return 0, nil
}

func sysMincore(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	addr, length, vec := a[0], a[1], a[2]
	if addr&(mm.PageSize-1) != 0 {
		return 0, unix.EINVAL
	}
	if length == 0 {
		return 0, nil
	}
	v, err := t.MM.Mincore(addr, length)
	if err != nil {
		return 0, err
	}
	if _, err := t.CopyOut(vec, v); err != nil {
		return 0, unix.EFAULT
	}
	return 0, nil
}

// openat2(2)'s struct open_how and RESOLVE_* flags.
const (
	openHowSizeVer0 = 24
	resolveNoXDev   = 0x01
	resolveNoMagic  = 0x02
	resolveNoSyms   = 0x04
	resolveBeneath  = 0x08
	resolveInRoot   = 0x10
	resolveCached   = 0x20
	resolveAll      = 0x3f
	// validOpenFlags is Linux's VALID_OPEN_FLAGS (amd64).
	validOpenFlags = 0x7fffc3
	// oPathFlags are the flags O_PATH may come with.
	oPathFlags = unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_PATH | unix.O_CLOEXEC
)

func sysOpenat2(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	dirfd, pathAddr, howAddr, size := a.Int(0), a[1], a[2], a[3]
	if size < openHowSizeVer0 {
		return 0, unix.EINVAL
	}
	if size > mm.PageSize {
		return 0, unix.E2BIG
	}
	raw := make([]byte, size)
	if _, err := t.CopyIn(howAddr, raw); err != nil {
		return 0, unix.EFAULT
	}
	for _, b := range raw[openHowSizeVer0:] {
		if b != 0 {
			return 0, unix.E2BIG
		}
	}
	le := binary.LittleEndian
	flags, mode, resolve := le.Uint64(raw[0:]), le.Uint64(raw[8:]), le.Uint64(raw[16:])
	if flags&^uint64(validOpenFlags) != 0 {
		return 0, unix.EINVAL
	}
	if mode&^0o7777 != 0 {
		return 0, unix.EINVAL
	}
	if flags&(unix.O_CREAT|unix.O_TMPFILE) == 0 && mode != 0 {
		return 0, unix.EINVAL
	}
	if resolve&^resolveAll != 0 || resolve&resolveBeneath != 0 && resolve&resolveInRoot != 0 {
		return 0, unix.EINVAL
	}
	if flags&unix.O_PATH != 0 && flags&^uint64(oPathFlags) != 0 {
		return 0, unix.EINVAL
	}
	if flags&unix.O_CREAT != 0 && flags&unix.O_DIRECTORY != 0 {
		return 0, unix.EINVAL
	}
	if resolve&resolveCached != 0 {
		return 0, unix.EAGAIN
	}
	o := vfs.ResolveOptions{
		NoXDev: resolve&resolveNoXDev != 0, NoMagicLinks: resolve&resolveNoMagic != 0,
		NoSymlinks: resolve&resolveNoSyms != 0, Beneath: resolve&resolveBeneath != 0,
		InRoot: resolve&resolveInRoot != 0,
	}
	path, err := copyInPath(t, pathAddr)
	if err != nil {
		return 0, err
	}
	if path == "" {
		return 0, unix.ENOENT
	}
	dir, err := dirFor(t, dirfd, path)
	if err != nil {
		return 0, err
	}
	// The scope of RESOLVE_BENEATH and RESOLVE_IN_ROOT is dirfd even for
	// absolute paths.
	base := t.FS.Cwd()
	if dirfd != atFDCWD {
		f, err := getFile(t, dirfd)
		if err != nil {
			return 0, err
		}
		l, ok := f.(vfs.Locatable)
		f.DecRef()
		if !ok {
			return 0, unix.ENOTDIR
		}
		base = l.Location()
	}
	fl := int(flags)
	f, err := vfsOf(t).OpenAtScoped(t.VFSContext(), dir, base, path, fl|oLargefile, uint32(mode), o)
	if err != nil {
		return 0, errnoOf(err)
	}
	if to, ok := f.(kernel.TaskOpener); ok {
		nf, err := to.TaskOpen(t, fl)
		f.DecRef()
		if err != nil {
			return 0, errnoOf(err)
		}
		f = nf
	}
	defer f.DecRef()
	if err := waitOpen(t, f); err != nil {
		return 0, err
	}
	fd, err := t.FDTable.New(0, f, fl&unix.O_CLOEXEC != 0)
	if err != nil {
		return 0, err
	}
	return uintptr(fd), nil
}

// validMadvice reports whether madvise(2) knows advice (Linux's
// madvise_behavior_valid, amd64).
func validMadvice(advice int) bool {
	switch {
	case advice >= 0 && advice <= 4, advice >= 8 && advice <= 25, advice == 100, advice == 101:
		return true
	}
	return false
}

// pwritev2 flags beyond RWF_HIPRI.
const (
	rwfDSYNC  = 2
	rwfSYNC   = 4
	rwfAPPEND = 0x10
)

// pwritev2Flags implements pwritev2 with RWF_DSYNC, RWF_SYNC (writes
// reach the file before returning anyway) and RWF_APPEND (write at the
// end of the file whatever the offset; the file offset moves only if the
// offset is -1).
func pwritev2Flags(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	flags := a[5]
	if flags&^(rwfHIPRI|rwfDSYNC|rwfSYNC|rwfAPPEND) != 0 {
		return 0, unix.EOPNOTSUPP
	}
	off := a.Int64(3)
	if off < -1 {
		return 0, unix.EINVAL
	}
	if flags&rwfAPPEND != 0 {
		f, err := getFile(t, a.Int(0))
		if err != nil {
			return 0, err
		}
		defer f.DecRef()
		if fileMode(f) == unix.S_IFREG {
			if off == -1 {
				if _, err := f.Seek(0, unix.SEEK_END); err != nil {
					return 0, errnoOf(err)
				}
			} else {
				var st unix.Stat_t
				if err := f.Stat(&st); err != nil {
					return 0, errnoOf(err)
				}
				off = st.Size
			}
		}
	}
	return doWritev(t, a, off)
}
