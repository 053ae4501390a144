package strace

import (
	"encoding/binary"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// kind says how to print one system call argument.
type kind uint8

const (
	kHex             kind = iota // unsigned hex: 0 or 0x...
	kInt                         // signed 32-bit decimal
	kLong                        // signed 64-bit decimal
	kUint                        // unsigned 64-bit decimal (sizes, counts)
	kPtr                         // address: NULL or 0x...
	kFD                          // file descriptor (signed 32-bit decimal)
	kDirFD                       // dirfd: AT_FDCWD or a file descriptor
	kPath                        // NUL-terminated path, printed in full
	kStr                         // NUL-terminated string, truncated to maxStr bytes
	kBuf                         // input buffer whose length is the next argument
	kIovec                       // input struct iovec array whose length is the next argument
	kSockaddr                    // input struct sockaddr whose length is the next argument
	kArgv                        // execve argv array
	kEnvp                        // execve envp array (counted, not printed)
	kTimespec                    // input struct timespec
	kSigset                      // input sigset_t
	kSigaction                   // input struct sigaction
	kRlimit                      // input struct rlimit
	kOpenFlags                   // open(2) flags
	kOpenMode                    // mode of open/openat/creat: omitted unless O_CREAT or O_TMPFILE
	kMode                        // file mode, octal with S_IF* type
	kFDFlags                     // O_CLOEXEC|O_NONBLOCK of pipe2, dup3
	kProt                        // PROT_*
	kMmapFlags                   // MAP_*
	kMremapFlags                 // MREMAP_*
	kMsyncFlags                  // MS_* of msync
	kMadvise                     // MADV_*
	kSignal                      // signal number
	kSigHow                      // SIG_BLOCK...
	kIoctlReq                    // ioctl request
	kFcntlCmd                    // fcntl command
	kFcntlArg                    // fcntl argument, depends on the command (previous argument)
	kAtFlags                     // AT_* flags
	kUnlinkatFlags               // AT_REMOVEDIR
	kFaccessatFlags              // AT_EACCESS|AT_*
	kAccessMode                  // F_OK, R_OK|W_OK|X_OK
	kClockID                     // CLOCK_*
	kTimerFlags                  // TIMER_ABSTIME
	kWhence                      // SEEK_*
	kArchPrctlCode               // ARCH_*
	kRlimitResource              // RLIMIT_*
	kFamily                      // AF_*
	kSockType                    // SOCK_* with SOCK_NONBLOCK|SOCK_CLOEXEC
	kSockFlags                   // SOCK_NONBLOCK|SOCK_CLOEXEC
	kMsgFlags                    // MSG_*
	kShutdownHow                 // SHUT_*
	kFlockOp                     // LOCK_*
	kCloneFlags                  // CLONE_* | exit signal
	kWaitOptions                 // WNOHANG...
	kFutexOp                     // FUTEX_*
	kEpollCtlOp                  // EPOLL_CTL_*
	kEpollFlags                  // EPOLL_CLOEXEC
	kEventfdFlags                // EFD_*
	kTimerfdFlags                // TFD_*
	kInotifyFlags                // IN_NONBLOCK|IN_CLOEXEC
	kGrndFlags                   // GRND_*
	kMemfdFlags                  // MFD_*
	kCloseRangeFlags             // CLOSE_RANGE_*
	kStatxMask                   // STATX_*
	kUmountFlags                 // MNT_*
	kMountFlags                  // MS_*
	kPrctlOption                 // PR_*

	// Output arguments: printed as an address at entry, decoded at exit.
	kFirstOutput
	kOutBuf       // buffer holding ret bytes
	kOutIovec     // struct iovec array (length next argument) holding ret bytes
	kOutPath      // NUL-terminated string (getcwd)
	kOutStat      // struct stat
	kOutStatx     // struct statx
	kOutSigaction // struct sigaction
	kOutSigset    // sigset_t
	kOutRlimit    // struct rlimit
	kOutTimespec  // struct timespec
	kOutTimeval   // struct timeval
	kOutPipe      // int[2]
	kOutWstatus   // int wait status
	kOutUtsname   // struct utsname
)

// isOutput reports whether k is an output argument kind.
func (k kind) isOutput() bool { return k > kFirstOutput }

// retKind says how to print a system call's return value.
type retKind uint8

const (
	retInt  retKind = iota // signed decimal
	retHex                 // address
	retNone                // does not return: "?"
)

// spec describes a system call's arguments and result.
type spec struct {
	args []kind
	ret  retKind
}

// Limits on how much is printed, matching strace's defaults.
const (
	maxStr   = 32   // bytes of a string or buffer
	maxArray = 32   // elements of an array
	maxPath  = 4096 // bytes of a path
	maxEnv   = 4096 // envp entries counted
)

// omitted reports whether argument i is not printed at all, as strace does
// for arguments the call ignores.
func (c *call) omitted(i int, k kind) bool {
	switch k {
	case kOpenMode:
		return i == 0 || c.args[i-1]&(unix.O_CREAT|unix.O_TMPFILE) == 0
	case kFcntlArg:
		switch c.args[i-1] {
		case unix.F_GETFD, unix.F_GETFL, unix.F_GETOWN, unix.F_GETSIG,
			unix.F_GETLEASE, unix.F_GETPIPE_SZ, unix.F_GET_SEALS:
			return true
		}
	}
	return false
}

// writeArg appends argument i formatted as kind k.
func (c *call) writeArg(b *strings.Builder, i int, k kind) {
	v := uint64(c.args[i])
	next := uint64(0)
	if i+1 < len(c.args) {
		next = uint64(c.args[i+1])
	}
	switch k {
	case kHex:
		writeHex(b, v)
	case kInt, kFD:
		b.WriteString(strconv.FormatInt(int64(int32(v)), 10))
	case kLong:
		b.WriteString(strconv.FormatInt(int64(v), 10))
	case kUint:
		b.WriteString(strconv.FormatUint(v, 10))
	case kPtr:
		writePtr(b, v)
	case kDirFD:
		if int32(v) == unix.AT_FDCWD {
			b.WriteString("AT_FDCWD")
		} else {
			b.WriteString(strconv.FormatInt(int64(int32(v)), 10))
		}
	case kPath:
		c.writeString(b, v, maxPath)
	case kStr:
		c.writeString(b, v, maxStr)
	case kBuf:
		c.writeBuf(b, v, next)
	case kIovec:
		c.writeIovec(b, v, next, ^uint64(0))
	case kSockaddr:
		c.writeSockaddr(b, v, next)
	case kArgv:
		c.writeArgv(b, v)
	case kEnvp:
		c.writeEnvp(b, v)
	case kTimespec:
		c.writeTimespec(b, v, "tv_nsec")
	case kSigset:
		c.writeSigsetAt(b, v)
	case kSigaction:
		c.writeSigaction(b, v)
	case kRlimit:
		c.writeRlimit(b, v)
	case kOpenFlags:
		writeOpenFlags(b, v)
	case kOpenMode, kMode:
		writeMode(b, v)
	case kFDFlags:
		writeFlags(b, v, fdFlags, "0")
	case kProt:
		writeFlags(b, v, protFlags, "PROT_NONE")
	case kMmapFlags:
		writeMmapFlags(b, v)
	case kMremapFlags:
		writeFlags(b, v, mremapFlags, "0")
	case kMsyncFlags:
		writeFlags(b, v, msyncFlags, "0")
	case kMadvise:
		writeEnum(b, v, madviseNames)
	case kSignal:
		writeSignal(b, v)
	case kSigHow:
		writeEnum(b, v, sigHowNames)
	case kIoctlReq:
		writeEnumHex(b, uint64(uint32(v)), ioctlNames)
	case kFcntlCmd:
		writeEnum(b, v, fcntlNames)
	case kFcntlArg:
		c.writeFcntlArg(b, i)
	case kAtFlags:
		writeFlags(b, v, atFlags, "0")
	case kUnlinkatFlags:
		writeFlags(b, v, unlinkatFlags, "0")
	case kFaccessatFlags:
		writeFlags(b, v, faccessatFlags, "0")
	case kAccessMode:
		writeFlags(b, v, accessFlags, "F_OK")
	case kClockID:
		writeEnum(b, v, clockNames)
	case kTimerFlags:
		writeFlags(b, v, timerFlags, "0")
	case kWhence:
		writeEnum(b, v, whenceNames)
	case kArchPrctlCode:
		writeEnumHex(b, v, archPrctlNames)
	case kRlimitResource:
		writeEnum(b, v, rlimitNames)
	case kFamily:
		writeEnum(b, v, familyNames)
	case kSockType:
		if n, ok := sockTypeNames[v&0xf]; ok {
			b.WriteString(n)
		} else {
			b.WriteString(strconv.FormatUint(v&0xf, 10))
		}
		if v&^0xf != 0 {
			b.WriteByte('|')
			writeFlags(b, v&^0xf, sockFlags, "")
		}
	case kSockFlags:
		writeFlags(b, v, sockFlags, "0")
	case kMsgFlags:
		writeFlags(b, v, msgFlags, "0")
	case kShutdownHow:
		writeEnum(b, v, shutdownNames)
	case kFlockOp:
		writeFlags(b, v, flockFlags, "0")
	case kCloneFlags:
		writeCloneFlags(b, v)
	case kWaitOptions:
		writeFlags(b, v, waitFlags, "0")
	case kFutexOp:
		writeFutexOp(b, v)
	case kEpollCtlOp:
		writeEnum(b, v, epollCtlNames)
	case kEpollFlags:
		writeFlags(b, v, epollCreateFlags, "0")
	case kEventfdFlags:
		writeFlags(b, v, eventfdFlags, "0")
	case kTimerfdFlags:
		writeFlags(b, v, timerfdFlags, "0")
	case kInotifyFlags:
		writeFlags(b, v, inotifyFlags, "0")
	case kGrndFlags:
		writeFlags(b, v, grndFlags, "0")
	case kMemfdFlags:
		writeFlags(b, v, memfdFlags, "0")
	case kCloseRangeFlags:
		writeFlags(b, v, closeRangeFlags, "0")
	case kStatxMask:
		writeFlags(b, v, statxMask, "0")
	case kUmountFlags:
		writeFlags(b, v, umountFlags, "0")
	case kMountFlags:
		writeFlags(b, v, mountFlags, "0")
	case kPrctlOption:
		writeEnum(b, v, prctlNames)
	default:
		if !k.isOutput() || !c.decodable(i, k) {
			writePtr(b, v)
			return
		}
		c.writeOutput(b, i, k)
	}
}

// writeOutput appends output argument i, known to be decodable.
func (c *call) writeOutput(b *strings.Builder, i int, k kind) {
	v := uint64(c.args[i])
	ret := uint64(c.ret)
	switch k {
	case kOutBuf:
		c.writeBuf(b, v, ret)
	case kOutIovec:
		c.writeIovec(b, v, uint64(c.args[i+1]), ret)
	case kOutPath:
		c.writeString(b, v, maxPath)
	case kOutStat:
		c.writeStat(b, v)
	case kOutStatx:
		c.writeStatx(b, v)
	case kOutSigaction:
		c.writeSigaction(b, v)
	case kOutSigset:
		c.writeSigsetAt(b, v)
	case kOutRlimit:
		c.writeRlimit(b, v)
	case kOutTimespec:
		c.writeTimespec(b, v, "tv_nsec")
	case kOutTimeval:
		c.writeTimespec(b, v, "tv_usec")
	case kOutPipe:
		var buf [8]byte
		if !c.read(v, buf[:]) {
			writePtr(b, v)
			return
		}
		b.WriteByte('[')
		b.WriteString(strconv.FormatInt(int64(int32(binary.LittleEndian.Uint32(buf[:4]))), 10))
		b.WriteString(", ")
		b.WriteString(strconv.FormatInt(int64(int32(binary.LittleEndian.Uint32(buf[4:]))), 10))
		b.WriteByte(']')
	case kOutWstatus:
		var buf [4]byte
		if int64(ret) <= 0 || !c.read(v, buf[:]) {
			writePtr(b, v)
			return
		}
		writeWaitStatus(b, binary.LittleEndian.Uint32(buf[:]))
	case kOutUtsname:
		c.writeUtsname(b, v)
	default:
		writePtr(b, v)
	}
}

// read copies len(dst) bytes at addr, reporting success.
func (c *call) read(addr uint64, dst []byte) bool {
	if c.m == nil || addr == 0 {
		return false
	}
	n, err := c.m.CopyIn(uintptr(addr), dst)
	return err == nil && n == len(dst)
}

// readU64 reads a little-endian uint64 at addr.
func (c *call) readU64(addr uint64) (uint64, bool) {
	var buf [8]byte
	if !c.read(addr, buf[:]) {
		return 0, false
	}
	return binary.LittleEndian.Uint64(buf[:]), true
}

func writePtr(b *strings.Builder, v uint64) {
	if v == 0 {
		b.WriteString("NULL")
		return
	}
	writeHex(b, v)
}

// writeString appends the NUL-terminated string at addr quoted, with "..."
// if it is longer than limit bytes, or the address if it cannot be read.
func (c *call) writeString(b *strings.Builder, addr uint64, limit int) {
	if addr == 0 {
		b.WriteString("NULL")
		return
	}
	if c.m == nil {
		writeHex(b, addr)
		return
	}
	s, err := c.m.CopyInString(uintptr(addr), limit+1)
	if err != nil && s == "" {
		writeHex(b, addr)
		return
	}
	trunc := len(s) > limit
	if trunc {
		s = s[:limit]
	}
	writeQuoted(b, []byte(s))
	if trunc {
		b.WriteString("...")
	}
}

// writeBuf appends n bytes at addr as a quoted string truncated to maxStr
// bytes.
func (c *call) writeBuf(b *strings.Builder, addr, n uint64) {
	if addr == 0 {
		b.WriteString("NULL")
		return
	}
	show := min(n, maxStr)
	buf := make([]byte, show)
	if !c.read(addr, buf) && show > 0 {
		writeHex(b, addr)
		return
	}
	writeQuoted(b, buf)
	if n > show {
		b.WriteString("...")
	}
}

// writeQuoted appends s in double quotes with C escapes, as strace does:
// non-printable bytes in octal, using the shortest form unless a digit
// follows.
func writeQuoted(b *strings.Builder, s []byte) {
	b.WriteByte('"')
	for i, c := range s {
		switch c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\v':
			b.WriteString(`\v`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if c >= ' ' && c <= '~' {
				b.WriteByte(c)
				continue
			}
			b.WriteByte('\\')
			o := strconv.FormatUint(uint64(c), 8)
			if i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7' {
				b.WriteString("000"[len(o):])
			}
			b.WriteString(o)
		}
	}
	b.WriteByte('"')
}

// writeIovec appends the struct iovec array at addr of count elements, with
// at most total bytes of data shown across all elements.
func (c *call) writeIovec(b *strings.Builder, addr, count, total uint64) {
	if addr == 0 || c.m == nil {
		writePtr(b, addr)
		return
	}
	b.WriteByte('[')
	for i := uint64(0); i < count; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		if i == maxArray {
			b.WriteString("...")
			break
		}
		var iov [16]byte
		if !c.read(addr+16*i, iov[:]) {
			writeHex(b, addr+16*i)
			break
		}
		base := binary.LittleEndian.Uint64(iov[:8])
		n := binary.LittleEndian.Uint64(iov[8:])
		b.WriteString("{iov_base=")
		c.writeBuf(b, base, min(n, total))
		total -= min(n, total)
		b.WriteString(", iov_len=")
		b.WriteString(strconv.FormatUint(n, 10))
		b.WriteByte('}')
	}
	b.WriteByte(']')
}

// writeArgv appends a NULL-terminated array of string pointers.
func (c *call) writeArgv(b *strings.Builder, addr uint64) {
	if addr == 0 || c.m == nil {
		writePtr(b, addr)
		return
	}
	b.WriteByte('[')
	for i := uint64(0); ; i++ {
		p, ok := c.readU64(addr + 8*i)
		if !ok {
			if i > 0 {
				b.WriteString(", ")
			}
			writeHex(b, addr+8*i)
			break
		}
		if p == 0 {
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		if i == maxArray {
			b.WriteString("...")
			break
		}
		c.writeString(b, p, maxStr)
	}
	b.WriteByte(']')
}

// writeEnvp appends an environment array's address and its length.
func (c *call) writeEnvp(b *strings.Builder, addr uint64) {
	writePtr(b, addr)
	if addr == 0 || c.m == nil {
		return
	}
	n := 0
	for ; n < maxEnv; n++ {
		p, ok := c.readU64(addr + 8*uint64(n))
		if !ok {
			return
		}
		if p == 0 {
			break
		}
	}
	b.WriteString(" /* ")
	b.WriteString(strconv.Itoa(n))
	if n == 1 {
		b.WriteString(" var */")
	} else {
		b.WriteString(" vars */")
	}
}

// writeTimespec appends a struct timespec (or timeval, with sub = "tv_usec").
func (c *call) writeTimespec(b *strings.Builder, addr uint64, sub string) {
	var buf [16]byte
	if !c.read(addr, buf[:]) {
		writePtr(b, addr)
		return
	}
	b.WriteString("{tv_sec=")
	b.WriteString(strconv.FormatInt(int64(binary.LittleEndian.Uint64(buf[:8])), 10))
	b.WriteString(", ")
	b.WriteString(sub)
	b.WriteByte('=')
	b.WriteString(strconv.FormatInt(int64(binary.LittleEndian.Uint64(buf[8:])), 10))
	b.WriteByte('}')
}

// writeRlimit appends a struct rlimit.
func (c *call) writeRlimit(b *strings.Builder, addr uint64) {
	var buf [16]byte
	if !c.read(addr, buf[:]) {
		writePtr(b, addr)
		return
	}
	b.WriteString("{rlim_cur=")
	writeRlim(b, binary.LittleEndian.Uint64(buf[:8]))
	b.WriteString(", rlim_max=")
	writeRlim(b, binary.LittleEndian.Uint64(buf[8:]))
	b.WriteByte('}')
}

func writeRlim(b *strings.Builder, v uint64) {
	switch {
	case v == unix.RLIM_INFINITY:
		b.WriteString("RLIM64_INFINITY")
	case v != 0 && v%1024 == 0:
		b.WriteString(strconv.FormatUint(v/1024, 10))
		b.WriteString("*1024")
	default:
		b.WriteString(strconv.FormatUint(v, 10))
	}
}

// writeSignal appends a signal number's name.
func writeSignal(b *strings.Builder, v uint64) {
	if v > 0 && v < 32 {
		if n := unix.SignalName(unix.Signal(v)); n != "" {
			b.WriteString(n)
			return
		}
	}
	switch {
	case v == 32:
		b.WriteString("SIGRTMIN")
	case v > 32 && v <= 64:
		b.WriteString("SIGRT_")
		b.WriteString(strconv.FormatUint(v-32, 10))
	default:
		b.WriteString(strconv.FormatInt(int64(int32(v)), 10))
	}
}

// writeSigset appends a 64-bit signal mask as strace does: [INT TERM], or
// ~[...] listing the signals not in the set when most are.
func writeSigset(b *strings.Builder, set uint64) {
	if popcount(set) > 32 {
		set = ^set
		b.WriteByte('~')
	}
	b.WriteByte('[')
	first := true
	for sig := uint64(1); sig <= 64; sig++ {
		if set&(1<<(sig-1)) == 0 {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		var sb strings.Builder
		writeSignal(&sb, sig)
		b.WriteString(strings.TrimPrefix(sb.String(), "SIG"))
	}
	b.WriteByte(']')
}

func popcount(v uint64) int {
	n := 0
	for ; v != 0; v &= v - 1 {
		n++
	}
	return n
}

func (c *call) writeSigsetAt(b *strings.Builder, addr uint64) {
	set, ok := c.readU64(addr)
	if !ok {
		writePtr(b, addr)
		return
	}
	writeSigset(b, set)
}

// writeSigaction appends the kernel's struct sigaction for x86-64: handler,
// flags, restorer, mask.
func (c *call) writeSigaction(b *strings.Builder, addr uint64) {
	var buf [32]byte
	if !c.read(addr, buf[:]) {
		writePtr(b, addr)
		return
	}
	handler := binary.LittleEndian.Uint64(buf[0:])
	flags := binary.LittleEndian.Uint64(buf[8:])
	restorer := binary.LittleEndian.Uint64(buf[16:])
	mask := binary.LittleEndian.Uint64(buf[24:])
	b.WriteString("{sa_handler=")
	switch handler {
	case 0:
		b.WriteString("SIG_DFL")
	case 1:
		b.WriteString("SIG_IGN")
	default:
		writeHex(b, handler)
	}
	b.WriteString(", sa_mask=")
	writeSigset(b, mask)
	b.WriteString(", sa_flags=")
	writeFlags(b, flags, saFlags, "0")
	if flags&saRestorer != 0 {
		b.WriteString(", sa_restorer=")
		writeHex(b, restorer)
	}
	b.WriteByte('}')
}

// writeOpenFlags appends open(2) flags: the access mode, then the other bits.
func writeOpenFlags(b *strings.Builder, v uint64) {
	switch v & unix.O_ACCMODE {
	case unix.O_RDONLY:
		b.WriteString("O_RDONLY")
	case unix.O_WRONLY:
		b.WriteString("O_WRONLY")
	case unix.O_RDWR:
		b.WriteString("O_RDWR")
	default:
		b.WriteString("O_ACCMODE")
	}
	if rest := v &^ unix.O_ACCMODE; rest != 0 {
		b.WriteByte('|')
		writeFlags(b, rest, openFlags, "")
	}
}

// fileTypes names the S_IFMT values.
var fileTypes = map[uint64]string{
	unix.S_IFSOCK: "S_IFSOCK",
	unix.S_IFLNK:  "S_IFLNK",
	unix.S_IFREG:  "S_IFREG",
	unix.S_IFBLK:  "S_IFBLK",
	unix.S_IFDIR:  "S_IFDIR",
	unix.S_IFCHR:  "S_IFCHR",
	unix.S_IFIFO:  "S_IFIFO",
}

// writeMode appends a file mode as strace does: S_IFREG|0644, or 0644 when
// no type bits are set.
func writeMode(b *strings.Builder, v uint64) {
	if t := v & unix.S_IFMT; t != 0 {
		if n, ok := fileTypes[t]; ok {
			b.WriteString(n)
		} else {
			writeHex(b, t)
		}
		b.WriteByte('|')
		v &^= unix.S_IFMT
	}
	o := strconv.FormatUint(v, 8)
	if v != 0 {
		o = "0" + o
	}
	if len(o) < 3 {
		b.WriteString("000"[len(o):])
	}
	b.WriteString(o)
}

// writeMmapFlags appends mmap flags: the mapping type, then the other bits.
func writeMmapFlags(b *strings.Builder, v uint64) {
	t := v & unix.MAP_TYPE
	if n, ok := mmapTypes[t]; ok {
		b.WriteString(n)
	} else {
		writeHex(b, t)
	}
	if rest := v &^ unix.MAP_TYPE; rest != 0 {
		b.WriteByte('|')
		writeFlags(b, rest, mmapFlags, "")
	}
}

// writeCloneFlags appends clone flags with the exit signal in the low byte.
func writeCloneFlags(b *strings.Builder, v uint64) {
	sig := v & 0xff
	flags := v &^ 0xff
	if flags != 0 {
		writeFlags(b, flags, cloneFlags, "")
	}
	if sig != 0 || flags == 0 {
		if flags != 0 {
			b.WriteByte('|')
		}
		writeSignal(b, sig)
	}
}

// writeFutexOp appends a futex operation: FUTEX_WAIT_PRIVATE,
// FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, ...
func writeFutexOp(b *strings.Builder, v uint64) {
	cmd := v &^ (futexPrivateFlag | futexClockRealtime)
	n, ok := futexCmdNames[cmd]
	if !ok {
		writeHex(b, v)
		return
	}
	b.WriteString(n)
	if v&futexPrivateFlag != 0 {
		b.WriteString("_PRIVATE")
	}
	if v&futexClockRealtime != 0 {
		b.WriteString("|FUTEX_CLOCK_REALTIME")
	}
}

// writeFcntlArg appends fcntl's third argument, argument i, according to the
// command in argument i-1.
func (c *call) writeFcntlArg(b *strings.Builder, i int) {
	v := uint64(c.args[i])
	switch c.args[i-1] {
	case unix.F_SETFD:
		writeFlags(b, v, fdCloexecFlags, "0")
	case unix.F_SETFL:
		writeOpenFlags(b, v)
	case unix.F_DUPFD, unix.F_DUPFD_CLOEXEC, unix.F_SETOWN, unix.F_SETPIPE_SZ,
		unix.F_SETLEASE, unix.F_NOTIFY:
		b.WriteString(strconv.FormatInt(int64(int32(v)), 10))
	case unix.F_SETSIG:
		writeSignal(b, v)
	case unix.F_ADD_SEALS:
		writeFlags(b, v, sealFlags, "0")
	default:
		writePtr(b, v)
	}
}

// writeWaitStatus appends a wait status as strace does.
func writeWaitStatus(b *strings.Builder, s uint32) {
	ws := unix.WaitStatus(s)
	switch {
	case ws.Exited():
		b.WriteString("[{WIFEXITED(s) && WEXITSTATUS(s) == ")
		b.WriteString(strconv.Itoa(ws.ExitStatus()))
		b.WriteString("}]")
	case ws.Signaled():
		b.WriteString("[{WIFSIGNALED(s) && WTERMSIG(s) == ")
		writeSignal(b, uint64(ws.Signal()))
		if ws.CoreDump() {
			b.WriteString(" && WCOREDUMP(s)")
		}
		b.WriteString("}]")
	case ws.Stopped():
		b.WriteString("[{WIFSTOPPED(s) && WSTOPSIG(s) == ")
		writeSignal(b, uint64(ws.StopSignal()))
		b.WriteString("}]")
	default:
		b.WriteByte('[')
		writeHex(b, uint64(s))
		b.WriteByte(']')
	}
}

// writeStat appends the interesting fields of an x86-64 struct stat, as
// strace's abbreviated output does.
func (c *call) writeStat(b *strings.Builder, addr uint64) {
	var buf [144]byte
	if !c.read(addr, buf[:]) {
		writePtr(b, addr)
		return
	}
	mode := uint64(binary.LittleEndian.Uint32(buf[24:]))
	rdev := binary.LittleEndian.Uint64(buf[40:])
	size := int64(binary.LittleEndian.Uint64(buf[48:]))
	b.WriteString("{st_mode=")
	writeMode(b, mode)
	if t := mode & unix.S_IFMT; t == unix.S_IFCHR || t == unix.S_IFBLK {
		b.WriteString(", st_rdev=makedev(")
		writeHex(b, uint64(unix.Major(rdev)))
		b.WriteString(", ")
		writeHex(b, uint64(unix.Minor(rdev)))
		b.WriteByte(')')
	} else {
		b.WriteString(", st_size=")
		b.WriteString(strconv.FormatInt(size, 10))
	}
	b.WriteString(", ...}")
}

// writeStatx appends the interesting fields of a struct statx.
func (c *call) writeStatx(b *strings.Builder, addr uint64) {
	var buf [256]byte
	if !c.read(addr, buf[:]) {
		writePtr(b, addr)
		return
	}
	b.WriteString("{stx_mask=")
	writeFlags(b, uint64(binary.LittleEndian.Uint32(buf[0:])), statxMask, "0")
	b.WriteString(", stx_attributes=")
	writeHex(b, binary.LittleEndian.Uint64(buf[8:]))
	b.WriteString(", stx_mode=")
	writeMode(b, uint64(binary.LittleEndian.Uint16(buf[28:])))
	b.WriteString(", stx_size=")
	b.WriteString(strconv.FormatUint(binary.LittleEndian.Uint64(buf[40:]), 10))
	b.WriteString(", ...}")
}

// writeUtsname appends the first fields of a struct utsname.
func (c *call) writeUtsname(b *strings.Builder, addr uint64) {
	const field = 65
	var buf [2 * field]byte
	if !c.read(addr, buf[:]) {
		writePtr(b, addr)
		return
	}
	b.WriteString("{sysname=")
	writeQuoted(b, cstring(buf[:field]))
	b.WriteString(", nodename=")
	writeQuoted(b, cstring(buf[field:]))
	b.WriteString(", ...}")
}

// cstring returns s up to its first NUL.
func cstring(s []byte) []byte {
	for i, c := range s {
		if c == 0 {
			return s[:i]
		}
	}
	return s
}

// writeSockaddr appends the struct sockaddr at addr of length n.
func (c *call) writeSockaddr(b *strings.Builder, addr, n uint64) {
	if addr == 0 || c.m == nil || n < 2 || n > 128 {
		writePtr(b, addr)
		return
	}
	buf := make([]byte, n)
	if !c.read(addr, buf) {
		writeHex(b, addr)
		return
	}
	family := uint64(binary.LittleEndian.Uint16(buf))
	b.WriteString("{sa_family=")
	writeEnum(b, family, familyNames)
	switch {
	case family == unix.AF_UNIX:
		path := buf[2:]
		if len(path) > 0 && path[0] == 0 {
			b.WriteString(", sun_path=@")
			writeQuoted(b, path[1:])
		} else if len(path) > 0 {
			b.WriteString(", sun_path=")
			writeQuoted(b, cstring(path))
		}
	case family == unix.AF_INET && n >= 8:
		b.WriteString(", sin_port=htons(")
		b.WriteString(strconv.Itoa(int(binary.BigEndian.Uint16(buf[2:]))))
		b.WriteString("), sin_addr=inet_addr(\"")
		b.WriteString(netip.AddrFrom4([4]byte(buf[4:8])).String())
		b.WriteString("\")")
	case family == unix.AF_INET6 && n >= 24:
		b.WriteString(", sin6_port=htons(")
		b.WriteString(strconv.Itoa(int(binary.BigEndian.Uint16(buf[2:]))))
		b.WriteString("), sin6_flowinfo=htonl(")
		b.WriteString(strconv.FormatUint(uint64(binary.BigEndian.Uint32(buf[4:])), 10))
		b.WriteString("), inet_pton(AF_INET6, \"")
		b.WriteString(netip.AddrFrom16([16]byte(buf[8:24])).String())
		b.WriteString("\", &sin6_addr)")
		if n >= 28 {
			b.WriteString(", sin6_scope_id=")
			b.WriteString(strconv.FormatUint(uint64(binary.LittleEndian.Uint32(buf[24:])), 10))
		}
	default:
		b.WriteString(", ...")
	}
	b.WriteByte('}')
}
