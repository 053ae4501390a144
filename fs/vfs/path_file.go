package vfs

import (
	"encoding/binary"
	"sync"

	"golang.org/x/sys/unix"
)

// pathFile is an O_PATH file description: a place, usable as a dirfd, for
// fstat, fchdir and *at calls, but not for I/O.
type pathFile struct {
	RefCount
	NoIO
	FileLocation
	flags uint32
}

func newPathFile(vd VirtualDentry, flags int) *pathFile {
	f := &pathFile{FileLocation: FileLocation{vd}, flags: uint32(flags) & (unix.O_PATH | unix.O_DIRECTORY | unix.O_NOFOLLOW)}
	f.InitRefs()
	return f
}

// Read implements FileDescription.
func (f *pathFile) Read([][]byte, int64) (int, error) { return 0, unix.EBADF }

// Write implements FileDescription.
func (f *pathFile) Write([][]byte, int64) (int, error) { return 0, unix.EBADF }

// Seek implements FileDescription.
func (f *pathFile) Seek(int64, int) (int64, error) { return 0, unix.EBADF }

// Getdents implements FileDescription.
func (f *pathFile) Getdents([]byte) (int, error) { return 0, unix.EBADF }

// Ioctl implements FileDescription.
func (f *pathFile) Ioctl(Memory, uintptr, uintptr) (uintptr, error) { return 0, unix.EBADF }

// Stat implements FileDescription.
func (f *pathFile) Stat(st *unix.Stat_t) error { return f.VD.Dentry.inode.Stat(st) }

// StatusFlags implements FileDescription.
func (f *pathFile) StatusFlags() uint32 { return f.flags }

// SetStatusFlags implements FileDescription.
func (f *pathFile) SetStatusFlags(uint32) error { return unix.EBADF }

// Name implements FileDescription.
func (f *pathFile) Name() string { return "" }

// DirFile is a file description for a directory inode: getdents over
// IterDirents with "." and "..", lseek to rewind. Filesystems embed it in
// their directory descriptions or use NewDirFile.
type DirFile struct {
	RefCount
	NoIO
	FileLocation
	// Dir is the directory.
	Dir   DirInode
	flags uint32

	mu sync.Mutex
	// off is the position: 0 ".", 1 "..", then 2+ the inode's own cookies
	// shifted by 2.
	off int64
}

// NewDirFile returns a directory description for the directory at vd.
func NewDirFile(vd VirtualDentry, flags int) *DirFile {
	f := &DirFile{FileLocation: FileLocation{vd}, Dir: vd.Dentry.inode.(DirInode), flags: uint32(flags) &^ (unix.O_CREAT | unix.O_EXCL | unix.O_TRUNC | unix.O_CLOEXEC | unix.O_NOCTTY | unix.O_NOFOLLOW)}
	f.InitRefs()
	return f
}

// Read implements FileDescription.
func (f *DirFile) Read([][]byte, int64) (int, error) { return 0, unix.EISDIR }

// Write implements FileDescription.
func (f *DirFile) Write([][]byte, int64) (int, error) { return 0, unix.EBADF }

// Stat implements FileDescription.
func (f *DirFile) Stat(st *unix.Stat_t) error { return f.Dir.Stat(st) }

// StatusFlags implements FileDescription.
func (f *DirFile) StatusFlags() uint32 { return f.flags }

// SetStatusFlags implements FileDescription.
func (f *DirFile) SetStatusFlags(fl uint32) error {
	f.flags = f.flags&^unix.O_NONBLOCK | fl&unix.O_NONBLOCK
	return nil
}

// Name implements FileDescription.
func (f *DirFile) Name() string { return "" }

// Seek implements FileDescription: only rewinding and returning to a
// position returned before are meaningful.
func (f *DirFile) Seek(off int64, whence int) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch whence {
	case unix.SEEK_SET:
	case unix.SEEK_CUR:
		off += f.off
	default:
		return 0, unix.EINVAL
	}
	if off < 0 {
		return 0, unix.EINVAL
	}
	f.off = off
	return off, nil
}

// Getdents implements FileDescription with linux_dirent64 records.
func (f *DirFile) Getdents(buf []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	put := func(name string, ino uint64, typ uint8, next int64) bool {
		reclen := (19 + len(name) + 1 + 7) &^ 7
		if n+reclen > len(buf) {
			return false
		}
		b := buf[n : n+reclen]
		binary.LittleEndian.PutUint64(b[0:], ino)
		binary.LittleEndian.PutUint64(b[8:], uint64(next))
		binary.LittleEndian.PutUint16(b[16:], uint16(reclen))
		b[18] = typ
		copy(b[19:], name)
		clear(b[19+len(name):])
		n += reclen
		f.off = next
		return true
	}
	var st unix.Stat_t
	f.Dir.Stat(&st)
	if f.off == 0 {
		if !put(".", st.Ino, unix.DT_DIR, 1) {
			return 0, unix.EINVAL
		}
	}
	if f.off == 1 {
		pino := st.Ino
		if p := f.VD.Dentry.parent; p != nil {
			var pst unix.Stat_t
			if p.inode.Stat(&pst) == nil {
				pino = pst.Ino
			}
		}
		if !put("..", pino, unix.DT_DIR, 2) {
			if n == 0 {
				return 0, unix.EINVAL
			}
			return n, nil
		}
	}
	full := false
	err := f.Dir.IterDirents(f.off-2, func(d Dirent) bool {
		if !put(d.Name, d.Ino, d.Type, d.NextOff+2) {
			full = true
			return false
		}
		return true
	})
	if err != nil && n == 0 {
		return 0, err
	}
	if full && n == 0 {
		return 0, unix.EINVAL
	}
	return n, nil
}
