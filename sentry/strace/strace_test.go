package strace

import (
	"encoding/binary"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"stockade.dev/syscalls/sysno"
)

// fakeMem is application memory made of disjoint regions.
type fakeMem struct {
	regions map[uintptr][]byte
}

func newMem() *fakeMem { return &fakeMem{regions: map[uintptr][]byte{}} }

// put places data at addr and returns addr.
func (f *fakeMem) put(addr uintptr, data []byte) uintptr {
	f.regions[addr] = data
	return addr
}

// str places a NUL-terminated string at addr.
func (f *fakeMem) str(addr uintptr, s string) uintptr {
	return f.put(addr, append([]byte(s), 0))
}

// ptrs places an array of 64-bit pointers at addr.
func (f *fakeMem) ptrs(addr uintptr, p ...uintptr) uintptr {
	b := make([]byte, 8*len(p))
	for i, v := range p {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(v))
	}
	return f.put(addr, b)
}

func (f *fakeMem) find(addr uintptr) []byte {
	for base, data := range f.regions {
		if addr >= base && addr < base+uintptr(len(data)) {
			return data[addr-base:]
		}
	}
	return nil
}

func (f *fakeMem) CopyIn(addr uintptr, dst []byte) (int, error) {
	src := f.find(addr)
	n := copy(dst, src)
	if n < len(dst) {
		return n, unix.EFAULT
	}
	return n, nil
}

func (f *fakeMem) CopyInString(addr uintptr, maxLen int) (string, error) {
	src := f.find(addr)
	if src == nil {
		return "", unix.EFAULT
	}
	for i := 0; i < len(src) && i < maxLen; i++ {
		if src[i] == 0 {
			return string(src[:i]), nil
		}
	}
	if len(src) >= maxLen {
		return string(src[:maxLen]), unix.ENAMETOOLONG
	}
	return string(src), unix.EFAULT
}

func args(a ...uintptr) (r [6]uintptr) {
	copy(r[:], a)
	return r
}

func check(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}

// atFDCWD is AT_FDCWD as the register value the application passes.
var atFDCWD = uintptr(0xffffffffffffff9c)

func TestOpenat(t *testing.T) {
	m := newMem()
	path := m.str(0x1000, "/etc/passwd")
	a := args(atFDCWD, path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	check(t, "enter", Enter(m, unix.SYS_OPENAT, a), `openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC`)
	check(t, "exit", Exit(m, unix.SYS_OPENAT, a, 3, 0), `) = 3`)
	check(t, "format", Format(m, unix.SYS_OPENAT, a, 3, 0), `openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3`)

	a = args(5, path, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC, 0o644)
	check(t, "creat", Enter(m, unix.SYS_OPENAT, a), `openat(5, "/etc/passwd", O_WRONLY|O_CREAT|O_TRUNC, 0644`)
}

func TestOpenError(t *testing.T) {
	m := newMem()
	path := m.str(0x1000, "/nonexistent")
	a := args(atFDCWD, path, unix.O_RDONLY)
	check(t, "exit", Exit(m, unix.SYS_OPENAT, a, ^uintptr(1), unix.ENOENT),
		`) = -1 ENOENT (No such file or directory)`)
	check(t, "restart", Exit(m, unix.SYS_READ, args(0, 0x2000, 10), 0, 512),
		`) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)`)
	check(t, "restart_block", Exit(m, unix.SYS_NANOSLEEP, args(0, 0), 0, 516),
		`) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)`)
	check(t, "unknown errno", Exit(m, unix.SYS_CLOSE, args(3), 0, 600),
		`) = -1 ERRNO_600 (Unknown error 600)`)
	// Output arguments of a failed call are not decoded.
	check(t, "failed read", Format(m, unix.SYS_READ, args(3, 0x2000, 10), 0, unix.EBADF),
		`read(3, 0x2000, 10) = -1 EBADF (Bad file descriptor)`)
}

func TestRead(t *testing.T) {
	m := newMem()
	buf := m.put(0x2000, []byte("\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\003\000>\000\001\000\000\000hello world, this is long"))
	a := args(3, buf, 832)
	check(t, "enter", Enter(m, unix.SYS_READ, a), `read(3, 0x2000, 832`)
	check(t, "exit", Exit(m, unix.SYS_READ, a, 48, 0),
		` => "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\3\0>\0\1\0\0\0hello wo"...) = 48`)
	check(t, "format short", Format(m, unix.SYS_READ, a, 4, 0), `read(3, "\177ELF", 832) = 4`)
	check(t, "eof", Format(m, unix.SYS_READ, a, 0, 0), `read(3, "", 832) = 0`)
}

func TestWrite(t *testing.T) {
	m := newMem()
	buf := m.put(0x3000, []byte("hi \"there\"\n\t\\"))
	a := args(1, buf, 13)
	check(t, "enter", Enter(m, unix.SYS_WRITE, a), `write(1, "hi \"there\"\n\t\\", 13`)
	check(t, "exit", Exit(m, unix.SYS_WRITE, a, 13, 0), `) = 13`)

	long := m.put(0x4000, []byte(strings.Repeat("x", 100)))
	check(t, "long", Enter(m, unix.SYS_WRITE, args(2, long, 100)),
		`write(2, "`+strings.Repeat("x", 32)+`"..., 100`)
	check(t, "unreadable", Enter(m, unix.SYS_WRITE, args(2, 0x9000, 5)), `write(2, 0x9000, 5`)
	check(t, "nil memory", Enter(nil, unix.SYS_WRITE, args(2, 0x9000, 5)), `write(2, 0x9000, 5`)
}

func TestMmap(t *testing.T) {
	a := args(0, 8192, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS, ^uintptr(0), 0)
	check(t, "anon", Format(nil, unix.SYS_MMAP, a, 0x7f1234560000, 0),
		`mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f1234560000`)
	a = args(0x7f0000000000, 4096, unix.PROT_READ|unix.PROT_EXEC, unix.MAP_PRIVATE|unix.MAP_FIXED|unix.MAP_DENYWRITE, 3, 0x1000)
	check(t, "file", Enter(nil, unix.SYS_MMAP, a),
		`mmap(0x7f0000000000, 4096, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x1000`)
	check(t, "none", Enter(nil, unix.SYS_MPROTECT, args(0x1000, 4096, 0)), `mprotect(0x1000, 4096, PROT_NONE`)
	check(t, "brk", Format(nil, unix.SYS_BRK, args(0), 0x55550000, 0), `brk(NULL) = 0x55550000`)
	check(t, "mmap error", Exit(nil, unix.SYS_MMAP, a, 0, unix.ENOMEM), `) = -1 ENOMEM (Cannot allocate memory)`)
}

func statBuf(mode uint32, size int64, rdev uint64) []byte {
	b := make([]byte, 144)
	binary.LittleEndian.PutUint32(b[24:], mode)
	binary.LittleEndian.PutUint64(b[40:], rdev)
	binary.LittleEndian.PutUint64(b[48:], uint64(size))
	return b
}

func TestFstat(t *testing.T) {
	m := newMem()
	st := m.put(0x5000, statBuf(unix.S_IFREG|0o644, 2998, 0))
	a := args(3, st)
	check(t, "enter", Enter(m, unix.SYS_FSTAT, a), `fstat(3, 0x5000`)
	check(t, "exit", Exit(m, unix.SYS_FSTAT, a, 0, 0), ` => {st_mode=S_IFREG|0644, st_size=2998, ...}) = 0`)
	check(t, "format", Format(m, unix.SYS_FSTAT, a, 0, 0), `fstat(3, {st_mode=S_IFREG|0644, st_size=2998, ...}) = 0`)

	tty := m.put(0x6000, statBuf(unix.S_IFCHR|0o620, 0, unix.Mkdev(136, 0)))
	path := m.str(0x7000, "")
	a = args(1, path, tty, unix.AT_EMPTY_PATH)
	check(t, "newfstatat", Format(m, unix.SYS_NEWFSTATAT, a, 0, 0),
		`newfstatat(1, "", {st_mode=S_IFCHR|0620, st_rdev=makedev(0x88, 0), ...}, AT_EMPTY_PATH) = 0`)
}

func TestExecve(t *testing.T) {
	m := newMem()
	path := m.str(0x1000, "/bin/ls")
	arg0 := m.str(0x1100, "ls")
	arg1 := m.str(0x1200, "-l")
	argv := m.ptrs(0x2000, arg0, arg1, 0)
	env0 := m.str(0x1300, "PATH=/bin")
	envp := m.ptrs(0x3000, env0, env0, env0, 0)
	a := args(path, argv, envp)
	check(t, "enter", Enter(m, unix.SYS_EXECVE, a), `execve("/bin/ls", ["ls", "-l"], 0x3000 /* 3 vars */`)
	check(t, "exit", Exit(m, unix.SYS_EXECVE, a, 0, 0), `) = 0`)
}

func TestSignals(t *testing.T) {
	m := newMem()
	act := make([]byte, 32)
	binary.LittleEndian.PutUint64(act[0:], 0x401000)
	binary.LittleEndian.PutUint64(act[8:], saRestorer|saRestart)
	binary.LittleEndian.PutUint64(act[16:], 0x7f0000001000)
	binary.LittleEndian.PutUint64(act[24:], 1<<(unix.SIGINT-1)|1<<(unix.SIGTERM-1))
	pa := m.put(0x1000, act)
	old := m.put(0x2000, make([]byte, 32))
	a := args(uintptr(unix.SIGINT), pa, old, 8)
	check(t, "sigaction", Format(m, unix.SYS_RT_SIGACTION, a, 0, 0),
		`rt_sigaction(SIGINT, {sa_handler=0x401000, sa_mask=[INT TERM], sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f0000001000}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0`)

	set := m.ptrs(0x3000, ^uintptr(0)&^(1<<(unix.SIGKILL-1)|1<<(unix.SIGSTOP-1)))
	check(t, "sigprocmask", Enter(m, unix.SYS_RT_SIGPROCMASK, args(unix.SIG_BLOCK, set, 0, 8)),
		`rt_sigprocmask(SIG_BLOCK, ~[KILL STOP], NULL, 8`)
	check(t, "kill", Enter(m, unix.SYS_KILL, args(42, 34)), `kill(42, SIGRT_2`)
}

func TestMisc(t *testing.T) {
	m := newMem()
	check(t, "fcntl getfd", Format(m, unix.SYS_FCNTL, args(3, unix.F_GETFD), 1, 0), `fcntl(3, F_GETFD) = 1`)
	check(t, "fcntl setfd", Enter(m, unix.SYS_FCNTL, args(3, unix.F_SETFD, unix.FD_CLOEXEC)), `fcntl(3, F_SETFD, FD_CLOEXEC`)
	check(t, "ioctl", Enter(m, unix.SYS_IOCTL, args(1, unix.TCGETS, 0x7ffc0000)), `ioctl(1, TCGETS, 0x7ffc0000`)
	check(t, "ioctl unknown", Enter(m, unix.SYS_IOCTL, args(1, 0xdead, 0)), `ioctl(1, 0xdead, NULL`)
	check(t, "arch_prctl", Enter(m, unix.SYS_ARCH_PRCTL, args(0x1002, 0x7f00)), `arch_prctl(ARCH_SET_FS, 0x7f00`)
	check(t, "lseek", Enter(m, unix.SYS_LSEEK, args(3, ^uintptr(9), unix.SEEK_END)), `lseek(3, -10, SEEK_END`)
	check(t, "access", Enter(m, unix.SYS_ACCESS, args(m.str(0x1000, "/x"), unix.R_OK|unix.X_OK)), `access("/x", R_OK|X_OK`)
	check(t, "umask", Format(m, unix.SYS_UMASK, args(0o22), 0o22, 0), `umask(022) = 18`)
	check(t, "getpid", Format(m, unix.SYS_GETPID, args(), 7, 0), `getpid() = 7`)
	check(t, "exit_group", Format(m, unix.SYS_EXIT_GROUP, args(0), 0, 0), `exit_group(0) = ?`)
	check(t, "clock_gettime", Enter(m, unix.SYS_CLOCK_GETTIME, args(unix.CLOCK_MONOTONIC, 0x5000)), `clock_gettime(CLOCK_MONOTONIC, 0x5000`)

	rl := m.ptrs(0x2000, 1024, 4096*1024)
	check(t, "prlimit", Format(m, unix.SYS_PRLIMIT64, args(0, unix.RLIMIT_NOFILE, 0, rl), 0, 0),
		`prlimit64(0, RLIMIT_NOFILE, NULL, {rlim_cur=1*1024, rlim_max=4096*1024}) = 0`)

	fds := m.put(0x3000, []byte{3, 0, 0, 0, 4, 0, 0, 0})
	check(t, "pipe2", Format(m, unix.SYS_PIPE2, args(fds, unix.O_CLOEXEC), 0, 0), `pipe2([3, 4], O_CLOEXEC) = 0`)

	sa := make([]byte, 16)
	binary.LittleEndian.PutUint16(sa, unix.AF_INET)
	binary.BigEndian.PutUint16(sa[2:], 80)
	copy(sa[4:], []byte{127, 0, 0, 1})
	check(t, "connect", Enter(m, unix.SYS_CONNECT, args(3, m.put(0x4000, sa), 16)),
		`connect(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")}, 16`)
	check(t, "socket", Enter(m, unix.SYS_SOCKET, args(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)),
		`socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0`)
	check(t, "clone", Enter(m, unix.SYS_CLONE, args(unix.CLONE_CHILD_CLEARTID|unix.CLONE_CHILD_SETTID|uintptr(unix.SIGCHLD), 0, 0, 0x7f00, 0)),
		`clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, NULL, NULL, 0x7f00, NULL`)
	check(t, "futex", Enter(m, unix.SYS_FUTEX, args(0x1000, 128, 1, 0, 0, 0)), `futex(0x1000, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0`)

	st := m.put(0x5000, []byte{0, 1, 0, 0}) // exited with status 1
	check(t, "wait4", Format(m, unix.SYS_WAIT4, args(^uintptr(0), st, 0, 0), 42, 0),
		`wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 1}], 0, NULL) = 42`)

	check(t, "writev", Enter(m, unix.SYS_WRITEV, args(1, m.ptrs(0x6000, m.str(0x6100, "ab"), 2), 1)),
		`writev(1, [{iov_base="ab", iov_len=2}], 1`)
}

func TestUnknownSyscall(t *testing.T) {
	a := args(1, 2, 3, 4, 5, 6)
	check(t, "enter", Enter(nil, 400, a), `syscall_400(0x1, 0x2, 0x3, 0x4, 0x5, 0x6`)
	check(t, "exit", Exit(nil, 400, a, 0, unix.ENOSYS), `) = -1 ENOSYS (Function not implemented)`)
	// A call without typed arguments prints exactly its argument count in hex.
	check(t, "hex fallback", Enter(nil, unix.SYS_KEYCTL, a), `keyctl(0x1, 0x2, 0x3, 0x4, 0x5`)
	check(t, "no args", Enter(nil, unix.SYS_GETTID, a), `gettid(`)
}

// TestTableComplete checks that every assigned system call has an entry and
// that nothing else does.
func TestTableComplete(t *testing.T) {
	for nr := uintptr(0); nr < sysno.Max; nr++ {
		_, ok := table[nr]
		if ok != sysno.Valid(nr) {
			t.Errorf("%s (%d): in table = %v, valid = %v", sysno.Name(nr), nr, ok, sysno.Valid(nr))
		}
	}
	for nr, s := range table {
		if len(s.args) > 6 {
			t.Errorf("%s: %d arguments", sysno.Name(nr), len(s.args))
		}
		for i, k := range s.args {
			if (k == kBuf || k == kIovec || k == kSockaddr || k == kOutIovec) && i == 5 {
				t.Errorf("%s: argument %d takes its length from a seventh argument", sysno.Name(nr), i)
			}
			if (k == kOpenMode || k == kFcntlArg) && i == 0 {
				t.Errorf("%s: argument 0 depends on a previous one", sysno.Name(nr))
			}
		}
	}
}

func TestWaitNoChild(t *testing.T) {
	a := args(^uintptr(0), 0x5000, unix.WNOHANG, 0)
	check(t, "wnohang", Exit(newMem(), unix.SYS_WAIT4, a, 0, 0), `) = 0`)
	check(t, "getcwd", Format(newMem().withStr(0x1000, "/home/u"), unix.SYS_GETCWD, args(0x1000, 4096), 8, 0), `getcwd("/home/u", 4096) = 8`)
}

func (f *fakeMem) withStr(addr uintptr, s string) *fakeMem {
	f.str(addr, s)
	return f
}
