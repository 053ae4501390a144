package sandbox

// Confinement of `runsc do` (opt-in: `runsc do --confine`, or the
// environment variable STOCKADE_CONFINE=1).
//
// In `do` mode the sentry is runsc itself, so a sentry killed by its
// seccomp filter is runsc killed by SIGSYS, with nobody left to say why.
// A confined `runsc do` therefore runs as two processes:
//
//	runsc do --confine CMD          supervisor: unconfined, tiny; waits
//	 └── runsc do --confine CMD     the sentry, confined after its setup
//
// The supervisor passes its stdio to the child unchanged (a closed fd
// stays closed), stays in the same process group (so the terminal's
// signals and job control reach both as before), forwards the signals
// runsc forwards to the sandbox through a pipe (the child ignores those
// signals when they come directly, so a signal from the terminal, which
// both receive, is delivered once), and exits as the child exits. If the
// child dies of SIGSYS, the supervisor prints one line naming the host
// call (from the kernel's audit record in /dev/kmsg when it can read it)
// and exits with 128+SIGSYS.
//
// What the child confines in-process: the capabilities (all dropped but,
// for root, those that let the sentry open the host files root may open:
// CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER), no_new_privs and the
// sentry's seccomp filter. No chroot and no namespaces: the `do` sentry
// opens host files by path (the host root of its overlay, /proc for its
// own threads' statistics, the stub binary through /proc/self/fd).

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"stockade.dev/seccomp"
	"stockade.dev/syscalls/sysno"
)

// EnvConfine is the environment variable that confines `runsc do`: "1"
// (or any value but "0" and ""), or "learn:FILE" to run with a filter that
// reports instead of kills and to append the host calls outside the
// allowlist to FILE (how seccomp/sentry_rules.go is kept up to date), or
// "learn-all:FILE" to record every host call the sentry makes after its
// setup (an empty allowlist; slow).
const EnvConfine = "STOCKADE_CONFINE"

// envChild marks the confined child and carries its fds: "SIGFD,LEARNFD".
const envChild = "STOCKADE_CONFINE_CHILD"

// envForbidden is a test hook: the confined child makes a host call outside
// its allowlist right after installing the filter.
const envForbidden = "STOCKADE_TEST_FORBIDDEN_SYSCALL"

// DoConfineMode reports whether `runsc do` is to be confined (flag or
// environment) and, in learning mode, the file to record into.
func DoConfineMode(flag bool) (confine bool, learnFile string) {
	v := os.Getenv(EnvConfine)
	for _, p := range []string{"learn:", "learn-all:"} {
		if f, ok := strings.CutPrefix(v, p); ok && f != "" {
			return true, f
		}
	}
	return flag || (v != "" && v != "0"), ""
}

// DoChild is the confined child's side: nil in any other process.
type DoChild struct {
	sigFD   int // signals forwarded by the supervisor, one byte each
	learnFD int // unix socket to hand the seccomp listener over, or -1
}

// DoChildFromEnv returns the confined child's state when this process is
// one, and removes the marker from the environment (the application
// started later must not see it).
func DoChildFromEnv() *DoChild {
	v, ok := os.LookupEnv(envChild)
	if !ok {
		return nil
	}
	os.Unsetenv(envChild)
	var c DoChild
	if _, err := fmt.Sscanf(v, "%d,%d", &c.sigFD, &c.learnFD); err != nil {
		return nil
	}
	unix.CloseOnExec(c.sigFD)
	if c.learnFD >= 0 {
		unix.CloseOnExec(c.learnFD)
	}
	return &c
}

// Confine confines the running `do` sentry (see the file comment). Call it
// once the kernel is built and before the application starts.
func (c *DoChild) Confine() error {
	o := ConfineOptions{KeepCaps: doKeepCaps(), Learn: c.learnFD >= 0}
	if strings.HasPrefix(os.Getenv(EnvConfine), "learn-all:") {
		o.Rules = &seccomp.RuleSet{}
	}
	listener, err := Confine(o)
	if err != nil {
		return err
	}
	if listener >= 0 {
		err := unix.Sendmsg(c.learnFD, []byte{0}, unix.UnixRights(listener), nil, 0)
		unix.Close(listener)
		unix.Close(c.learnFD)
		if err != nil {
			return fmt.Errorf("handing the seccomp listener to the supervisor: %w", err)
		}
	}
	if os.Getenv(envForbidden) == "1" {
		// syslog(SYSLOG_ACTION_SIZE_BUFFER): harmless, and never needed by
		// the sentry.
		unix.Syscall(unix.SYS_SYSLOG, 10, 0, 0)
	}
	return nil
}

// doKeepCaps are the capabilities the `do` sentry keeps: for root, those
// that let it open the host files root may open.
func doKeepCaps() []uintptr {
	if os.Geteuid() != 0 {
		return nil
	}
	return []uintptr{unix.CAP_DAC_OVERRIDE, unix.CAP_DAC_READ_SEARCH, unix.CAP_FOWNER}
}

// RelaySignals delivers the signals the supervisor forwards; it returns
// when the supervisor is gone.
func (c *DoChild) RelaySignals(deliver func(sig int)) {
	var b [16]byte
	for {
		n, err := unix.Read(c.sigFD, b[:])
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return
		}
		for _, s := range b[:n] {
			deliver(int(s))
		}
	}
}

// SuperviseDo runs the confined `runsc do` as a child of this process (the
// same binary, arguments and environment) and returns its exit status; if
// the child is killed by a signal other than SIGSYS, the supervisor dies of
// the same signal. forward are the signals runsc forwards to the sandbox.
func SuperviseDo(forward []os.Signal, learnFile string) int {
	// The child's parent-death signal is tied to the thread that forks
	// it: keep this goroutine on it until the end.
	runtime.LockOSThread()
	// The child starts with the capabilities it keeps at most: in a binary
	// linked with cgo it could not drop the others from all its threads.
	if err := LimitExecCapabilities(doKeepCaps()); err != nil {
		fmt.Fprintf(os.Stderr, "runsc: %v\n", err)
		return 1
	}
	sigR, sigW, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(os.Stderr, "runsc: %v\n", err)
		return 1
	}
	files := make([]*os.File, 0, 5)
	for fd := 0; fd < 3; fd++ {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			files = append(files, nil) // closed stays closed
			continue
		}
		files = append(files, os.NewFile(uintptr(fd), fmt.Sprintf("fd%d", fd)))
	}
	files = append(files, sigR)
	learnFD := -1
	var learnSock *os.File
	if learnFile != "" {
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			fmt.Fprintf(os.Stderr, "runsc: %v\n", err)
			return 1
		}
		learnSock = os.NewFile(uintptr(fds[0]), "learn")
		files = append(files, os.NewFile(uintptr(fds[1]), "learn-child"))
		learnFD = len(files) - 1
	}
	env := append(os.Environ(), fmt.Sprintf("%s=%d,%d", envChild, 3, learnFD))
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, forward...)
	p, err := os.StartProcess("/proc/self/exe", os.Args, &os.ProcAttr{
		Env:   env,
		Files: files,
		Sys:   &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL},
	})
	sigR.Close()
	if learnSock != nil {
		files[learnFD].Close() // the child's end: EOF if the child dies early
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "runsc: starting the confined sandbox: %v\n", err)
		return 1
	}
	go func() {
		for s := range sigs {
			sigW.Write([]byte{byte(s.(syscall.Signal))})
		}
	}()
	var learned *learner
	if learnSock != nil {
		learned = startLearning(learnSock)
	}
	st, err := p.Wait()
	if err != nil {
		fmt.Fprintf(os.Stderr, "runsc: waiting for the confined sandbox: %v\n", err)
		return 1
	}
	signal.Stop(sigs)
	if learned != nil {
		learned.save(learnFile)
	}
	ws := st.Sys().(syscall.WaitStatus)
	switch {
	case ws.Exited():
		return ws.ExitStatus()
	case ws.Signaled() && ws.Signal() == syscall.SIGSYS:
		fmt.Fprintln(os.Stderr, SIGSYSMessage(killedSyscall(p.Pid)))
		return 128 + int(syscall.SIGSYS)
	case ws.Signaled():
		// Die as the child died, as an unsupervised runsc would have.
		sig := ws.Signal()
		signal.Reset(sig)
		unix.Kill(os.Getpid(), sig)
		time.Sleep(100 * time.Millisecond)
		return 128 + int(sig)
	}
	return 1
}

// SIGSYSMessage is runsc's one line about a sentry killed by its seccomp
// filter; nr < 0 means the call is unknown.
func SIGSYSMessage(nr int) string {
	return "runsc: " + seccompKill("sandbox", nr)
}

// SeccompKillMessage is the one line (without the "runsc: " prefix) about
// process pid (as seen from the host's pid namespace), the "sandbox" or
// the "gofer", killed by its seccomp filter: it names the host call when
// the kernel's audit record can be read.
func SeccompKillMessage(what string, pid int) string {
	return seccompKill(what, killedSyscall(pid))
}

// SeccompKilled reports, with SeccompKillMessage's line, whether the
// kernel's audit records say that the sandbox process pid was killed by
// its seccomp filter (for a sandbox that stopped answering).
func SeccompKilled(pid int) (string, bool) {
	if pid <= 0 {
		return "", false
	}
	nr := killedSyscall(pid)
	if nr < 0 {
		return "", false
	}
	return seccompKill("sandbox", nr), true
}

func seccompKill(what string, nr int) string {
	call := "unknown"
	if nr >= 0 {
		call = fmt.Sprintf("%d, %s", nr, sysno.Name(uintptr(nr)))
	}
	return fmt.Sprintf("the %s was killed by its seccomp filter (host system call %s); this is a bug in Stockade, please report it with --debug-log", what, call)
}

// auditSyscall finds the call in a kernel audit record of a seccomp kill.
var auditSyscall = regexp.MustCompile(`type=1326 .* pid=(\d+) .*sig=31 .*syscall=(\d+)`)

// killedSyscall reads the number of the call that got process pid killed
// from the kernel's audit record (type 1326, AUDIT_SECCOMP) in /dev/kmsg,
// waiting briefly for the record to appear; -1 if it cannot be found
// (no audit, /dev/kmsg unreadable).
func killedSyscall(pid int) int {
	for try := 0; try < 10; try++ {
		if nr := scanKmsg(pid); nr >= 0 {
			return nr
		}
		time.Sleep(30 * time.Millisecond)
	}
	return -1
}

func scanKmsg(pid int) int {
	fd, err := unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1
	}
	defer unix.Close(fd)
	found := -1
	buf := make([]byte, 8192)
	for {
		n, err := unix.Read(fd, buf)
		if err == unix.EPIPE || err == unix.EINTR {
			continue // a record was overwritten while reading: go on
		}
		if err != nil || n <= 0 {
			return found
		}
		m := auditSyscall.FindSubmatch(buf[:n])
		if m == nil || string(m[1]) != strconv.Itoa(pid) {
			continue
		}
		if nr, err := strconv.Atoi(string(m[2])); err == nil {
			found = nr
		}
	}
}

// Learning mode: the supervisor receives the seccomp listener of the child
// and records every call outside the allowlist (then lets it run).

// seccompNotif is struct seccomp_notif.
type seccompNotif struct {
	ID    uint64
	Pid   uint32
	Flags uint32
	Nr    int32
	Arch  uint32
	IP    uint64
	Args  [6]uint64
}

// seccompNotifResp is struct seccomp_notif_resp.
type seccompNotifResp struct {
	ID    uint64
	Val   int64
	Error int32
	Flags uint32
}

type learner struct {
	mu   sync.Mutex
	seen map[string]bool
}

// learnArgs says which arguments of a call are worth recording: those the
// allowlist checks.
var learnArgs = map[uintptr][]int{
	unix.SYS_IOCTL: {1}, unix.SYS_FCNTL: {1}, unix.SYS_PRCTL: {0}, unix.SYS_CLONE: {0},
	unix.SYS_PTRACE: {0}, unix.SYS_SOCKET: {0, 1}, unix.SYS_MEMFD_CREATE: {1},
}

func startLearning(sock *os.File) *learner {
	l := &learner{seen: map[string]bool{}}
	// Receive the listener before Wait can return.
	var buf [1]byte
	oob := make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := unix.Recvmsg(int(sock.Fd()), buf[:], oob, 0)
	sock.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "runsc: learning mode: no seccomp listener: %v\n", err)
		return l
	}
	msgs, _ := unix.ParseSocketControlMessage(oob[:oobn])
	if len(msgs) != 1 {
		return l
	}
	fds, _ := unix.ParseUnixRights(&msgs[0])
	if len(fds) != 1 {
		return l
	}
	go l.serve(fds[0])
	return l
}

func (l *learner) serve(fd int) {
	for {
		var n seccompNotif
		_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SECCOMP_IOCTL_NOTIF_RECV, uintptr(unsafe.Pointer(&n)))
		if e == unix.EINTR || e == unix.ENOENT {
			continue
		}
		if e != 0 {
			return
		}
		key := sysno.Name(uintptr(n.Nr))
		for _, i := range learnArgs[uintptr(n.Nr)] {
			key += fmt.Sprintf(" arg%d=%#x", i, n.Args[i])
		}
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", n.Pid))
		key += " comm=" + string(bytes.TrimSpace(comm))
		l.mu.Lock()
		l.seen[key] = true
		l.mu.Unlock()
		resp := seccompNotifResp{ID: n.ID, Flags: unix.SECCOMP_USER_NOTIF_FLAG_CONTINUE}
		unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SECCOMP_IOCTL_NOTIF_SEND, uintptr(unsafe.Pointer(&resp)))
	}
}

// save appends the calls seen to file, one line each.
func (l *learner) save(file string) {
	// Let the last notifications land.
	time.Sleep(20 * time.Millisecond)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.seen) == 0 {
		return
	}
	f, err := os.OpenFile(file, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	for k := range l.seen {
		w.WriteString(k + "\n")
	}
	w.Flush()
}
