package strace

import (
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// flag names one bit pattern of a flags word. A pattern matches when all of
// its bits are set; tables list composite patterns before their parts.
type flag struct {
	val  uint64
	name string
}

// Values the kernel ABI defines but golang.org/x/sys/unix does not (or, for
// O_LARGEFILE, defines as 0 because glibc hides it on 64-bit).
const (
	oLargefile = 0x8000

	saNoCldStop     = 0x1
	saNoCldWait     = 0x2
	saSiginfo       = 0x4
	saUnsupported   = 0x400
	saExposeTagbits = 0x800
	saRestorer      = 0x04000000
	saOnstack       = 0x08000000
	saRestart       = 0x10000000
	saNodefer       = 0x40000000
	saResethand     = 0x80000000

	fionread  = 0x541b
	fionbio   = 0x5421
	fionclex  = 0x5450
	fioclex   = 0x5451
	fioasync  = 0x5452
	fioqsize  = 0x5460
	tiocgsid  = 0x5429
	tiocgptn  = 0x80045430
	tiocsptlk = 0x40045431

	futexPrivateFlag   = 128
	futexClockRealtime = 256

	madvSoftOffline = 101
)

var openFlags = []flag{
	{unix.O_TMPFILE, "O_TMPFILE"}, // includes O_DIRECTORY
	{unix.O_SYNC, "O_SYNC"},       // includes O_DSYNC
	{unix.O_CREAT, "O_CREAT"},
	{unix.O_EXCL, "O_EXCL"},
	{unix.O_NOCTTY, "O_NOCTTY"},
	{unix.O_TRUNC, "O_TRUNC"},
	{unix.O_APPEND, "O_APPEND"},
	{unix.O_NONBLOCK, "O_NONBLOCK"},
	{unix.O_DSYNC, "O_DSYNC"},
	{unix.O_ASYNC, "O_ASYNC"},
	{unix.O_DIRECT, "O_DIRECT"},
	{oLargefile, "O_LARGEFILE"},
	{unix.O_DIRECTORY, "O_DIRECTORY"},
	{unix.O_NOFOLLOW, "O_NOFOLLOW"},
	{unix.O_NOATIME, "O_NOATIME"},
	{unix.O_CLOEXEC, "O_CLOEXEC"},
	{unix.O_PATH, "O_PATH"},
}

// fdFlags are the O_* flags accepted by pipe2, dup3 and friends.
var fdFlags = []flag{
	{unix.O_NONBLOCK, "O_NONBLOCK"},
	{unix.O_DIRECT, "O_DIRECT"},
	{unix.O_CLOEXEC, "O_CLOEXEC"},
}

var protFlags = []flag{
	{unix.PROT_READ, "PROT_READ"},
	{unix.PROT_WRITE, "PROT_WRITE"},
	{unix.PROT_EXEC, "PROT_EXEC"},
	{0x8, "PROT_SEM"},
	{unix.PROT_GROWSDOWN, "PROT_GROWSDOWN"},
	{unix.PROT_GROWSUP, "PROT_GROWSUP"},
}

var mmapTypes = map[uint64]string{
	unix.MAP_SHARED:          "MAP_SHARED",
	unix.MAP_PRIVATE:         "MAP_PRIVATE",
	unix.MAP_SHARED_VALIDATE: "MAP_SHARED_VALIDATE",
}

var mmapFlags = []flag{
	{unix.MAP_FIXED, "MAP_FIXED"},
	{unix.MAP_ANONYMOUS, "MAP_ANONYMOUS"},
	{unix.MAP_32BIT, "MAP_32BIT"},
	{unix.MAP_GROWSDOWN, "MAP_GROWSDOWN"},
	{unix.MAP_DENYWRITE, "MAP_DENYWRITE"},
	{unix.MAP_EXECUTABLE, "MAP_EXECUTABLE"},
	{unix.MAP_LOCKED, "MAP_LOCKED"},
	{unix.MAP_NORESERVE, "MAP_NORESERVE"},
	{unix.MAP_POPULATE, "MAP_POPULATE"},
	{unix.MAP_NONBLOCK, "MAP_NONBLOCK"},
	{unix.MAP_STACK, "MAP_STACK"},
	{unix.MAP_HUGETLB, "MAP_HUGETLB"},
	{unix.MAP_SYNC, "MAP_SYNC"},
	{unix.MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE"},
	{0x4000000, "MAP_UNINITIALIZED"},
}

var mremapFlags = []flag{
	{unix.MREMAP_MAYMOVE, "MREMAP_MAYMOVE"},
	{unix.MREMAP_FIXED, "MREMAP_FIXED"},
	{unix.MREMAP_DONTUNMAP, "MREMAP_DONTUNMAP"},
}

var msyncFlags = []flag{
	{unix.MS_ASYNC, "MS_ASYNC"},
	{unix.MS_INVALIDATE, "MS_INVALIDATE"},
	{unix.MS_SYNC, "MS_SYNC"},
}

var madviseNames = map[uint64]string{
	unix.MADV_NORMAL:          "MADV_NORMAL",
	unix.MADV_RANDOM:          "MADV_RANDOM",
	unix.MADV_SEQUENTIAL:      "MADV_SEQUENTIAL",
	unix.MADV_WILLNEED:        "MADV_WILLNEED",
	unix.MADV_DONTNEED:        "MADV_DONTNEED",
	unix.MADV_FREE:            "MADV_FREE",
	unix.MADV_REMOVE:          "MADV_REMOVE",
	unix.MADV_DONTFORK:        "MADV_DONTFORK",
	unix.MADV_DOFORK:          "MADV_DOFORK",
	unix.MADV_MERGEABLE:       "MADV_MERGEABLE",
	unix.MADV_UNMERGEABLE:     "MADV_UNMERGEABLE",
	unix.MADV_HUGEPAGE:        "MADV_HUGEPAGE",
	unix.MADV_NOHUGEPAGE:      "MADV_NOHUGEPAGE",
	unix.MADV_DONTDUMP:        "MADV_DONTDUMP",
	unix.MADV_DODUMP:          "MADV_DODUMP",
	unix.MADV_WIPEONFORK:      "MADV_WIPEONFORK",
	unix.MADV_KEEPONFORK:      "MADV_KEEPONFORK",
	unix.MADV_COLD:            "MADV_COLD",
	unix.MADV_PAGEOUT:         "MADV_PAGEOUT",
	unix.MADV_POPULATE_READ:   "MADV_POPULATE_READ",
	unix.MADV_POPULATE_WRITE:  "MADV_POPULATE_WRITE",
	unix.MADV_DONTNEED_LOCKED: "MADV_DONTNEED_LOCKED",
	unix.MADV_COLLAPSE:        "MADV_COLLAPSE",
	unix.MADV_HWPOISON:        "MADV_HWPOISON",
	madvSoftOffline:           "MADV_SOFT_OFFLINE",
}

var saFlags = []flag{
	{saNoCldStop, "SA_NOCLDSTOP"},
	{saNoCldWait, "SA_NOCLDWAIT"},
	{saSiginfo, "SA_SIGINFO"},
	{saUnsupported, "SA_UNSUPPORTED"},
	{saExposeTagbits, "SA_EXPOSE_TAGBITS"},
	{saRestorer, "SA_RESTORER"},
	{saOnstack, "SA_ONSTACK"},
	{saRestart, "SA_RESTART"},
	{saNodefer, "SA_NODEFER"},
	{saResethand, "SA_RESETHAND"},
}

var sigHowNames = map[uint64]string{
	unix.SIG_BLOCK:   "SIG_BLOCK",
	unix.SIG_UNBLOCK: "SIG_UNBLOCK",
	unix.SIG_SETMASK: "SIG_SETMASK",
}

var ioctlNames = map[uint64]string{
	unix.TCGETS:          "TCGETS",
	unix.TCSETS:          "TCSETS",
	unix.TCSETSW:         "TCSETSW",
	unix.TCSETSF:         "TCSETSF",
	unix.TCGETA:          "TCGETA",
	unix.TCSETA:          "TCSETA",
	unix.TCSETAW:         "TCSETAW",
	unix.TCSETAF:         "TCSETAF",
	unix.TCSBRK:          "TCSBRK",
	unix.TCXONC:          "TCXONC",
	unix.TCFLSH:          "TCFLSH",
	unix.TIOCEXCL:        "TIOCEXCL",
	unix.TIOCNXCL:        "TIOCNXCL",
	unix.TIOCSCTTY:       "TIOCSCTTY",
	unix.TIOCGPGRP:       "TIOCGPGRP",
	unix.TIOCSPGRP:       "TIOCSPGRP",
	unix.TIOCOUTQ:        "TIOCOUTQ",
	unix.TIOCSTI:         "TIOCSTI",
	unix.TIOCGWINSZ:      "TIOCGWINSZ",
	unix.TIOCSWINSZ:      "TIOCSWINSZ",
	unix.TIOCMGET:        "TIOCMGET",
	unix.TIOCMSET:        "TIOCMSET",
	fionread:             "FIONREAD",
	unix.TIOCLINUX:       "TIOCLINUX",
	unix.TIOCCONS:        "TIOCCONS",
	unix.TIOCGSERIAL:     "TIOCGSERIAL",
	unix.TIOCSSERIAL:     "TIOCSSERIAL",
	unix.TIOCPKT:         "TIOCPKT",
	fionbio:              "FIONBIO",
	unix.TIOCNOTTY:       "TIOCNOTTY",
	unix.TIOCSETD:        "TIOCSETD",
	unix.TIOCGETD:        "TIOCGETD",
	tiocgsid:             "TIOCGSID",
	tiocgptn:             "TIOCGPTN",
	tiocsptlk:            "TIOCSPTLCK",
	unix.TIOCGPTPEER:     "TIOCGPTPEER",
	fionclex:             "FIONCLEX",
	fioclex:              "FIOCLEX",
	fioasync:             "FIOASYNC",
	fioqsize:             "FIOQSIZE",
	unix.FICLONE:         "FICLONE",
	unix.FICLONERANGE:    "FICLONERANGE",
	unix.FS_IOC_GETFLAGS: "FS_IOC_GETFLAGS",
	unix.FS_IOC_SETFLAGS: "FS_IOC_SETFLAGS",
	unix.SIOCGIFCONF:     "SIOCGIFCONF",
	unix.SIOCGIFFLAGS:    "SIOCGIFFLAGS",
	unix.SIOCGIFINDEX:    "SIOCGIFINDEX",
	unix.SIOCGIFNAME:     "SIOCGIFNAME",
	unix.SIOCGIFHWADDR:   "SIOCGIFHWADDR",
}

var fcntlNames = map[uint64]string{
	unix.F_DUPFD:         "F_DUPFD",
	unix.F_GETFD:         "F_GETFD",
	unix.F_SETFD:         "F_SETFD",
	unix.F_GETFL:         "F_GETFL",
	unix.F_SETFL:         "F_SETFL",
	unix.F_GETLK:         "F_GETLK",
	unix.F_SETLK:         "F_SETLK",
	unix.F_SETLKW:        "F_SETLKW",
	unix.F_SETOWN:        "F_SETOWN",
	unix.F_GETOWN:        "F_GETOWN",
	unix.F_SETSIG:        "F_SETSIG",
	unix.F_GETSIG:        "F_GETSIG",
	unix.F_SETOWN_EX:     "F_SETOWN_EX",
	unix.F_GETOWN_EX:     "F_GETOWN_EX",
	unix.F_OFD_GETLK:     "F_OFD_GETLK",
	unix.F_OFD_SETLK:     "F_OFD_SETLK",
	unix.F_OFD_SETLKW:    "F_OFD_SETLKW",
	unix.F_SETLEASE:      "F_SETLEASE",
	unix.F_GETLEASE:      "F_GETLEASE",
	unix.F_NOTIFY:        "F_NOTIFY",
	unix.F_DUPFD_CLOEXEC: "F_DUPFD_CLOEXEC",
	unix.F_SETPIPE_SZ:    "F_SETPIPE_SZ",
	unix.F_GETPIPE_SZ:    "F_GETPIPE_SZ",
	unix.F_ADD_SEALS:     "F_ADD_SEALS",
	unix.F_GET_SEALS:     "F_GET_SEALS",
}

var sealFlags = []flag{
	{unix.F_SEAL_SEAL, "F_SEAL_SEAL"},
	{unix.F_SEAL_SHRINK, "F_SEAL_SHRINK"},
	{unix.F_SEAL_GROW, "F_SEAL_GROW"},
	{unix.F_SEAL_WRITE, "F_SEAL_WRITE"},
	{unix.F_SEAL_FUTURE_WRITE, "F_SEAL_FUTURE_WRITE"},
}

var fdCloexecFlags = []flag{{unix.FD_CLOEXEC, "FD_CLOEXEC"}}

// atFlags are the AT_* flags of the *at calls, without the 0x200 bit whose
// meaning (AT_REMOVEDIR or AT_EACCESS) depends on the call.
var atFlags = []flag{
	{unix.AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"},
	{unix.AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW"},
	{unix.AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT"},
	{unix.AT_EMPTY_PATH, "AT_EMPTY_PATH"},
	{unix.AT_STATX_FORCE_SYNC, "AT_STATX_FORCE_SYNC"},
	{unix.AT_STATX_DONT_SYNC, "AT_STATX_DONT_SYNC"},
	{unix.AT_RECURSIVE, "AT_RECURSIVE"},
}

var unlinkatFlags = []flag{{unix.AT_REMOVEDIR, "AT_REMOVEDIR"}}

var faccessatFlags = append([]flag{{unix.AT_EACCESS, "AT_EACCESS"}}, atFlags...)

var accessFlags = []flag{
	{unix.R_OK, "R_OK"},
	{unix.W_OK, "W_OK"},
	{unix.X_OK, "X_OK"},
}

var clockNames = map[uint64]string{
	unix.CLOCK_REALTIME:           "CLOCK_REALTIME",
	unix.CLOCK_MONOTONIC:          "CLOCK_MONOTONIC",
	unix.CLOCK_PROCESS_CPUTIME_ID: "CLOCK_PROCESS_CPUTIME_ID",
	unix.CLOCK_THREAD_CPUTIME_ID:  "CLOCK_THREAD_CPUTIME_ID",
	unix.CLOCK_MONOTONIC_RAW:      "CLOCK_MONOTONIC_RAW",
	unix.CLOCK_REALTIME_COARSE:    "CLOCK_REALTIME_COARSE",
	unix.CLOCK_MONOTONIC_COARSE:   "CLOCK_MONOTONIC_COARSE",
	unix.CLOCK_BOOTTIME:           "CLOCK_BOOTTIME",
	unix.CLOCK_REALTIME_ALARM:     "CLOCK_REALTIME_ALARM",
	unix.CLOCK_BOOTTIME_ALARM:     "CLOCK_BOOTTIME_ALARM",
	unix.CLOCK_TAI:                "CLOCK_TAI",
}

var timerFlags = []flag{{unix.TIMER_ABSTIME, "TIMER_ABSTIME"}}

var whenceNames = map[uint64]string{
	unix.SEEK_SET:  "SEEK_SET",
	unix.SEEK_CUR:  "SEEK_CUR",
	unix.SEEK_END:  "SEEK_END",
	unix.SEEK_DATA: "SEEK_DATA",
	unix.SEEK_HOLE: "SEEK_HOLE",
}

var archPrctlNames = map[uint64]string{
	0x1001: "ARCH_SET_GS",
	0x1002: "ARCH_SET_FS",
	0x1003: "ARCH_GET_FS",
	0x1004: "ARCH_GET_GS",
	0x1011: "ARCH_GET_CPUID",
	0x1012: "ARCH_SET_CPUID",
	0x1021: "ARCH_GET_XCOMP_SUPP",
	0x1022: "ARCH_GET_XCOMP_PERM",
	0x1023: "ARCH_REQ_XCOMP_PERM",
	0x1024: "ARCH_GET_XCOMP_GUEST_PERM",
	0x1025: "ARCH_REQ_XCOMP_GUEST_PERM",
	0x4001: "ARCH_GET_UNTAG_MASK",
	0x4002: "ARCH_ENABLE_TAGGED_ADDR",
	0x4003: "ARCH_GET_MAX_TAG_BITS",
	0x4004: "ARCH_FORCE_TAGGED_SVA",
	0x5001: "ARCH_SHSTK_ENABLE",
	0x5002: "ARCH_SHSTK_DISABLE",
	0x5003: "ARCH_SHSTK_LOCK",
	0x5004: "ARCH_SHSTK_UNLOCK",
	0x5005: "ARCH_SHSTK_STATUS",
}

var rlimitNames = map[uint64]string{
	unix.RLIMIT_CPU:        "RLIMIT_CPU",
	unix.RLIMIT_FSIZE:      "RLIMIT_FSIZE",
	unix.RLIMIT_DATA:       "RLIMIT_DATA",
	unix.RLIMIT_STACK:      "RLIMIT_STACK",
	unix.RLIMIT_CORE:       "RLIMIT_CORE",
	unix.RLIMIT_RSS:        "RLIMIT_RSS",
	unix.RLIMIT_NPROC:      "RLIMIT_NPROC",
	unix.RLIMIT_NOFILE:     "RLIMIT_NOFILE",
	unix.RLIMIT_MEMLOCK:    "RLIMIT_MEMLOCK",
	unix.RLIMIT_AS:         "RLIMIT_AS",
	unix.RLIMIT_LOCKS:      "RLIMIT_LOCKS",
	unix.RLIMIT_SIGPENDING: "RLIMIT_SIGPENDING",
	unix.RLIMIT_MSGQUEUE:   "RLIMIT_MSGQUEUE",
	unix.RLIMIT_NICE:       "RLIMIT_NICE",
	unix.RLIMIT_RTPRIO:     "RLIMIT_RTPRIO",
	unix.RLIMIT_RTTIME:     "RLIMIT_RTTIME",
}

var familyNames = map[uint64]string{
	unix.AF_UNSPEC:    "AF_UNSPEC",
	unix.AF_UNIX:      "AF_UNIX",
	unix.AF_INET:      "AF_INET",
	unix.AF_INET6:     "AF_INET6",
	unix.AF_NETLINK:   "AF_NETLINK",
	unix.AF_PACKET:    "AF_PACKET",
	unix.AF_VSOCK:     "AF_VSOCK",
	unix.AF_ALG:       "AF_ALG",
	unix.AF_BLUETOOTH: "AF_BLUETOOTH",
	unix.AF_KEY:       "AF_KEY",
}

var sockTypeNames = map[uint64]string{
	unix.SOCK_STREAM:    "SOCK_STREAM",
	unix.SOCK_DGRAM:     "SOCK_DGRAM",
	unix.SOCK_RAW:       "SOCK_RAW",
	unix.SOCK_RDM:       "SOCK_RDM",
	unix.SOCK_SEQPACKET: "SOCK_SEQPACKET",
	unix.SOCK_DCCP:      "SOCK_DCCP",
	unix.SOCK_PACKET:    "SOCK_PACKET",
}

var sockFlags = []flag{
	{unix.SOCK_NONBLOCK, "SOCK_NONBLOCK"},
	{unix.SOCK_CLOEXEC, "SOCK_CLOEXEC"},
}

var msgFlags = []flag{
	{unix.MSG_OOB, "MSG_OOB"},
	{unix.MSG_PEEK, "MSG_PEEK"},
	{unix.MSG_DONTROUTE, "MSG_DONTROUTE"},
	{unix.MSG_CTRUNC, "MSG_CTRUNC"},
	{unix.MSG_PROXY, "MSG_PROXY"},
	{unix.MSG_TRUNC, "MSG_TRUNC"},
	{unix.MSG_DONTWAIT, "MSG_DONTWAIT"},
	{unix.MSG_EOR, "MSG_EOR"},
	{unix.MSG_WAITALL, "MSG_WAITALL"},
	{unix.MSG_FIN, "MSG_FIN"},
	{unix.MSG_SYN, "MSG_SYN"},
	{unix.MSG_CONFIRM, "MSG_CONFIRM"},
	{unix.MSG_RST, "MSG_RST"},
	{unix.MSG_ERRQUEUE, "MSG_ERRQUEUE"},
	{unix.MSG_NOSIGNAL, "MSG_NOSIGNAL"},
	{unix.MSG_MORE, "MSG_MORE"},
	{unix.MSG_WAITFORONE, "MSG_WAITFORONE"},
	{unix.MSG_FASTOPEN, "MSG_FASTOPEN"},
	{unix.MSG_CMSG_CLOEXEC, "MSG_CMSG_CLOEXEC"},
}

var shutdownNames = map[uint64]string{
	unix.SHUT_RD:   "SHUT_RD",
	unix.SHUT_WR:   "SHUT_WR",
	unix.SHUT_RDWR: "SHUT_RDWR",
}

var flockFlags = []flag{
	{unix.LOCK_SH, "LOCK_SH"},
	{unix.LOCK_EX, "LOCK_EX"},
	{unix.LOCK_NB, "LOCK_NB"},
	{unix.LOCK_UN, "LOCK_UN"},
}

var cloneFlags = []flag{
	{unix.CLONE_NEWTIME, "CLONE_NEWTIME"},
	{unix.CLONE_VM, "CLONE_VM"},
	{unix.CLONE_FS, "CLONE_FS"},
	{unix.CLONE_FILES, "CLONE_FILES"},
	{unix.CLONE_SIGHAND, "CLONE_SIGHAND"},
	{unix.CLONE_PIDFD, "CLONE_PIDFD"},
	{unix.CLONE_PTRACE, "CLONE_PTRACE"},
	{unix.CLONE_VFORK, "CLONE_VFORK"},
	{unix.CLONE_PARENT, "CLONE_PARENT"},
	{unix.CLONE_THREAD, "CLONE_THREAD"},
	{unix.CLONE_NEWNS, "CLONE_NEWNS"},
	{unix.CLONE_SYSVSEM, "CLONE_SYSVSEM"},
	{unix.CLONE_SETTLS, "CLONE_SETTLS"},
	{unix.CLONE_PARENT_SETTID, "CLONE_PARENT_SETTID"},
	{unix.CLONE_CHILD_CLEARTID, "CLONE_CHILD_CLEARTID"},
	{unix.CLONE_DETACHED, "CLONE_DETACHED"},
	{unix.CLONE_UNTRACED, "CLONE_UNTRACED"},
	{unix.CLONE_CHILD_SETTID, "CLONE_CHILD_SETTID"},
	{unix.CLONE_NEWCGROUP, "CLONE_NEWCGROUP"},
	{unix.CLONE_NEWUTS, "CLONE_NEWUTS"},
	{unix.CLONE_NEWIPC, "CLONE_NEWIPC"},
	{unix.CLONE_NEWUSER, "CLONE_NEWUSER"},
	{unix.CLONE_NEWPID, "CLONE_NEWPID"},
	{unix.CLONE_NEWNET, "CLONE_NEWNET"},
	{unix.CLONE_IO, "CLONE_IO"},
}

var waitFlags = []flag{
	{unix.WNOHANG, "WNOHANG"},
	{unix.WUNTRACED, "WUNTRACED"},
	{unix.WEXITED, "WEXITED"},
	{unix.WCONTINUED, "WCONTINUED"},
	{unix.WNOWAIT, "WNOWAIT"},
	{unix.WNOTHREAD, "__WNOTHREAD"},
	{unix.WALL, "__WALL"},
	{unix.WCLONE, "__WCLONE"},
}

var futexCmdNames = map[uint64]string{
	0:  "FUTEX_WAIT",
	1:  "FUTEX_WAKE",
	2:  "FUTEX_FD",
	3:  "FUTEX_REQUEUE",
	4:  "FUTEX_CMP_REQUEUE",
	5:  "FUTEX_WAKE_OP",
	6:  "FUTEX_LOCK_PI",
	7:  "FUTEX_UNLOCK_PI",
	8:  "FUTEX_TRYLOCK_PI",
	9:  "FUTEX_WAIT_BITSET",
	10: "FUTEX_WAKE_BITSET",
	11: "FUTEX_WAIT_REQUEUE_PI",
	12: "FUTEX_CMP_REQUEUE_PI",
	13: "FUTEX_LOCK_PI2",
}

var epollCtlNames = map[uint64]string{
	unix.EPOLL_CTL_ADD: "EPOLL_CTL_ADD",
	unix.EPOLL_CTL_DEL: "EPOLL_CTL_DEL",
	unix.EPOLL_CTL_MOD: "EPOLL_CTL_MOD",
}

var epollCreateFlags = []flag{{unix.EPOLL_CLOEXEC, "EPOLL_CLOEXEC"}}

var eventfdFlags = []flag{
	{unix.EFD_SEMAPHORE, "EFD_SEMAPHORE"},
	{unix.EFD_NONBLOCK, "EFD_NONBLOCK"},
	{unix.EFD_CLOEXEC, "EFD_CLOEXEC"},
}

var timerfdFlags = []flag{
	{unix.TFD_NONBLOCK, "TFD_NONBLOCK"},
	{unix.TFD_CLOEXEC, "TFD_CLOEXEC"},
}

var inotifyFlags = []flag{
	{unix.IN_NONBLOCK, "IN_NONBLOCK"},
	{unix.IN_CLOEXEC, "IN_CLOEXEC"},
}

var grndFlags = []flag{
	{unix.GRND_NONBLOCK, "GRND_NONBLOCK"},
	{unix.GRND_RANDOM, "GRND_RANDOM"},
	{unix.GRND_INSECURE, "GRND_INSECURE"},
}

var memfdFlags = []flag{
	{unix.MFD_CLOEXEC, "MFD_CLOEXEC"},
	{unix.MFD_ALLOW_SEALING, "MFD_ALLOW_SEALING"},
	{unix.MFD_HUGETLB, "MFD_HUGETLB"},
	{unix.MFD_NOEXEC_SEAL, "MFD_NOEXEC_SEAL"},
	{unix.MFD_EXEC, "MFD_EXEC"},
}

var closeRangeFlags = []flag{
	{unix.CLOSE_RANGE_UNSHARE, "CLOSE_RANGE_UNSHARE"},
	{unix.CLOSE_RANGE_CLOEXEC, "CLOSE_RANGE_CLOEXEC"},
}

var statxMask = []flag{
	{unix.STATX_BASIC_STATS, "STATX_BASIC_STATS"},
	{unix.STATX_TYPE, "STATX_TYPE"},
	{unix.STATX_MODE, "STATX_MODE"},
	{unix.STATX_NLINK, "STATX_NLINK"},
	{unix.STATX_UID, "STATX_UID"},
	{unix.STATX_GID, "STATX_GID"},
	{unix.STATX_ATIME, "STATX_ATIME"},
	{unix.STATX_MTIME, "STATX_MTIME"},
	{unix.STATX_CTIME, "STATX_CTIME"},
	{unix.STATX_INO, "STATX_INO"},
	{unix.STATX_SIZE, "STATX_SIZE"},
	{unix.STATX_BLOCKS, "STATX_BLOCKS"},
	{unix.STATX_BTIME, "STATX_BTIME"},
	{unix.STATX_MNT_ID, "STATX_MNT_ID"},
	{unix.STATX_DIOALIGN, "STATX_DIOALIGN"},
	{unix.STATX_MNT_ID_UNIQUE, "STATX_MNT_ID_UNIQUE"},
}

var umountFlags = []flag{
	{unix.MNT_FORCE, "MNT_FORCE"},
	{unix.MNT_DETACH, "MNT_DETACH"},
	{unix.MNT_EXPIRE, "MNT_EXPIRE"},
	{unix.UMOUNT_NOFOLLOW, "UMOUNT_NOFOLLOW"},
}

var mountFlags = []flag{
	{unix.MS_RDONLY, "MS_RDONLY"},
	{unix.MS_NOSUID, "MS_NOSUID"},
	{unix.MS_NODEV, "MS_NODEV"},
	{unix.MS_NOEXEC, "MS_NOEXEC"},
	{unix.MS_SYNCHRONOUS, "MS_SYNCHRONOUS"},
	{unix.MS_REMOUNT, "MS_REMOUNT"},
	{unix.MS_MANDLOCK, "MS_MANDLOCK"},
	{unix.MS_DIRSYNC, "MS_DIRSYNC"},
	{unix.MS_NOSYMFOLLOW, "MS_NOSYMFOLLOW"},
	{unix.MS_NOATIME, "MS_NOATIME"},
	{unix.MS_NODIRATIME, "MS_NODIRATIME"},
	{unix.MS_BIND, "MS_BIND"},
	{unix.MS_MOVE, "MS_MOVE"},
	{unix.MS_REC, "MS_REC"},
	{unix.MS_SILENT, "MS_SILENT"},
	{unix.MS_POSIXACL, "MS_POSIXACL"},
	{unix.MS_UNBINDABLE, "MS_UNBINDABLE"},
	{unix.MS_PRIVATE, "MS_PRIVATE"},
	{unix.MS_SLAVE, "MS_SLAVE"},
	{unix.MS_SHARED, "MS_SHARED"},
	{unix.MS_RELATIME, "MS_RELATIME"},
	{unix.MS_KERNMOUNT, "MS_KERNMOUNT"},
	{unix.MS_I_VERSION, "MS_I_VERSION"},
	{unix.MS_STRICTATIME, "MS_STRICTATIME"},
	{unix.MS_LAZYTIME, "MS_LAZYTIME"},
}

var prctlNames = map[uint64]string{
	unix.PR_SET_PDEATHSIG:       "PR_SET_PDEATHSIG",
	unix.PR_GET_PDEATHSIG:       "PR_GET_PDEATHSIG",
	unix.PR_GET_DUMPABLE:        "PR_GET_DUMPABLE",
	unix.PR_SET_DUMPABLE:        "PR_SET_DUMPABLE",
	unix.PR_GET_KEEPCAPS:        "PR_GET_KEEPCAPS",
	unix.PR_SET_KEEPCAPS:        "PR_SET_KEEPCAPS",
	unix.PR_SET_NAME:            "PR_SET_NAME",
	unix.PR_GET_NAME:            "PR_GET_NAME",
	unix.PR_GET_SECCOMP:         "PR_GET_SECCOMP",
	unix.PR_SET_SECCOMP:         "PR_SET_SECCOMP",
	unix.PR_CAPBSET_READ:        "PR_CAPBSET_READ",
	unix.PR_CAPBSET_DROP:        "PR_CAPBSET_DROP",
	unix.PR_GET_TIMERSLACK:      "PR_GET_TIMERSLACK",
	unix.PR_SET_TIMERSLACK:      "PR_SET_TIMERSLACK",
	unix.PR_SET_MM:              "PR_SET_MM",
	unix.PR_SET_CHILD_SUBREAPER: "PR_SET_CHILD_SUBREAPER",
	unix.PR_GET_CHILD_SUBREAPER: "PR_GET_CHILD_SUBREAPER",
	unix.PR_SET_NO_NEW_PRIVS:    "PR_SET_NO_NEW_PRIVS",
	unix.PR_GET_NO_NEW_PRIVS:    "PR_GET_NO_NEW_PRIVS",
	unix.PR_GET_TID_ADDRESS:     "PR_GET_TID_ADDRESS",
	unix.PR_SET_THP_DISABLE:     "PR_SET_THP_DISABLE",
	unix.PR_GET_THP_DISABLE:     "PR_GET_THP_DISABLE",
	unix.PR_CAP_AMBIENT:         "PR_CAP_AMBIENT",
	unix.PR_SET_VMA:             "PR_SET_VMA",
}

// writeFlags appends the names of the bits of v described by table, joined
// with '|', any unknown remainder in hex, or zero if v is 0.
func writeFlags(b *strings.Builder, v uint64, table []flag, zero string) {
	if v == 0 {
		b.WriteString(zero)
		return
	}
	first := true
	for _, f := range table {
		if f.val != 0 && v&f.val == f.val {
			if !first {
				b.WriteByte('|')
			}
			first = false
			b.WriteString(f.name)
			v &^= f.val
		}
	}
	if v != 0 {
		if !first {
			b.WriteByte('|')
		}
		writeHex(b, v)
	}
}

// writeEnum appends the name of v from names, or v in decimal (as a signed
// 32-bit value) if it has none.
func writeEnum(b *strings.Builder, v uint64, names map[uint64]string) {
	if n, ok := names[v]; ok {
		b.WriteString(n)
		return
	}
	b.WriteString(strconv.FormatInt(int64(int32(v)), 10))
}

// writeEnumHex is writeEnum with a hexadecimal fallback, for values such as
// ioctl requests that are conventionally shown in hex.
func writeEnumHex(b *strings.Builder, v uint64, names map[uint64]string) {
	if n, ok := names[v]; ok {
		b.WriteString(n)
		return
	}
	writeHex(b, v)
}

// writeHex appends v as 0x... (or 0).
func writeHex(b *strings.Builder, v uint64) {
	if v == 0 {
		b.WriteByte('0')
		return
	}
	b.WriteString("0x")
	b.WriteString(strconv.FormatUint(v, 16))
}
