package syscalls

import (
	"encoding/binary"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/tmpfs"
	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/kernel"
	"stockade.dev/sentry/memfile"
)

// File system changes: creating and removing names, attributes, sizes,
// times, syncing, memfd_create.

func init() {
	register(map[string]impl{
		"mkdir":           full(sysMkdir),
		"mkdirat":         full(sysMkdirat),
		"rmdir":           full(sysRmdir),
		"unlink":          full(sysUnlink),
		"unlinkat":        full(sysUnlinkat),
		"rename":          full(sysRename),
		"renameat":        full(sysRenameat),
		"renameat2":       partial(sysRenameat2, "RENAME_WHITEOUT is refused with EINVAL"),
		"link":            full(sysLink),
		"linkat":          full(sysLinkat),
		"symlink":         full(sysSymlink),
		"symlinkat":       full(sysSymlinkat),
		"mknod":           full(sysMknod),
		"mknodat":         full(sysMknodat),
		"chmod":           full(sysChmod),
		"fchmod":          full(sysFchmod),
		"fchmodat":        full(sysFchmodat),
		"fchmodat2":       full(sysFchmodat2),
		"chown":           full(sysChown),
		"fchown":          full(sysFchown),
		"lchown":          full(sysLchown),
		"fchownat":        full(sysFchownat),
		"truncate":        partial(sysTruncate, "RLIMIT_FSIZE is not enforced"),
		"ftruncate":       partial(sysFtruncate, "RLIMIT_FSIZE is not enforced"),
		"utime":           full(sysUtime),
		"utimes":          full(sysUtimes),
		"futimesat":       full(sysFutimesat),
		"utimensat":       full(sysUtimensat),
		"fallocate":       partial(sysFallocate, "modes 0, KEEP_SIZE, PUNCH_HOLE and ZERO_RANGE on in-memory files; EOPNOTSUPP elsewhere"),
		"fsync":           partial(sysFsync, "nothing to write back: files live in memory or are read-only"),
		"fdatasync":       partial(sysFsync, "nothing to write back"),
		"sync":            partial(sysSync, "nothing to write back"),
		"syncfs":          partial(sysSyncfs, "nothing to write back"),
		"sync_file_range": partial(sysSyncFileRange, "nothing to write back"),
		"memfd_create":    partial(sysMemfdCreate, "no MFD_HUGETLB; MFD_NOEXEC_SEAL and MFD_EXEC are accepted without exec seals"),
	})
}

// pathAt reads a path argument and returns where it resolves from.
func pathAt(t *kernel.Task, dirfd int32, addr uintptr) (vfs.VirtualDentry, string, error) {
	path, err := copyInPath(t, addr)
	if err != nil {
		return vfs.VirtualDentry{}, "", err
	}
	dir, err := dirFor(t, dirfd, path)
	if err == errNotLocatable {
		if path == "" {
			return vfs.VirtualDentry{}, "", unix.ENOENT
		}
		return vfs.VirtualDentry{}, "", unix.ENOTDIR
	}
	return dir, path, err
}

func doMkdir(t *kernel.Task, dirfd int32, addr uintptr, mode uint32) (uintptr, error) {
	dir, path, err := pathAt(t, dirfd, addr)
	if err != nil {
		return 0, err
	}
	return 0, errnoOf(vfsOf(t).MkdirAt(t.VFSContext(), dir, path, mode&0o7777))
}

func sysMkdir(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doMkdir(t, atFDCWD, a[0], a.Uint(1))
}

func sysMkdirat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doMkdir(t, a.Int(0), a[1], a.Uint(2))
}

func doUnlink(t *kernel.Task, dirfd int32, addr uintptr, flags int) (uintptr, error) {
	if flags&^unix.AT_REMOVEDIR != 0 {
		return 0, unix.EINVAL
	}
	dir, path, err := pathAt(t, dirfd, addr)
	if err != nil {
		return 0, err
	}
	if flags&unix.AT_REMOVEDIR != 0 {
		return 0, errnoOf(vfsOf(t).RmdirAt(t.VFSContext(), dir, path))
	}
	return 0, errnoOf(vfsOf(t).UnlinkAt(t.VFSContext(), dir, path))
}

func sysRmdir(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doUnlink(t, atFDCWD, a[0], unix.AT_REMOVEDIR)
}

func sysUnlink(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doUnlink(t, atFDCWD, a[0], 0)
}

func sysUnlinkat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doUnlink(t, a.Int(0), a[1], int(a.Int(2)))
}

func doRename(t *kernel.Task, olddirfd int32, oldAddr uintptr, newdirfd int32, newAddr uintptr, flags uint32) (uintptr, error) {
	odir, opath, err := pathAt(t, olddirfd, oldAddr)
	if err != nil {
		return 0, err
	}
	ndir, npath, err := pathAt(t, newdirfd, newAddr)
	if err != nil {
		return 0, err
	}
	return 0, errnoOf(vfsOf(t).RenameAt(t.VFSContext(), odir, opath, ndir, npath, flags))
}

func sysRename(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doRename(t, atFDCWD, a[0], atFDCWD, a[1], 0)
}

func sysRenameat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doRename(t, a.Int(0), a[1], a.Int(2), a[3], 0)
}

func sysRenameat2(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doRename(t, a.Int(0), a[1], a.Int(2), a[3], a.Uint(4))
}

func doLink(t *kernel.Task, olddirfd int32, oldAddr uintptr, newdirfd int32, newAddr uintptr, flags int) (uintptr, error) {
	if flags&^(unix.AT_SYMLINK_FOLLOW|unix.AT_EMPTY_PATH) != 0 {
		return 0, unix.EINVAL
	}
	opath, err := copyInPath(t, oldAddr)
	if err != nil {
		return 0, err
	}
	odir, err := dirFor(t, olddirfd, opath)
	if err == errNotLocatable {
		return 0, unix.ENOENT
	}
	if err != nil {
		return 0, err
	}
	ndir, npath, err := pathAt(t, newdirfd, newAddr)
	if err != nil {
		return 0, err
	}
	return 0, errnoOf(vfsOf(t).LinkAt(t.VFSContext(), odir, opath, ndir, npath, flags&unix.AT_SYMLINK_FOLLOW != 0, flags&unix.AT_EMPTY_PATH != 0))
}

func sysLink(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doLink(t, atFDCWD, a[0], atFDCWD, a[1], 0)
}

func sysLinkat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doLink(t, a.Int(0), a[1], a.Int(2), a[3], int(a.Int(4)))
}

func doSymlink(t *kernel.Task, targetAddr uintptr, dirfd int32, addr uintptr) (uintptr, error) {
	target, err := copyInPath(t, targetAddr)
	if err != nil {
		return 0, err
	}
	dir, path, err := pathAt(t, dirfd, addr)
	if err != nil {
		return 0, err
	}
	return 0, errnoOf(vfsOf(t).SymlinkAt(t.VFSContext(), target, dir, path))
}

func sysSymlink(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doSymlink(t, a[0], atFDCWD, a[1])
}

func sysSymlinkat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doSymlink(t, a[0], a.Int(1), a[2])
}

func doMknod(t *kernel.Task, dirfd int32, addr uintptr, mode uint32, dev uint32) (uintptr, error) {
	dir, path, err := pathAt(t, dirfd, addr)
	if err != nil {
		return 0, err
	}
	return 0, errnoOf(vfsOf(t).MknodAt(t.VFSContext(), dir, path, mode, uint64(dev)))
}

func sysMknod(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doMknod(t, atFDCWD, a[0], a.Uint(1), a.Uint(2))
}

func sysMknodat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return doMknod(t, a.Int(0), a[1], a.Uint(2), a.Uint(3))
}

// setStatPath changes the attributes of the file at path (relative to
// dirfd; with AT_EMPTY_PATH and "" the fd itself).
func setStatPath(t *kernel.Task, dirfd int32, addr uintptr, follow, emptyPath bool, o *vfs.SetStatOptions) error {
	path, err := copyInPath(t, addr)
	if err != nil {
		return err
	}
	if path == "" && emptyPath {
		return setStatFD(t, dirfd, o)
	}
	dir, err := dirFor(t, dirfd, path)
	if err == errNotLocatable {
		return unix.ENOENT
	}
	if err != nil {
		return err
	}
	return errnoOf(vfsOf(t).SetStatAt(t.VFSContext(), dir, path, follow, false, o))
}

// setStatFD changes the attributes of the file fd refers to.
func setStatFD(t *kernel.Task, fd int32, o *vfs.SetStatOptions) error {
	vd, err := locate(t, fd)
	if err != nil {
		return err
	}
	return errnoOf(vfsOf(t).SetStat(t.VFSContext(), vd, o))
}

// locate returns the place of the file fd refers to.
func locate(t *kernel.Task, fd int32) (vfs.VirtualDentry, error) {
	if fd == atFDCWD {
		return t.FS.Cwd(), nil
	}
	f, err := getFile(t, fd)
	if err != nil {
		return vfs.VirtualDentry{}, err
	}
	defer f.DecRef()
	l, ok := f.(vfs.Locatable)
	if !ok || !l.Location().Ok() {
		// Pipes, sockets and host stdio have no inode the sandbox may
		// change.
		return vfs.VirtualDentry{}, unix.EPERM
	}
	return l.Location(), nil
}

func sysChmod(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	m := a.Uint(1) & 0o7777
	return 0, setStatPath(t, atFDCWD, a[0], true, false, &vfs.SetStatOptions{Mode: &m})
}

func sysFchmod(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if err := notPathFD(t, a.Int(0)); err != nil {
		return 0, err
	}
	m := a.Uint(1) & 0o7777
	return 0, setStatFD(t, a.Int(0), &vfs.SetStatOptions{Mode: &m})
}

// notPathFD fails with EBADF for O_PATH descriptors (and bad fds).
func notPathFD(t *kernel.Task, fd int32) error {
	f, err := getFile(t, fd)
	if err != nil {
		return err
	}
	defer f.DecRef()
	if f.StatusFlags()&unix.O_PATH != 0 {
		return unix.EBADF
	}
	return nil
}

func sysFchmodat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	m := a.Uint(2) & 0o7777
	return 0, setStatPath(t, a.Int(0), a[1], true, false, &vfs.SetStatOptions{Mode: &m})
}

func sysFchmodat2(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	flags := int(a.Int(3))
	if flags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH) != 0 {
		return 0, unix.EINVAL
	}
	m := a.Uint(2) & 0o7777
	if flags&unix.AT_SYMLINK_NOFOLLOW != 0 {
		// Linux refuses to change a symlink's mode.
		path, err := copyInPath(t, a[1])
		if err != nil {
			return 0, err
		}
		if path != "" {
			dir, err := dirFor(t, a.Int(0), path)
			if err != nil {
				return 0, unix.ENOTDIR
			}
			var st unix.Stat_t
			if err := vfsOf(t).StatAt(t.VFSContext(), dir, path, false, false, &st); err != nil {
				return 0, errnoOf(err)
			}
			if st.Mode&unix.S_IFMT == unix.S_IFLNK {
				return 0, unix.EOPNOTSUPP
			}
		}
	}
	return 0, setStatPath(t, a.Int(0), a[1], flags&unix.AT_SYMLINK_NOFOLLOW == 0, flags&unix.AT_EMPTY_PATH != 0, &vfs.SetStatOptions{Mode: &m})
}

// chownOpts builds the options of chown (-1 leaves an id unchanged).
func chownOpts(uid, gid uint32) *vfs.SetStatOptions {
	o := &vfs.SetStatOptions{}
	if uid != ^uint32(0) {
		o.UID = &uid
	}
	if gid != ^uint32(0) {
		o.GID = &gid
	}
	if o.UID == nil && o.GID == nil {
		o.TouchCtime = true
	}
	return o
}

func sysChown(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return 0, setStatPath(t, atFDCWD, a[0], true, false, chownOpts(a.Uint(1), a.Uint(2)))
}

func sysLchown(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return 0, setStatPath(t, atFDCWD, a[0], false, false, chownOpts(a.Uint(1), a.Uint(2)))
}

func sysFchown(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	if err := notPathFD(t, a.Int(0)); err != nil {
		return 0, err
	}
	return 0, setStatFD(t, a.Int(0), chownOpts(a.Uint(1), a.Uint(2)))
}

func sysFchownat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	flags := int(a.Int(4))
	if flags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH) != 0 {
		return 0, unix.EINVAL
	}
	return 0, setStatPath(t, a.Int(0), a[1], flags&unix.AT_SYMLINK_NOFOLLOW == 0, flags&unix.AT_EMPTY_PATH != 0, chownOpts(a.Uint(2), a.Uint(3)))
}

func sysTruncate(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	size := a.Int64(1)
	if size < 0 {
		return 0, unix.EINVAL
	}
	dir, path, err := pathAt(t, atFDCWD, a[0])
	if err != nil {
		return 0, err
	}
	ctx := t.VFSContext()
	vd, err := vfsOf(t).Resolve(ctx, dir, path, vfs.ResolveOptions{Follow: true})
	if err != nil {
		return 0, errnoOf(err)
	}
	switch vfs.FileType(vd.Inode()) {
	case unix.S_IFDIR:
		return 0, unix.EISDIR
	case unix.S_IFREG:
	default:
		return 0, unix.EINVAL
	}
	return 0, errnoOf(vfsOf(t).SetStat(ctx, vd, &vfs.SetStatOptions{Size: &size}))
}

func sysFtruncate(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	size := a.Int64(1)
	if size < 0 {
		return 0, unix.EINVAL
	}
	f, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	fl := f.StatusFlags()
	if fl&unix.O_PATH != 0 {
		return 0, unix.EBADF
	}
	var st unix.Stat_t
	if err := f.Stat(&st); err != nil {
		return 0, errnoOf(err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || fl&unix.O_ACCMODE == unix.O_RDONLY {
		return 0, unix.EINVAL
	}
	l, ok := f.(vfs.Locatable)
	if !ok || !l.Location().Ok() {
		return 0, unix.EINVAL
	}
	// The open for writing was the permission check.
	ss, ok := l.Location().Inode().(vfs.SetStatInode)
	if !ok {
		return 0, unix.EINVAL
	}
	return 0, errnoOf(ss.SetStat(&vfs.SetStatOptions{Size: &size}))
}

// Times.

var utimeNow = unix.Timespec{Nsec: unix.UTIME_NOW}

// doUtimes sets atime and mtime (nil: leave; UTIME_NOW: now) of the file
// at path (or fd with an empty path and emptyPath).
func doUtimes(t *kernel.Task, dirfd int32, pathAddr uintptr, atime, mtime *unix.Timespec, follow bool) error {
	o := &vfs.SetStatOptions{Atime: atime, Mtime: mtime, TouchCtime: true}
	if pathAddr == 0 {
		return setStatFD(t, dirfd, o)
	}
	return setStatPath(t, dirfd, pathAddr, follow, false, o)
}

// timevalsIn reads struct timeval[2] (NULL: both now).
func timevalsIn(t *kernel.Task, addr uintptr) (*unix.Timespec, *unix.Timespec, error) {
	if addr == 0 {
		return &utimeNow, &utimeNow, nil
	}
	var b [32]byte
	if _, err := t.CopyIn(addr, b[:]); err != nil {
		return nil, nil, unix.EFAULT
	}
	var ts [2]unix.Timespec
	for i := range ts {
		sec := int64(binary.LittleEndian.Uint64(b[i*16:]))
		usec := int64(binary.LittleEndian.Uint64(b[i*16+8:]))
		if usec < 0 || usec >= 1e6 {
			return nil, nil, unix.EINVAL
		}
		ts[i] = unix.Timespec{Sec: sec, Nsec: usec * 1000}
	}
	return &ts[0], &ts[1], nil
}

func sysUtime(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	at, mt := &utimeNow, &utimeNow
	if a[1] != 0 {
		var b [16]byte
		if _, err := t.CopyIn(a[1], b[:]); err != nil {
			return 0, unix.EFAULT
		}
		at = &unix.Timespec{Sec: int64(binary.LittleEndian.Uint64(b[0:]))}
		mt = &unix.Timespec{Sec: int64(binary.LittleEndian.Uint64(b[8:]))}
	}
	return 0, doUtimes(t, atFDCWD, a[0], at, mt, true)
}

func sysUtimes(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	at, mt, err := timevalsIn(t, a[1])
	if err != nil {
		return 0, err
	}
	if a[0] == 0 {
		return 0, unix.EFAULT
	}
	return 0, doUtimes(t, atFDCWD, a[0], at, mt, true)
}

func sysFutimesat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	at, mt, err := timevalsIn(t, a[2])
	if err != nil {
		return 0, err
	}
	if a[1] == 0 && a.Int(0) == atFDCWD {
		return 0, unix.EFAULT
	}
	return 0, doUtimes(t, a.Int(0), a[1], at, mt, true)
}

func sysUtimensat(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	dirfd, pathAddr, tsAddr, flags := a.Int(0), a[1], a[2], int(a.Int(3))
	if flags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH) != 0 {
		return 0, unix.EINVAL
	}
	at, mt := &utimeNow, &utimeNow
	if tsAddr != 0 {
		var b [32]byte
		if _, err := t.CopyIn(tsAddr, b[:]); err != nil {
			return 0, unix.EFAULT
		}
		var ts [2]*unix.Timespec
		for i := range ts {
			s := unix.Timespec{Sec: int64(binary.LittleEndian.Uint64(b[i*16:])), Nsec: int64(binary.LittleEndian.Uint64(b[i*16+8:]))}
			switch {
			case s.Nsec == unix.UTIME_OMIT:
			case s.Nsec == unix.UTIME_NOW:
				ts[i] = &utimeNow
			case s.Nsec < 0 || s.Nsec >= 1e9:
				return 0, unix.EINVAL
			default:
				ts[i] = &s
			}
		}
		at, mt = ts[0], ts[1]
		if at == nil && mt == nil {
			return 0, nil
		}
	}
	if pathAddr == 0 {
		if dirfd == atFDCWD {
			return 0, unix.EFAULT
		}
		return 0, doUtimes(t, dirfd, 0, at, mt, true)
	}
	o := &vfs.SetStatOptions{Atime: at, Mtime: mt, TouchCtime: true}
	return 0, setStatPath(t, dirfd, pathAddr, flags&unix.AT_SYMLINK_NOFOLLOW == 0, flags&unix.AT_EMPTY_PATH != 0, o)
}

// fallocator is a file description supporting fallocate(2).
type fallocator interface {
	Fallocate(mode uint32, off, length int64) error
}

func sysFallocate(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	mode, off, length := a.Uint(1), a.Int64(2), a.Int64(3)
	f, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if off < 0 || length <= 0 {
		return 0, unix.EINVAL
	}
	if f.StatusFlags()&unix.O_PATH != 0 || f.StatusFlags()&unix.O_ACCMODE == unix.O_RDONLY {
		return 0, unix.EBADF
	}
	var st unix.Stat_t
	if err := f.Stat(&st); err != nil {
		return 0, errnoOf(err)
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFIFO, unix.S_IFSOCK:
		return 0, unix.ESPIPE
	case unix.S_IFDIR:
		return 0, unix.EISDIR
	case unix.S_IFREG:
	default:
		return 0, unix.ENODEV
	}
	if off+length < 0 {
		return 0, unix.EFBIG
	}
	fa, ok := f.(fallocator)
	if !ok {
		return 0, unix.EOPNOTSUPP
	}
	return 0, errnoOf(fa.Fallocate(mode, off, length))
}

// syncable checks fd for fsync: special files cannot be synced.
func syncable(t *kernel.Task, fd int32) error {
	f, err := getFile(t, fd)
	if err != nil {
		return err
	}
	defer f.DecRef()
	if f.StatusFlags()&unix.O_PATH != 0 {
		return unix.EBADF
	}
	var st unix.Stat_t
	if err := f.Stat(&st); err != nil {
		return errnoOf(err)
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG, unix.S_IFDIR, unix.S_IFLNK, unix.S_IFBLK:
		return nil
	}
	return unix.EINVAL
}

func sysFsync(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	return 0, syncable(t, a.Int(0))
}

func sysSync(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) { return 0, nil }

func sysSyncfs(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	f, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	f.DecRef()
	return 0, nil
}

func sysSyncFileRange(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	off, n, flags := a.Int64(1), a.Int64(2), a.Uint(3)
	if flags&^(unix.SYNC_FILE_RANGE_WAIT_BEFORE|unix.SYNC_FILE_RANGE_WRITE|unix.SYNC_FILE_RANGE_WAIT_AFTER) != 0 || off < 0 || n < 0 || off+n < 0 {
		return 0, unix.EINVAL
	}
	f, err := getFile(t, a.Int(0))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	var st unix.Stat_t
	if err := f.Stat(&st); err != nil {
		return 0, errnoOf(err)
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG, unix.S_IFDIR, unix.S_IFBLK, unix.S_IFLNK:
		return 0, nil
	}
	return 0, unix.ESPIPE
}

// memfd_create.

var (
	memfdMu  sync.Mutex
	memfdFSs = map[*memfile.File]*tmpfs.FS{}
)

// memfdFS returns the internal tmpfs of a kernel's memfds.
func memfdFS(mf *memfile.File) *tmpfs.FS {
	memfdMu.Lock()
	defer memfdMu.Unlock()
	fs := memfdFSs[mf]
	if fs == nil {
		fs = tmpfs.New(mf, tmpfs.Options{Mode: 0o1777, SizeLimit: -1})
		memfdFSs[mf] = fs
	}
	return fs
}

const (
	mfdCloexec      = 0x1
	mfdAllowSealing = 0x2
	mfdHugetlb      = 0x4
	mfdNoexecSeal   = 0x8
	mfdExec         = 0x10
)

func sysMemfdCreate(t *kernel.Task, a *kernel.SyscallArgs) (uintptr, error) {
	flags := a.Uint(1)
	if flags&^(mfdCloexec|mfdAllowSealing|mfdNoexecSeal|mfdExec) != 0 || flags&mfdNoexecSeal != 0 && flags&mfdExec != 0 {
		return 0, unix.EINVAL
	}
	name, err := t.CopyInString(a[0], 250)
	if err == unix.ENAMETOOLONG {
		return 0, unix.EINVAL
	}
	if err != nil {
		return 0, err
	}
	if len(name) > 249 {
		return 0, unix.EINVAL
	}
	f := memfdFS(t.Kernel().MemFile).NewMemfd(name, t.Creds.FSUID, t.Creds.FSGID, flags&(mfdAllowSealing|mfdNoexecSeal) != 0)
	defer f.DecRef()
	fd, err := t.FDTable.New(0, f, flags&mfdCloexec != 0)
	return uintptr(fd), err
}

// fcntl seals (called from sysFcntl).
const (
	fAddSeals = 1033
	fGetSeals = 1034
)

type sealable interface {
	Seals() (uint32, error)
	AddSeals(uint32) error
}

// sealFcntl implements F_ADD_SEALS and F_GET_SEALS.
func sealFcntl(f vfs.FileDescription, cmd int, arg uintptr) (uintptr, error) {
	s, ok := f.(sealable)
	if !ok {
		return 0, unix.EINVAL
	}
	if cmd == fGetSeals {
		v, err := s.Seals()
		return uintptr(v), err
	}
	return 0, s.AddSeals(uint32(arg))
}

// waitOpen waits, interruptibly, until an open that must block (a FIFO
// without its other side) can complete (see vfs.BlockingOpen).
func waitOpen(t *kernel.Task, f vfs.FileDescription) error {
	bo, ok := f.(vfs.BlockingOpen)
	if !ok {
		return nil
	}
	for ch := bo.OpenWait(); ch != nil; ch = bo.OpenWait() {
		if err := t.Block(ch, time.Time{}); err != nil {
			return err
		}
	}
	return nil
}
