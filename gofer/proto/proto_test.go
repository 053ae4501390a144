package proto

import (
	"reflect"
	"testing"

	"golang.org/x/sys/unix"
)

func roundTrip(t *testing.T, op Op, in, out Message) {
	t.Helper()
	msg := AppendRequest(nil, op, 42, in)
	h, err := ParseHeader(msg)
	if err != nil {
		t.Fatalf("%v: header: %v", op, err)
	}
	if h.Op != op || h.ID != 42 || h.Version != Version || int(h.Len) != len(msg) {
		t.Fatalf("%v: header %+v", op, h)
	}
	if err := DecodeRequest(msg, out); err != nil {
		t.Fatalf("%v: decode: %v", op, err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("%v: got %+v, want %+v", op, out, in)
	}
	// Every strict prefix of the body fails to decode.
	for n := HeaderSize; n < len(msg); n++ {
		if DecodeRequest(msg[:n], out) == nil {
			t.Fatalf("%v: a message cut at %d of %d bytes decoded", op, n, len(msg))
		}
	}
	// Trailing bytes are refused too.
	if DecodeRequest(append(msg, 0), out) == nil {
		t.Fatalf("%v: trailing byte accepted", op)
	}
}

func TestRequestsRoundTrip(t *testing.T) {
	ts := unix.Timespec{Sec: 5, Nsec: unix.UTIME_NOW}
	cases := []struct {
		op      Op
		in, out Message
	}{
		{OpWalk, &WalkReq{Dir: 7, Names: []string{"usr", "lib", "x"}}, &WalkReq{}},
		{OpStat, &HandleReq{Handle: 9}, &HandleReq{}},
		{OpOpen, &OpenReq{Handle: 3, Flags: unix.O_RDWR | unix.O_APPEND}, &OpenReq{}},
		{OpCreate, &CreateReq{Dir: 1, Name: "f", Flags: 2, Mode: 0o644, UID: 1000, GID: 100}, &CreateReq{}},
		{OpMkdir, &MkdirReq{Dir: 1, Name: "d", Mode: 0o755, UID: 1, GID: 2}, &MkdirReq{}},
		{OpMknod, &MknodReq{Dir: 1, Name: "p", Mode: unix.S_IFIFO | 0o600, Dev: 3, UID: 1, GID: 2}, &MknodReq{}},
		{OpSymlink, &SymlinkReq{Dir: 1, Name: "l", Target: "/etc/passwd", UID: 1, GID: 2}, &SymlinkReq{}},
		{OpLink, &LinkReq{Dir: 1, Name: "h", Target: 8}, &LinkReq{}},
		{OpUnlink, &UnlinkReq{Dir: 1, Name: "x", Flags: unix.AT_REMOVEDIR}, &UnlinkReq{}},
		{OpRename, &RenameReq{OldDir: 1, OldName: "a", NewDir: 2, NewName: "b", Flags: 1}, &RenameReq{}},
		{OpSetAttr, &SetAttrReq{Handle: 1, Mask: SetMode | SetAtime, Mode: 0o600, Size: 77, Atime: ts, Mtime: ts}, &SetAttrReq{}},
		{OpGetdents, &GetdentsReq{Dir: 4, Offset: 1 << 40}, &GetdentsReq{}},
		{OpGetxattr, &GetxattrReq{Handle: 1, Name: "user.x", Size: 10}, &GetxattrReq{}},
		{OpListxattr, &ListxattrReq{Handle: 1, Size: 10}, &ListxattrReq{}},
		{OpSetxattr, &SetxattrReq{Handle: 1, Name: "user.x", Value: []byte("v"), Flags: 1}, &SetxattrReq{}},
		{OpRemovexattr, &RemovexattrReq{Handle: 1, Name: "user.x"}, &RemovexattrReq{}},
		{OpClose, &CloseReq{Handles: []uint64{1, 2, 3}}, &CloseReq{}},
	}
	for _, c := range cases {
		roundTrip(t, c.op, c.in, c.out)
		if reflect.TypeOf(NewRequest(c.op)) != reflect.TypeOf(c.in) {
			t.Errorf("NewRequest(%v) is %T, want %T", c.op, NewRequest(c.op), c.in)
		}
	}
}

func TestResponses(t *testing.T) {
	st := Stat{Dev: 1, Ino: 2, Nlink: 3, Mode: unix.S_IFREG | 0o644, UID: 4, GID: 5, Size: 6, Blksize: 4096, Blocks: 8,
		Atime: unix.Timespec{Sec: 1, Nsec: 2}, Mtime: unix.Timespec{Sec: 3, Nsec: 4}, Ctime: unix.Timespec{Sec: 5, Nsec: 6}}
	walk := &WalkResp{Entries: []EntryResp{{Handle: 5, Stat: st}}}
	msg := AppendResponse(nil, OpWalk, 9, unix.ENOENT, walk, false)
	var got WalkResp
	errno, err := DecodeResponse(msg, &got, true)
	if err != nil || errno != unix.ENOENT || !reflect.DeepEqual(&got, walk) {
		t.Fatalf("partial walk: errno %v err %v got %+v", errno, err, got)
	}
	msg = AppendResponse(nil, OpStat, 9, unix.EACCES, nil, false)
	var sr StatResp
	if errno, err := DecodeResponse(msg, &sr, false); errno != unix.EACCES || err != nil {
		t.Fatalf("error response: %v %v", errno, err)
	}
	dents := &GetdentsResp{Entries: []Dirent{{Ino: 1, Off: 2, Type: unix.DT_DIR, Name: "a"}, {Ino: 3, Off: 4, Type: unix.DT_REG, Name: "b"}}}
	msg = AppendResponse(nil, OpGetdents, 1, 0, dents, false)
	var gd GetdentsResp
	if errno, err := DecodeResponse(msg, &gd, false); errno != 0 || err != nil || !reflect.DeepEqual(&gd, dents) {
		t.Fatalf("getdents: %v %v %+v", errno, err, gd)
	}
	h, _ := ParseHeader(AppendResponse(nil, OpOpen, 1, 0, nil, true))
	if h.Flags != FlagResponse|FlagFD {
		t.Fatalf("flags %#x", h.Flags)
	}
	var sf StatfsResp
	in := StatfsResp{Type: 0xef53, Bsize: 4096, Blocks: 10, Namelen: 255, Flags: 1}
	if errno, err := DecodeResponse(AppendResponse(nil, OpStatfs, 1, 0, &in, false), &sf, false); errno != 0 || err != nil || sf != in {
		t.Fatalf("statfs: %v %v %+v", errno, err, sf)
	}
}

func TestLimits(t *testing.T) {
	long := string(make([]byte, MaxName+1))
	msg := AppendRequest(nil, OpWalk, 1, &WalkReq{Dir: 1, Names: []string{long}})
	if DecodeRequest(msg, &WalkReq{}) == nil {
		t.Error("over-long name accepted")
	}
	names := make([]string, MaxWalk+1)
	for i := range names {
		names[i] = "a"
	}
	msg = AppendRequest(nil, OpWalk, 1, &WalkReq{Dir: 1, Names: names})
	if DecodeRequest(msg, &WalkReq{}) == nil {
		t.Error("over-long walk accepted")
	}
	// A huge count with no elements must not allocate or succeed.
	e := Encoder{B: make([]byte, HeaderSize)}
	e.U32(0xffffffff)
	PutHeader(e.B, Header{Len: uint32(len(e.B)), Version: Version, Op: OpClose})
	if DecodeRequest(e.B, &CloseReq{}) == nil {
		t.Error("huge count accepted")
	}
	if _, err := ParseHeader(make([]byte, 3)); err == nil {
		t.Error("short header accepted")
	}
	bad := AppendRequest(nil, OpStat, 1, &HandleReq{Handle: 1})
	bad[0]++
	if _, err := ParseHeader(bad); err == nil {
		t.Error("wrong length field accepted")
	}
	for _, n := range []string{"", ".", "..", "a/b", "a\x00", long} {
		if ValidName(n) {
			t.Errorf("ValidName(%q)", n)
		}
	}
	if !ValidName("...") || !ValidName("a b") {
		t.Error("ValidName refuses a good name")
	}
}

// FuzzDecode feeds arbitrary bytes to the request decoder: it may refuse
// them, never panic.
func FuzzDecode(f *testing.F) {
	f.Add(AppendRequest(nil, OpWalk, 1, &WalkReq{Dir: 1, Names: []string{"a", "b"}}))
	f.Add(AppendRequest(nil, OpSetxattr, 2, &SetxattrReq{Handle: 1, Name: "user.a", Value: []byte("xyz")}))
	f.Add(AppendRequest(nil, OpClose, 3, &CloseReq{Handles: []uint64{1}}))
	f.Add(AppendResponse(nil, OpGetdents, 4, 0, &GetdentsResp{Entries: []Dirent{{Name: "x"}}}, false))
	f.Fuzz(func(t *testing.T, msg []byte) {
		h, err := ParseHeader(msg)
		if err != nil {
			return
		}
		if h.Flags&FlagResponse != 0 {
			for op := OpAttach; op < opMax; op++ {
				DecodeResponse(msg, NewRequest(op), true)
				DecodeResponse(msg, &WalkResp{}, true)
				DecodeResponse(msg, &GetdentsResp{}, false)
				DecodeResponse(msg, &XattrResp{}, false)
			}
			return
		}
		if req := NewRequest(h.Op); req != nil {
			if DecodeRequest(msg, req) == nil {
				// What decodes re-encodes to the same bytes.
				again := AppendRequest(nil, h.Op, h.ID, req)
				again[4], again[6], again[7] = msg[4], msg[6], msg[7]
				if string(again) != string(msg) {
					t.Fatalf("re-encoding differs:\n%x\n%x", msg, again)
				}
			}
		}
	})
}
