package proto

import (
	"strings"

	"golang.org/x/sys/unix"
)

// ValidName reports whether name is one path component the gofer accepts:
// not empty, not "." or "..", no '/' and no NUL, at most MaxName bytes.
func ValidName(name string) bool {
	return name != "" && name != "." && name != ".." && len(name) <= MaxName &&
		!strings.ContainsAny(name, "/\x00")
}

// Stat is a file's attributes on the wire (struct stat).
type Stat struct {
	Dev, Ino, Nlink uint64
	Mode, UID, GID  uint32
	Rdev            uint64
	Size            int64
	Blksize, Blocks int64
	Atime, Mtime    unix.Timespec
	Ctime           unix.Timespec
}

// FromUnix converts a host stat.
func FromUnix(st *unix.Stat_t) Stat {
	return Stat{Dev: st.Dev, Ino: st.Ino, Nlink: st.Nlink, Mode: st.Mode, UID: st.Uid, GID: st.Gid,
		Rdev: st.Rdev, Size: st.Size, Blksize: st.Blksize, Blocks: st.Blocks,
		Atime: st.Atim, Mtime: st.Mtim, Ctime: st.Ctim}
}

// ToUnix fills st.
func (s *Stat) ToUnix(st *unix.Stat_t) {
	*st = unix.Stat_t{Dev: s.Dev, Ino: s.Ino, Nlink: s.Nlink, Mode: s.Mode, Uid: s.UID, Gid: s.GID,
		Rdev: s.Rdev, Size: s.Size, Blksize: s.Blksize, Blocks: s.Blocks,
		Atim: s.Atime, Mtim: s.Mtime, Ctim: s.Ctime}
}

func putTime(e *Encoder, t unix.Timespec) {
	e.I64(t.Sec)
	e.I64(t.Nsec)
}

func getTime(d *Decoder) unix.Timespec {
	return unix.Timespec{Sec: d.I64(), Nsec: d.I64()}
}

// Encode implements Message.
func (s *Stat) Encode(e *Encoder) {
	e.U64(s.Dev)
	e.U64(s.Ino)
	e.U64(s.Nlink)
	e.U32(s.Mode)
	e.U32(s.UID)
	e.U32(s.GID)
	e.U64(s.Rdev)
	e.I64(s.Size)
	e.I64(s.Blksize)
	e.I64(s.Blocks)
	putTime(e, s.Atime)
	putTime(e, s.Mtime)
	putTime(e, s.Ctime)
}

// Decode implements Message.
func (s *Stat) Decode(d *Decoder) {
	s.Dev = d.U64()
	s.Ino = d.U64()
	s.Nlink = d.U64()
	s.Mode = d.U32()
	s.UID = d.U32()
	s.GID = d.U32()
	s.Rdev = d.U64()
	s.Size = d.I64()
	s.Blksize = d.I64()
	s.Blocks = d.I64()
	s.Atime = getTime(d)
	s.Mtime = getTime(d)
	s.Ctime = getTime(d)
}

// Empty is a body with nothing in it.
type Empty struct{}

// Encode implements Message.
func (*Empty) Encode(*Encoder) {}

// Decode implements Message.
func (*Empty) Decode(*Decoder) {}

// HandleReq names one handle (stat, readlink, statfs).
type HandleReq struct{ Handle uint64 }

// Encode implements Message.
func (m *HandleReq) Encode(e *Encoder) { e.U64(m.Handle) }

// Decode implements Message.
func (m *HandleReq) Decode(d *Decoder) { m.Handle = d.U64() }

// EntryResp is a new handle and its file's attributes.
type EntryResp struct {
	Handle uint64
	Stat   Stat
}

// Encode implements Message.
func (m *EntryResp) Encode(e *Encoder) {
	e.U64(m.Handle)
	m.Stat.Encode(e)
}

// Decode implements Message.
func (m *EntryResp) Decode(d *Decoder) {
	m.Handle = d.U64()
	m.Stat.Decode(d)
}

// StatResp is a file's attributes.
type StatResp struct{ Stat Stat }

// Encode implements Message.
func (m *StatResp) Encode(e *Encoder) { m.Stat.Encode(e) }

// Decode implements Message.
func (m *StatResp) Decode(d *Decoder) { m.Stat.Decode(d) }

// WalkReq looks up Names one after the other from directory Dir. Symlinks
// are never followed: a symlink may only be the last component.
type WalkReq struct {
	Dir   uint64
	Names []string
}

// Encode implements Message.
func (m *WalkReq) Encode(e *Encoder) {
	e.U64(m.Dir)
	e.U32(uint32(len(m.Names)))
	for _, n := range m.Names {
		e.String(n)
	}
}

// Decode implements Message.
func (m *WalkReq) Decode(d *Decoder) {
	m.Dir = d.U64()
	n := d.Count(MaxWalk)
	m.Names = make([]string, 0, n)
	for i := 0; i < n && d.Err == nil; i++ {
		m.Names = append(m.Names, d.String(MaxName))
	}
}

// WalkResp is one entry per component found; with errno ENOENT, the
// components before the missing one.
type WalkResp struct {
	Entries []EntryResp
}

// Encode implements Message.
func (m *WalkResp) Encode(e *Encoder) {
	e.U32(uint32(len(m.Entries)))
	for i := range m.Entries {
		m.Entries[i].Encode(e)
	}
}

// Decode implements Message.
func (m *WalkResp) Decode(d *Decoder) {
	n := d.Count(MaxWalk)
	m.Entries = make([]EntryResp, n)
	for i := 0; i < n && d.Err == nil; i++ {
		m.Entries[i].Decode(d)
	}
}

// OpenReq opens the file of Handle with open(2) flags (access mode,
// O_TRUNC, O_APPEND, O_DIRECT, O_NOATIME, O_NONBLOCK, O_DIRECTORY; others
// are ignored).
type OpenReq struct {
	Handle uint64
	Flags  uint32
}

// Encode implements Message.
func (m *OpenReq) Encode(e *Encoder) {
	e.U64(m.Handle)
	e.U32(m.Flags)
}

// Decode implements Message.
func (m *OpenReq) Decode(d *Decoder) {
	m.Handle = d.U64()
	m.Flags = d.U32()
}

// CreateReq makes and opens a regular file (O_CREAT|O_EXCL implied).
type CreateReq struct {
	Dir      uint64
	Name     string
	Flags    uint32
	Mode     uint32
	UID, GID uint32
}

// Encode implements Message.
func (m *CreateReq) Encode(e *Encoder) {
	e.U64(m.Dir)
	e.String(m.Name)
	e.U32(m.Flags)
	e.U32(m.Mode)
	e.U32(m.UID)
	e.U32(m.GID)
}

// Decode implements Message.
func (m *CreateReq) Decode(d *Decoder) {
	m.Dir = d.U64()
	m.Name = d.String(MaxName)
	m.Flags = d.U32()
	m.Mode = d.U32()
	m.UID = d.U32()
	m.GID = d.U32()
}

// MkdirReq makes a directory.
type MkdirReq struct {
	Dir      uint64
	Name     string
	Mode     uint32
	UID, GID uint32
}

// Encode implements Message.
func (m *MkdirReq) Encode(e *Encoder) {
	e.U64(m.Dir)
	e.String(m.Name)
	e.U32(m.Mode)
	e.U32(m.UID)
	e.U32(m.GID)
}

// Decode implements Message.
func (m *MkdirReq) Decode(d *Decoder) {
	m.Dir = d.U64()
	m.Name = d.String(MaxName)
	m.Mode = d.U32()
	m.UID = d.U32()
	m.GID = d.U32()
}

// MknodReq makes a regular file, FIFO or socket (Mode has the type;
// devices are refused).
type MknodReq struct {
	Dir      uint64
	Name     string
	Mode     uint32
	Dev      uint64
	UID, GID uint32
}

// Encode implements Message.
func (m *MknodReq) Encode(e *Encoder) {
	e.U64(m.Dir)
	e.String(m.Name)
	e.U32(m.Mode)
	e.U64(m.Dev)
	e.U32(m.UID)
	e.U32(m.GID)
}

// Decode implements Message.
func (m *MknodReq) Decode(d *Decoder) {
	m.Dir = d.U64()
	m.Name = d.String(MaxName)
	m.Mode = d.U32()
	m.Dev = d.U64()
	m.UID = d.U32()
	m.GID = d.U32()
}

// SymlinkReq makes a symbolic link to Target.
type SymlinkReq struct {
	Dir      uint64
	Name     string
	Target   string
	UID, GID uint32
}

// Encode implements Message.
func (m *SymlinkReq) Encode(e *Encoder) {
	e.U64(m.Dir)
	e.String(m.Name)
	e.String(m.Target)
	e.U32(m.UID)
	e.U32(m.GID)
}

// Decode implements Message.
func (m *SymlinkReq) Decode(d *Decoder) {
	m.Dir = d.U64()
	m.Name = d.String(MaxName)
	m.Target = d.String(MaxPath)
	m.UID = d.U32()
	m.GID = d.U32()
}

// LinkReq makes Dir/Name a hard link to the file of Target.
type LinkReq struct {
	Dir    uint64
	Name   string
	Target uint64
}

// Encode implements Message.
func (m *LinkReq) Encode(e *Encoder) {
	e.U64(m.Dir)
	e.String(m.Name)
	e.U64(m.Target)
}

// Decode implements Message.
func (m *LinkReq) Decode(d *Decoder) {
	m.Dir = d.U64()
	m.Name = d.String(MaxName)
	m.Target = d.U64()
}

// UnlinkReq removes Dir/Name; Flags may be AT_REMOVEDIR.
type UnlinkReq struct {
	Dir   uint64
	Name  string
	Flags uint32
}

// Encode implements Message.
func (m *UnlinkReq) Encode(e *Encoder) {
	e.U64(m.Dir)
	e.String(m.Name)
	e.U32(m.Flags)
}

// Decode implements Message.
func (m *UnlinkReq) Decode(d *Decoder) {
	m.Dir = d.U64()
	m.Name = d.String(MaxName)
	m.Flags = d.U32()
}

// RenameReq is renameat2(OldDir, OldName, NewDir, NewName, Flags).
type RenameReq struct {
	OldDir  uint64
	OldName string
	NewDir  uint64
	NewName string
	Flags   uint32
}

// Encode implements Message.
func (m *RenameReq) Encode(e *Encoder) {
	e.U64(m.OldDir)
	e.String(m.OldName)
	e.U64(m.NewDir)
	e.String(m.NewName)
	e.U32(m.Flags)
}

// Decode implements Message.
func (m *RenameReq) Decode(d *Decoder) {
	m.OldDir = d.U64()
	m.OldName = d.String(MaxName)
	m.NewDir = d.U64()
	m.NewName = d.String(MaxName)
	m.Flags = d.U32()
}

// ReadlinkResp is a symlink's target.
type ReadlinkResp struct{ Target string }

// Encode implements Message.
func (m *ReadlinkResp) Encode(e *Encoder) { e.String(m.Target) }

// Decode implements Message.
func (m *ReadlinkResp) Decode(d *Decoder) { m.Target = d.String(MaxPath) }

// SetAttr mask bits: which fields of a SetAttrReq apply.
const (
	SetMode  = 1 << 0
	SetUID   = 1 << 1
	SetGID   = 1 << 2
	SetSize  = 1 << 3
	SetAtime = 1 << 4
	SetMtime = 1 << 5
)

// SetAttrReq changes attributes. Times may carry UTIME_NOW or UTIME_OMIT
// in Nsec, as utimensat(2).
type SetAttrReq struct {
	Handle       uint64
	Mask         uint32
	Mode         uint32
	UID, GID     uint32
	Size         int64
	Atime, Mtime unix.Timespec
}

// Encode implements Message.
func (m *SetAttrReq) Encode(e *Encoder) {
	e.U64(m.Handle)
	e.U32(m.Mask)
	e.U32(m.Mode)
	e.U32(m.UID)
	e.U32(m.GID)
	e.I64(m.Size)
	putTime(e, m.Atime)
	putTime(e, m.Mtime)
}

// Decode implements Message.
func (m *SetAttrReq) Decode(d *Decoder) {
	m.Handle = d.U64()
	m.Mask = d.U32()
	m.Mode = d.U32()
	m.UID = d.U32()
	m.GID = d.U32()
	m.Size = d.I64()
	m.Atime = getTime(d)
	m.Mtime = getTime(d)
}

// GetdentsReq reads directory Dir from Offset (0: the start; otherwise a
// Dirent.Off returned before).
type GetdentsReq struct {
	Dir    uint64
	Offset int64
}

// Encode implements Message.
func (m *GetdentsReq) Encode(e *Encoder) {
	e.U64(m.Dir)
	e.I64(m.Offset)
}

// Decode implements Message.
func (m *GetdentsReq) Decode(d *Decoder) {
	m.Dir = d.U64()
	m.Offset = d.I64()
}

// Dirent is one directory entry ("." and ".." are never sent). Off is
// where to resume after it.
type Dirent struct {
	Ino  uint64
	Off  int64
	Type uint8
	Name string
}

// GetdentsResp is a batch of entries; an empty batch is the end.
type GetdentsResp struct {
	Entries []Dirent
}

// Encode implements Message.
func (m *GetdentsResp) Encode(e *Encoder) {
	e.U32(uint32(len(m.Entries)))
	for _, x := range m.Entries {
		e.U64(x.Ino)
		e.I64(x.Off)
		e.U8(x.Type)
		e.String(x.Name)
	}
}

// Decode implements Message.
func (m *GetdentsResp) Decode(d *Decoder) {
	n := d.Count(MaxDirents)
	m.Entries = make([]Dirent, 0, n)
	for i := 0; i < n && d.Err == nil; i++ {
		var x Dirent
		x.Ino = d.U64()
		x.Off = d.I64()
		x.Type = d.U8()
		x.Name = d.String(MaxName)
		m.Entries = append(m.Entries, x)
	}
}

// GetxattrReq reads xattr Name; Size is the caller's buffer size (0: only
// the value's length is wanted).
type GetxattrReq struct {
	Handle uint64
	Name   string
	Size   uint32
}

// Encode implements Message.
func (m *GetxattrReq) Encode(e *Encoder) {
	e.U64(m.Handle)
	e.String(m.Name)
	e.U32(m.Size)
}

// Decode implements Message.
func (m *GetxattrReq) Decode(d *Decoder) {
	m.Handle = d.U64()
	m.Name = d.String(MaxXattrName)
	m.Size = d.U32()
}

// ListxattrReq lists the xattr names; Size as for GetxattrReq.
type ListxattrReq struct {
	Handle uint64
	Size   uint32
}

// Encode implements Message.
func (m *ListxattrReq) Encode(e *Encoder) {
	e.U64(m.Handle)
	e.U32(m.Size)
}

// Decode implements Message.
func (m *ListxattrReq) Decode(d *Decoder) {
	m.Handle = d.U64()
	m.Size = d.U32()
}

// XattrResp is a value (or name list) and its length (Value is empty when
// the request's Size was 0).
type XattrResp struct {
	Len   uint32
	Value []byte
}

// Encode implements Message.
func (m *XattrResp) Encode(e *Encoder) {
	e.U32(m.Len)
	e.Bytes(m.Value)
}

// Decode implements Message.
func (m *XattrResp) Decode(d *Decoder) {
	m.Len = d.U32()
	m.Value = d.Bytes(MaxXattr)
}

// SetxattrReq sets xattr Name (Flags: XATTR_CREATE, XATTR_REPLACE).
type SetxattrReq struct {
	Handle uint64
	Name   string
	Value  []byte
	Flags  uint32
}

// Encode implements Message.
func (m *SetxattrReq) Encode(e *Encoder) {
	e.U64(m.Handle)
	e.String(m.Name)
	e.Bytes(m.Value)
	e.U32(m.Flags)
}

// Decode implements Message.
func (m *SetxattrReq) Decode(d *Decoder) {
	m.Handle = d.U64()
	m.Name = d.String(MaxXattrName)
	m.Value = d.Bytes(MaxXattr)
	m.Flags = d.U32()
}

// RemovexattrReq removes xattr Name.
type RemovexattrReq struct {
	Handle uint64
	Name   string
}

// Encode implements Message.
func (m *RemovexattrReq) Encode(e *Encoder) {
	e.U64(m.Handle)
	e.String(m.Name)
}

// Decode implements Message.
func (m *RemovexattrReq) Decode(d *Decoder) {
	m.Handle = d.U64()
	m.Name = d.String(MaxXattrName)
}

// StatfsResp is struct statfs.
type StatfsResp struct {
	Type, Bsize            int64
	Blocks, Bfree, Bavail  uint64
	Files, Ffree           uint64
	Namelen, Frsize, Flags int64
}

// FromStatfs converts a host statfs.
func FromStatfs(st *unix.Statfs_t) StatfsResp {
	return StatfsResp{Type: st.Type, Bsize: st.Bsize, Blocks: st.Blocks, Bfree: st.Bfree, Bavail: st.Bavail,
		Files: st.Files, Ffree: st.Ffree, Namelen: st.Namelen, Frsize: st.Frsize, Flags: st.Flags}
}

// ToUnix fills st.
func (m *StatfsResp) ToUnix(st *unix.Statfs_t) {
	*st = unix.Statfs_t{Type: m.Type, Bsize: m.Bsize, Blocks: m.Blocks, Bfree: m.Bfree, Bavail: m.Bavail,
		Files: m.Files, Ffree: m.Ffree, Namelen: m.Namelen, Frsize: m.Frsize, Flags: m.Flags}
}

// Encode implements Message.
func (m *StatfsResp) Encode(e *Encoder) {
	e.I64(m.Type)
	e.I64(m.Bsize)
	e.U64(m.Blocks)
	e.U64(m.Bfree)
	e.U64(m.Bavail)
	e.U64(m.Files)
	e.U64(m.Ffree)
	e.I64(m.Namelen)
	e.I64(m.Frsize)
	e.I64(m.Flags)
}

// Decode implements Message.
func (m *StatfsResp) Decode(d *Decoder) {
	m.Type = d.I64()
	m.Bsize = d.I64()
	m.Blocks = d.U64()
	m.Bfree = d.U64()
	m.Bavail = d.U64()
	m.Files = d.U64()
	m.Ffree = d.U64()
	m.Namelen = d.I64()
	m.Frsize = d.I64()
	m.Flags = d.I64()
}

// CloseReq releases handles.
type CloseReq struct{ Handles []uint64 }

// Encode implements Message.
func (m *CloseReq) Encode(e *Encoder) {
	e.U32(uint32(len(m.Handles)))
	for _, h := range m.Handles {
		e.U64(h)
	}
}

// Decode implements Message.
func (m *CloseReq) Decode(d *Decoder) {
	n := d.Count(MaxClose)
	m.Handles = make([]uint64, 0, n)
	for i := 0; i < n && d.Err == nil; i++ {
		m.Handles = append(m.Handles, d.U64())
	}
}
