package tmpfs

import (
	"sort"
	"sync"

	"golang.org/x/sys/unix"

	"stockade.dev/fs/vfs"
	"stockade.dev/sentry/mm"
)

// maxFileSize is MAX_LFS_FILESIZE.
const maxFileSize = 1<<63 - 1

// File seals (fcntl F_ADD_SEALS).
const (
	SealSeal        = 0x1
	SealShrink      = 0x2
	SealGrow        = 0x4
	SealWrite       = 0x8
	SealFutureWrite = 0x10
)

// File is a regular file. Its data are pages of the memory file, present
// only where written (sparse); the file holds one reference on each.
// inode.mu guards size, pages, opens and seals.
type File struct {
	inode
	size  int64
	pages map[uint64]uint64 // page index -> memory-file offset
	// opens counts open file descriptions: the data live while the file
	// is linked or open.
	opens int
	// seals are the memfd seals; files other than memfds made with
	// MFD_ALLOW_SEALING have F_SEAL_SEAL, as Linux's.
	seals uint32
	// linkable marks an O_TMPFILE file that linkat may still name
	// (tmpfile.go).
	linkable bool
}

var _ vfs.SetStatInode = (*File)(nil)

func (fs *FS) newFile(mode, uid, gid uint32) *File {
	f := &File{pages: map[uint64]uint64{}, seals: SealSeal}
	fs.initInode(&f.inode, mode, uid, gid)
	return f
}

// Stat implements vfs.Inode.
func (f *File) Stat(st *unix.Stat_t) error {
	f.mu.RLock()
	defer f.mu.RUnlock()
	f.statLocked(st)
	st.Size = f.size
	st.Blocks = int64(len(f.pages)) * (PageSize / 512)
	return nil
}

// Size returns the file size.
func (f *File) Size() int64 {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.size
}

// Open implements vfs.Inode.
func (f *File) Open(vd vfs.VirtualDentry, flags int) (vfs.FileDescription, error) {
	return f.newFD(vd, flags, ""), nil
}

func (f *File) newFD(vd vfs.VirtualDentry, flags int, name string) *FD {
	f.mu.Lock()
	f.opens++
	f.mu.Unlock()
	const drop = unix.O_CREAT | unix.O_EXCL | unix.O_TRUNC | unix.O_NOCTTY | unix.O_CLOEXEC | unix.O_NOFOLLOW | unix.O_DIRECTORY | 0x8000
	fd := &FD{FileLocation: vfs.FileLocation{VD: vd}, f: f, flags: uint32(flags) &^ drop, name: name}
	fd.InitRefs()
	fd.Release = fd.release
	return fd
}

// maybeFree drops the data of a file that is neither linked nor open.
func (f *File) maybeFree() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.nlink != 0 || f.opens != 0 {
		return
	}
	for idx, off := range f.pages {
		f.fs.freePage(off)
		delete(f.pages, idx)
	}
}

// SetStat implements vfs.SetStatInode, with truncation.
func (f *File) SetStat(o *vfs.SetStatOptions) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if o.Size != nil {
		if err := f.truncateLocked(*o.Size); err != nil {
			return err
		}
		t := now()
		f.mtime, f.ctime = t, t
	}
	f.setStatLocked(o)
	return nil
}

// truncateLocked changes the size. f.mu must be held.
func (f *File) truncateLocked(size int64) error {
	if size < 0 {
		return unix.EINVAL
	}
	if size < f.size && f.seals&SealShrink != 0 || size > f.size && f.seals&SealGrow != 0 {
		return unix.EPERM
	}
	if size < f.size {
		f.zeroRangeLocked(size, f.size, true)
	}
	f.size = size
	return nil
}

// zeroRangeLocked makes [start, end) read as zeros: whole pages are freed
// (if free) or cleared, the partial ones cleared. f.mu must be held.
func (f *File) zeroRangeLocked(start, end int64, free bool) {
	if start >= end {
		return
	}
	first := uint64(start) / PageSize
	last := uint64(end-1) / PageSize
	for idx, off := range f.pages {
		if idx < first || idx > last {
			continue
		}
		ps := int64(idx) * PageSize
		lo, hi := max(start, ps)-ps, min(end, ps+PageSize)-ps
		if lo == 0 && hi == PageSize && free {
			f.fs.freePage(off)
			delete(f.pages, idx)
			continue
		}
		clear(f.fs.mf.Slice(off, PageSize)[lo:hi])
	}
}

// page returns the page idx, allocating it. f.mu must be held for writing.
func (f *File) pageLocked(idx uint64) (uint64, error) {
	if off, ok := f.pages[idx]; ok {
		return off, nil
	}
	off, err := f.fs.allocPage()
	if err != nil {
		return 0, err
	}
	f.pages[idx] = off
	return off, nil
}

// readAt copies file data at off into dst.
func (f *File) readAt(dst [][]byte, off int64) int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	n := 0
	for _, d := range dst {
		for len(d) > 0 && off < f.size {
			idx := uint64(off) / PageSize
			po := off % PageSize
			c := int(min(int64(len(d)), PageSize-po, f.size-off))
			if p, ok := f.pages[idx]; ok {
				copy(d[:c], f.fs.mf.Slice(p, PageSize)[po:])
			} else {
				clear(d[:c])
			}
			d = d[c:]
			off += int64(c)
			n += c
		}
		if off >= f.size {
			break
		}
	}
	return n
}

// writeAt copies src into the file at off (at the end if appending) and
// returns the bytes written and the offset after them.
func (f *File) writeAt(src [][]byte, off int64, appending bool) (int, int64, error) {
	total := int64(0)
	for _, s := range src {
		total += int64(len(s))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.seals&(SealWrite|SealFutureWrite) != 0 {
		return 0, off, unix.EPERM
	}
	if appending {
		off = f.size
	}
	if total == 0 {
		return 0, off, nil
	}
	if off+total < off {
		return 0, off, unix.EFBIG
	}
	if off+total > f.size && f.seals&SealGrow != 0 {
		return 0, off, unix.EPERM
	}
	n := 0
	var err error
loop:
	for _, s := range src {
		for len(s) > 0 {
			idx := uint64(off) / PageSize
			po := off % PageSize
			var p uint64
			p, err = f.pageLocked(idx)
			if err != nil {
				break loop
			}
			c := copy(f.fs.mf.Slice(p, PageSize)[po:], s)
			s = s[c:]
			off += int64(c)
			n += c
		}
	}
	if off > f.size {
		f.size = off
	}
	if n > 0 {
		t := now()
		f.mtime, f.ctime = t, t
		// A write drops set-user-ID (and set-group-ID with group exec).
		f.mode &^= unix.S_ISUID
		if f.mode&unix.S_IXGRP != 0 {
			f.mode &^= unix.S_ISGID
		}
		err = nil
	}
	return n, off, err
}

// touchAtime updates atime after a read, relatime style: when it is not
// newer than mtime or ctime, or a day old.
func (f *File) touchAtime() {
	t := now()
	f.mu.RLock()
	need := !tsAfter(f.atime, f.mtime) || !tsAfter(f.atime, f.ctime) || t.Sec-f.atime.Sec >= 24*3600
	f.mu.RUnlock()
	if need {
		f.mu.Lock()
		f.atime = t
		f.mu.Unlock()
	}
}

func tsAfter(a, b unix.Timespec) bool {
	return a.Sec > b.Sec || a.Sec == b.Sec && a.Nsec > b.Nsec
}

// Fallocate implements fallocate(2) modes: 0, KEEP_SIZE, PUNCH_HOLE and
// ZERO_RANGE.
func (f *File) Fallocate(mode uint32, off, length int64) error {
	if off < 0 || length <= 0 {
		return unix.EINVAL
	}
	end := off + length
	if end < off {
		return unix.EFBIG
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	keep := mode&unix.FALLOC_FL_KEEP_SIZE != 0
	switch mode &^ unix.FALLOC_FL_KEEP_SIZE {
	case 0:
		if !keep && end > f.size && f.seals&SealGrow != 0 {
			return unix.EPERM
		}
		for idx := uint64(off) / PageSize; idx <= uint64(end-1)/PageSize; idx++ {
			if _, err := f.pageLocked(idx); err != nil {
				return err
			}
		}
	case unix.FALLOC_FL_PUNCH_HOLE:
		if !keep {
			return unix.EOPNOTSUPP
		}
		if f.seals&SealWrite != 0 {
			return unix.EPERM
		}
		f.zeroRangeLocked(off, min(end, f.size), true)
	case unix.FALLOC_FL_ZERO_RANGE:
		if f.seals&SealWrite != 0 {
			return unix.EPERM
		}
		f.zeroRangeLocked(off, min(end, f.size), true)
	default:
		return unix.EOPNOTSUPP
	}
	if !keep && end > f.size {
		f.size = end
	}
	t := now()
	f.mtime, f.ctime = t, t
	return nil
}

// seekData implements SEEK_DATA and SEEK_HOLE: data are the present pages.
func (f *File) seekData(off int64, hole bool) (int64, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if off < 0 || off >= f.size {
		return 0, unix.ENXIO
	}
	idxs := make([]uint64, 0, len(f.pages))
	for idx := range f.pages {
		idxs = append(idxs, idx)
	}
	sort.Slice(idxs, func(i, j int) bool { return idxs[i] < idxs[j] })
	present := func(idx uint64) bool { _, ok := f.pages[idx]; return ok }
	for pos := off; pos < f.size; {
		idx := uint64(pos) / PageSize
		if present(idx) != hole {
			return pos, nil
		}
		if hole {
			pos = int64(idx+1) * PageSize
			continue
		}
		// Jump to the next present page.
		i := sort.Search(len(idxs), func(i int) bool { return idxs[i] > idx })
		if i == len(idxs) {
			break
		}
		pos = int64(idxs[i]) * PageSize
	}
	if hole {
		return f.size, nil
	}
	return 0, unix.ENXIO
}

// Seals returns the seals (F_GET_SEALS).
func (f *File) Seals() (uint32, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.seals, nil
}

// AddSeals implements F_ADD_SEALS.
func (f *File) AddSeals(s uint32) error {
	if s&^(SealSeal|SealShrink|SealGrow|SealWrite|SealFutureWrite) != 0 {
		return unix.EINVAL
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.seals&SealSeal != 0 {
		return unix.EPERM
	}
	f.seals |= s
	return nil
}

// FD is an open regular file.
type FD struct {
	vfs.RefCount
	vfs.NoIO
	vfs.FileLocation
	f    *File
	name string

	mu    sync.Mutex
	off   int64
	flags uint32
}

var (
	_ vfs.FileDescription = (*FD)(nil)
	_ mm.PageProvider     = (*FD)(nil)
)

func (fd *FD) release() {
	f := fd.f
	f.mu.Lock()
	f.opens--
	f.mu.Unlock()
	f.maybeFree()
}

// File returns the file's inode.
func (fd *FD) File() *File { return fd.f }

// Read implements vfs.FileDescription.
func (fd *FD) Read(dst [][]byte, off int64) (int, error) {
	if fd.StatusFlags()&unix.O_ACCMODE == unix.O_WRONLY {
		return 0, unix.EBADF
	}
	if off >= 0 {
		n := fd.f.readAt(dst, off)
		fd.afterRead()
		return n, nil
	}
	fd.mu.Lock()
	n := fd.f.readAt(dst, fd.off)
	fd.off += int64(n)
	fd.mu.Unlock()
	fd.afterRead()
	return n, nil
}

func (fd *FD) afterRead() {
	if fd.StatusFlags()&unix.O_NOATIME == 0 {
		fd.f.touchAtime()
	}
}

// Write implements vfs.FileDescription.
func (fd *FD) Write(src [][]byte, off int64) (int, error) {
	fl := fd.StatusFlags()
	if fl&unix.O_ACCMODE == unix.O_RDONLY {
		return 0, unix.EBADF
	}
	if off >= 0 {
		// Linux appends even for pwrite on an O_APPEND file.
		n, _, err := fd.f.writeAt(src, off, fl&unix.O_APPEND != 0)
		return n, err
	}
	fd.mu.Lock()
	defer fd.mu.Unlock()
	n, end, err := fd.f.writeAt(src, fd.off, fl&unix.O_APPEND != 0)
	fd.off = end
	return n, err
}

// Seek implements vfs.FileDescription.
func (fd *FD) Seek(off int64, whence int) (int64, error) {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	var pos int64
	switch whence {
	case unix.SEEK_SET:
		pos = off
	case unix.SEEK_CUR:
		pos = fd.off + off
	case unix.SEEK_END:
		pos = fd.f.Size() + off
	case unix.SEEK_DATA, unix.SEEK_HOLE:
		p, err := fd.f.seekData(off, whence == unix.SEEK_HOLE)
		if err != nil {
			return 0, err
		}
		pos = p
	default:
		return 0, unix.EINVAL
	}
	if pos < 0 {
		return 0, unix.EINVAL
	}
	fd.off = pos
	return pos, nil
}

// Stat implements vfs.FileDescription.
func (fd *FD) Stat(st *unix.Stat_t) error { return fd.f.Stat(st) }

// ReadAt implements vfs.FileDescription and mm.Mappable.
func (fd *FD) ReadAt(p []byte, off int64) (int, error) {
	return fd.f.readAt([][]byte{p}, off), nil
}

// StatusFlags implements vfs.FileDescription.
func (fd *FD) StatusFlags() uint32 {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	return fd.flags
}

// SetStatusFlags implements vfs.FileDescription.
func (fd *FD) SetStatusFlags(flags uint32) error {
	const settable = unix.O_APPEND | unix.O_NONBLOCK | unix.O_ASYNC | unix.O_DIRECT | unix.O_NOATIME
	fd.mu.Lock()
	fd.flags = fd.flags&^settable | flags&settable
	fd.mu.Unlock()
	return nil
}

// Name implements vfs.FileDescription.
func (fd *FD) Name() string { return fd.name }

// MappableName implements mm.Mappable.
func (fd *FD) MappableName() string { return fd.name }

// FilePage implements mm.PageProvider.
func (fd *FD) FilePage(idx uint64) (uint64, error) {
	f := fd.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if int64(idx) >= (f.size+PageSize-1)/PageSize {
		return 0, unix.EFAULT
	}
	off, err := f.pageLocked(idx)
	if err != nil {
		return 0, unix.EFAULT
	}
	f.fs.mf.IncRef(off, PageSize)
	return off, nil
}

// Fallocate implements fallocate(2) on the open file.
func (fd *FD) Fallocate(mode uint32, off, length int64) error {
	if fd.StatusFlags()&unix.O_ACCMODE == unix.O_RDONLY {
		return unix.EBADF
	}
	return fd.f.Fallocate(mode, off, length)
}

// Seals returns the file's seals (F_GET_SEALS).
func (fd *FD) Seals() (uint32, error) { return fd.f.Seals() }

// AddSeals implements F_ADD_SEALS.
func (fd *FD) AddSeals(s uint32) error {
	if fd.StatusFlags()&unix.O_ACCMODE == unix.O_RDONLY {
		return unix.EPERM
	}
	return fd.f.AddSeals(s)
}

// NewMemfd returns an unlinked file, open read-write, named "memfd:NAME"
// (memfd_create). allowSealing is MFD_ALLOW_SEALING; without it the file
// is sealed with F_SEAL_SEAL.
func (fs *FS) NewMemfd(name string, uid, gid uint32, allowSealing bool) *FD {
	f := fs.newFile(unix.S_IFREG|0o777, uid, gid)
	f.nlink = 0
	if allowSealing {
		f.seals = 0
	}
	return f.newFD(vfs.VirtualDentry{Mount: anonMount, Dentry: vfs.NewDentry(f)}, unix.O_RDWR, "/memfd:"+name+" (deleted)")
}

// anonMount is the mount unlinked files made without a path (memfd) are
// located on: writable, in no tree.
var anonMount = &vfs.Mount{FSType: "tmpfs", Source: "tmpfs"}

// IsAnonymous reports whether vd is the location of a file with no path
// (memfd).
func IsAnonymous(vd vfs.VirtualDentry) bool {
	return vd.Mount == anonMount
}
