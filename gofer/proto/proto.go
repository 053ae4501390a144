// Package proto is the wire protocol between the sentry (fs/gofer, the
// client) and the gofer (package gofer, the server): the only way the
// sentry reaches the container's files on the host.
//
// # Transport
//
// One message is one packet on an AF_UNIX SOCK_SEQPACKET socket. A
// message is at most MaxMessage bytes. A response may carry one host file
// descriptor as SCM_RIGHTS ancillary data (FlagFD says so); a request never
// carries one. A connection is strictly request/response: the client sends
// one request and reads its response before sending the next. Concurrency
// comes from several connections ("channels"): OpChannel asks the gofer
// for a new connection, whose client end comes back as the response's fd.
// The gofer serves every connection in its own goroutine.
//
// # Framing
//
// Every message starts with a 16-byte header, little-endian:
//
//	offset size field
//	0      4    length   total message length, header included
//	4      1    version  Version (1); a message of another version is
//	                     answered with EPROTONOSUPPORT
//	5      1    op       the operation (Op*)
//	6      2    flags    FlagResponse on responses, FlagFD when the
//	                     response carries a host fd
//	8      8    id       the request id, echoed by the response
//
// A response's body starts with a 4-byte errno (0: success). The rest of
// the body is the operation's result when errno is 0 (and, for OpWalk, also
// when it is ENOENT: the components found before the missing one).
//
// # Encoding
//
// Integers are little-endian of fixed width; a string or byte string is a
// 4-byte length and the bytes; a list is a 4-byte count and the elements.
// Lengths are bounded (MaxName, MaxPath, MaxWalk, MaxXattr, ...): a
// decoder meeting a longer one, or a message that ends early, fails with
// ErrMalformed, and so does a message with bytes left over. The server
// answers a malformed request with EINVAL (or closes the connection when
// even the header is unreadable); it never crashes on one.
//
// # Handles
//
// A handle is a 64-bit number naming a file the gofer holds open (an
// O_PATH fd, see package gofer). OpAttach returns the root's handle; OpWalk,
// OpCreate, OpMkdir, OpMknod and OpSymlink return new handles. Every handle
// is released with OpClose. Handles belong to the gofer, not to a
// connection: any channel may use any handle.
package proto

import (
	"encoding/binary"
	"errors"

	"golang.org/x/sys/unix"
)

// Version is the protocol version in every header.
const Version = 1

// HeaderSize is the size of the message header.
const HeaderSize = 16

// Limits.
const (
	// MaxMessage bounds a whole message.
	MaxMessage = 128 << 10
	// MaxName bounds a file name (NAME_MAX).
	MaxName = 255
	// MaxPath bounds a symlink target (PATH_MAX).
	MaxPath = 4096
	// MaxWalk bounds the names of one walk.
	MaxWalk = 255
	// MaxXattr bounds an xattr value or list (XATTR_SIZE_MAX).
	MaxXattr = 64 << 10
	// MaxXattrName bounds an xattr name (XATTR_NAME_MAX).
	MaxXattrName = 255
	// MaxClose bounds the handles of one close.
	MaxClose = 1024
	// MaxDirents bounds the entries of one getdents answer.
	MaxDirents = 1024
	// direntBytes bounds the bytes of one getdents answer's entries.
	DirentBytes = 64 << 10
)

// Op is an operation.
type Op uint8

// Operations. The request and response bodies are the types named in the
// comments (messages.go).
const (
	OpAttach      Op = 1  // AttachReq → EntryResp (the root)
	OpChannel     Op = 2  // Empty → Empty + fd (a new connection)
	OpWalk        Op = 3  // WalkReq → WalkResp
	OpStat        Op = 4  // HandleReq → StatResp
	OpOpen        Op = 5  // OpenReq → Empty + fd
	OpCreate      Op = 6  // CreateReq → EntryResp + fd
	OpMkdir       Op = 7  // MkdirReq → EntryResp
	OpMknod       Op = 8  // MknodReq → EntryResp
	OpSymlink     Op = 9  // SymlinkReq → EntryResp
	OpLink        Op = 10 // LinkReq → StatResp (the target's new stat)
	OpUnlink      Op = 11 // UnlinkReq → Empty
	OpRename      Op = 12 // RenameReq → Empty
	OpReadlink    Op = 13 // HandleReq → ReadlinkResp
	OpSetAttr     Op = 14 // SetAttrReq → StatResp
	OpGetdents    Op = 15 // GetdentsReq → GetdentsResp
	OpGetxattr    Op = 16 // GetxattrReq → XattrResp
	OpListxattr   Op = 17 // ListxattrReq → XattrResp
	OpSetxattr    Op = 18 // SetxattrReq → Empty
	OpRemovexattr Op = 19 // RemovexattrReq → Empty
	OpStatfs      Op = 20 // HandleReq → StatfsResp
	OpClose       Op = 21 // CloseReq → Empty
	opMax         Op = 22
)

var opNames = [...]string{"?", "attach", "channel", "walk", "stat", "open", "create", "mkdir", "mknod",
	"symlink", "link", "unlink", "rename", "readlink", "setattr", "getdents", "getxattr", "listxattr",
	"setxattr", "removexattr", "statfs", "close"}

// String names the operation.
func (o Op) String() string {
	if o < opMax {
		return opNames[o]
	}
	return "op(" + itoa(uint64(o)) + ")"
}

// Valid reports whether o is a known operation.
func (o Op) Valid() bool { return o >= OpAttach && o < opMax }

// Header flags.
const (
	FlagResponse = 1 << 0
	FlagFD       = 1 << 1
)

// Header is a message's header.
type Header struct {
	Len     uint32
	Version uint8
	Op      Op
	Flags   uint16
	ID      uint64
}

// ErrMalformed is a message that does not decode.
var ErrMalformed = errors.New("gofer protocol: malformed message")

// PutHeader writes h into b[:HeaderSize].
func PutHeader(b []byte, h Header) {
	binary.LittleEndian.PutUint32(b[0:], h.Len)
	b[4] = h.Version
	b[5] = byte(h.Op)
	binary.LittleEndian.PutUint16(b[6:], h.Flags)
	binary.LittleEndian.PutUint64(b[8:], h.ID)
}

// ParseHeader reads the header of msg and checks its length field
// against len(msg). The version is not checked (the caller answers a
// foreign version).
func ParseHeader(msg []byte) (Header, error) {
	if len(msg) < HeaderSize || len(msg) > MaxMessage {
		return Header{}, ErrMalformed
	}
	h := Header{
		Len:     binary.LittleEndian.Uint32(msg[0:]),
		Version: msg[4],
		Op:      Op(msg[5]),
		Flags:   binary.LittleEndian.Uint16(msg[6:]),
		ID:      binary.LittleEndian.Uint64(msg[8:]),
	}
	if int(h.Len) != len(msg) {
		return Header{}, ErrMalformed
	}
	return h, nil
}

// Message is a request or response body.
type Message interface {
	Encode(e *Encoder)
	Decode(d *Decoder)
}

// Encoder appends a message.
type Encoder struct {
	B []byte
}

// U8 appends v.
func (e *Encoder) U8(v uint8) { e.B = append(e.B, v) }

// U16 appends v.
func (e *Encoder) U16(v uint16) { e.B = binary.LittleEndian.AppendUint16(e.B, v) }

// U32 appends v.
func (e *Encoder) U32(v uint32) { e.B = binary.LittleEndian.AppendUint32(e.B, v) }

// U64 appends v.
func (e *Encoder) U64(v uint64) { e.B = binary.LittleEndian.AppendUint64(e.B, v) }

// I64 appends v.
func (e *Encoder) I64(v int64) { e.U64(uint64(v)) }

// String appends a length-prefixed string.
func (e *Encoder) String(s string) {
	e.U32(uint32(len(s)))
	e.B = append(e.B, s...)
}

// Bytes appends a length-prefixed byte string.
func (e *Encoder) Bytes(b []byte) {
	e.U32(uint32(len(b)))
	e.B = append(e.B, b...)
}

// Decoder reads a message; the first failure sticks in Err and makes every
// later read return zero.
type Decoder struct {
	B   []byte
	Err error
}

func (d *Decoder) take(n int) []byte {
	if d.Err != nil {
		return nil
	}
	if n < 0 || n > len(d.B) {
		d.Err = ErrMalformed
		d.B = nil
		return nil
	}
	b := d.B[:n]
	d.B = d.B[n:]
	return b
}

// U8 reads a byte.
func (d *Decoder) U8() uint8 {
	if b := d.take(1); b != nil {
		return b[0]
	}
	return 0
}

// U16 reads a uint16.
func (d *Decoder) U16() uint16 {
	if b := d.take(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

// U32 reads a uint32.
func (d *Decoder) U32() uint32 {
	if b := d.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

// U64 reads a uint64.
func (d *Decoder) U64() uint64 {
	if b := d.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// I64 reads an int64.
func (d *Decoder) I64() int64 { return int64(d.U64()) }

// String reads a string of at most max bytes.
func (d *Decoder) String(max int) string {
	return string(d.Bytes(max))
}

// Bytes reads a byte string of at most max bytes (aliasing the message).
func (d *Decoder) Bytes(max int) []byte {
	n := d.U32()
	if d.Err != nil {
		return nil
	}
	if int64(n) > int64(max) {
		d.Err = ErrMalformed
		return nil
	}
	return d.take(int(n))
}

// Count reads a list length of at most max.
func (d *Decoder) Count(max int) int {
	n := d.U32()
	if d.Err == nil && int64(n) > int64(max) {
		d.Err = ErrMalformed
	}
	if d.Err != nil {
		return 0
	}
	return int(n)
}

// Finish reports the decoding error, or ErrMalformed if bytes are left.
func (d *Decoder) Finish() error {
	if d.Err == nil && len(d.B) != 0 {
		d.Err = ErrMalformed
	}
	return d.Err
}

// AppendRequest appends a complete request message (header and body) to
// buf.
func AppendRequest(buf []byte, op Op, id uint64, body Message) []byte {
	e := Encoder{B: append(buf, make([]byte, HeaderSize)...)}
	start := len(buf)
	if body != nil {
		body.Encode(&e)
	}
	PutHeader(e.B[start:], Header{Len: uint32(len(e.B) - start), Version: Version, Op: op, ID: id})
	return e.B
}

// AppendResponse appends a complete response message to buf: errno, then
// body (if not nil). fd reports whether a host fd goes with it.
func AppendResponse(buf []byte, op Op, id uint64, errno unix.Errno, body Message, fd bool) []byte {
	e := Encoder{B: append(buf, make([]byte, HeaderSize)...)}
	start := len(buf)
	e.U32(uint32(errno))
	if body != nil {
		body.Encode(&e)
	}
	flags := uint16(FlagResponse)
	if fd {
		flags |= FlagFD
	}
	PutHeader(e.B[start:], Header{Len: uint32(len(e.B) - start), Version: Version, Op: op, Flags: flags, ID: id})
	return e.B
}

// DecodeRequest decodes the body of request msg (header already parsed)
// into body.
func DecodeRequest(msg []byte, body Message) error {
	d := Decoder{B: msg[HeaderSize:]}
	if body != nil {
		body.Decode(&d)
	}
	return d.Finish()
}

// DecodeResponse decodes response msg: its errno and, when errno is 0 (or
// partial is set and errno is ENOENT), its body.
func DecodeResponse(msg []byte, body Message, partial bool) (unix.Errno, error) {
	d := Decoder{B: msg[HeaderSize:]}
	errno := unix.Errno(d.U32())
	if d.Err != nil {
		return 0, d.Err
	}
	if errno != 0 && !(partial && errno == unix.ENOENT) {
		return errno, nil
	}
	if body != nil {
		body.Decode(&d)
	}
	return errno, d.Finish()
}

// NewRequest returns an empty request body for op (nil if op takes none).
func NewRequest(op Op) Message {
	switch op {
	case OpAttach, OpChannel:
		return nil
	case OpWalk:
		return &WalkReq{}
	case OpStat, OpReadlink, OpStatfs:
		return &HandleReq{}
	case OpOpen:
		return &OpenReq{}
	case OpCreate:
		return &CreateReq{}
	case OpMkdir:
		return &MkdirReq{}
	case OpMknod:
		return &MknodReq{}
	case OpSymlink:
		return &SymlinkReq{}
	case OpLink:
		return &LinkReq{}
	case OpUnlink:
		return &UnlinkReq{}
	case OpRename:
		return &RenameReq{}
	case OpSetAttr:
		return &SetAttrReq{}
	case OpGetdents:
		return &GetdentsReq{}
	case OpGetxattr:
		return &GetxattrReq{}
	case OpListxattr:
		return &ListxattrReq{}
	case OpSetxattr:
		return &SetxattrReq{}
	case OpRemovexattr:
		return &RemovexattrReq{}
	case OpClose:
		return &CloseReq{}
	}
	return nil
}

func itoa(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
