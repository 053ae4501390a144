// Pseudo-terminal checks, run natively and sandboxed by pty_test.go: the
// output must be identical. Each case opens /dev/ptmx, forks a child that
// makes the slave its controlling terminal, and drives it from the master.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static char transcript[65536];
static size_t tlen;

// readsome reads what the master has (blocking for at least one byte);
// it returns 0 at EIO (no slave left).
static int readsome(int m) {
	char buf[4096];
	ssize_t n = read(m, buf, sizeof buf);
	if (n < 0 && errno == EIO) return 0;
	if (n < 0) { perror("read master"); exit(1); }
	if (n == 0) return 0;
	if (tlen + n < sizeof transcript) { memcpy(transcript + tlen, buf, n); tlen += n; }
	return 1;
}

// expect reads until the transcript contains s.
static void expect(int m, const char *s) {
	for (;;) {
		transcript[tlen] = 0;
		if (strstr(transcript, s)) return;
		if (!readsome(m)) { printf("EOF before %s\n", s); return; }
	}
}

static void wr(int m, const char *s) {
	if (write(m, s, strlen(s)) != (ssize_t)strlen(s)) perror("write master");
}

static void drain(int m) { while (readsome(m)) {} }

static void show(const char *what) {
	printf("%s: \"", what);
	for (size_t i = 0; i < tlen; i++) {
		unsigned char c = transcript[i];
		if (c == '\r') printf("\\r");
		else if (c == '\n') printf("\\n");
		else if (c == '\b') printf("\\b");
		else if (c < 0x20 || c == 0x7f) printf("\\x%02x", c);
		else putchar(c);
	}
	printf("\"\n");
	tlen = 0;
}

static void report(const char *what, int st) {
	if (WIFEXITED(st)) printf("%s: exit %d\n", what, WEXITSTATUS(st));
	else printf("%s: signal %d\n", what, WTERMSIG(st));
}

static int openmaster(char *name, size_t len) {
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0) { perror("posix_openpt"); exit(1); }
	if (grantpt(m) || unlockpt(m) || ptsname_r(m, name, len)) { perror("pt setup"); exit(1); }
	return m;
}

// childtty makes the slave the child's controlling terminal and stdio.
static void childtty(const char *name, int m) {
	close(m);
	if (setsid() < 0) { perror("setsid"); _exit(100); }
	int s = open(name, O_RDWR);
	if (s < 0) { perror("open slave"); _exit(101); }
	dup2(s, 0); dup2(s, 1); dup2(s, 2);
	if (s > 2) close(s);
}

static volatile sig_atomic_t gotsig;
static void onsig(int sig) { gotsig = sig; }

static void say(const char *s) { write(1, s, strlen(s)); }

// Case 1: a shell prints and reads the window size set on the master.
static void case_shell(void) {
	char name[64];
	int m = openmaster(name, sizeof name);
	struct winsize ws = {.ws_row = 33, .ws_col = 101};
	if (ioctl(m, TIOCSWINSZ, &ws)) perror("TIOCSWINSZ");
	pid_t pid = fork();
	if (pid == 0) {
		childtty(name, m);
		execl("/bin/busybox", "sh", "-c", "echo hi; stty size; tty >/dev/null && echo is-a-tty; echo via-dev-tty > /dev/tty", (char *)0);
		_exit(127);
	}
	drain(m);
	int st;
	waitpid(pid, &st, 0);
	show("shell");
	report("shell", st);
	close(m);
}

// Case 2: line editing, echo, EOF, raw mode, job control ioctls, SIGINT,
// SIGWINCH.
static void case_ldisc(void) {
	char name[64];
	int m = openmaster(name, sizeof name);
	pid_t pid = fork();
	if (pid == 0) {
		childtty(name, m);
		char buf[256], out[512];
		struct sigaction sa = {.sa_handler = onsig};
		sigaction(SIGINT, &sa, 0);
		sigaction(SIGWINCH, &sa, 0);
		pid_t pg = -1, sid = -1;
		ioctl(0, TIOCGPGRP, &pg);
		ioctl(0, TIOCGSID, &sid);
		snprintf(out, sizeof out, "fg-is-me=%d sid-is-me=%d tcgetpgrp=%d\n", pg == getpid(), sid == getpid(), tcgetpgrp(0) == getpid());
		say(out);
		say("line?\n");
		ssize_t n = read(0, buf, sizeof buf);
		snprintf(out, sizeof out, "read %zd [%.*s]\n", n, (int)(n > 0 ? n - 1 : 0), buf);
		say(out);
		say("eof?\n");
		n = read(0, buf, sizeof buf);
		snprintf(out, sizeof out, "read %zd\n", n);
		say(out);
		say("partial?\n");
		n = read(0, buf, sizeof buf);
		snprintf(out, sizeof out, "read %zd [%.*s]\n", n, (int)n, buf);
		say(out);
		struct termios t;
		tcgetattr(0, &t);
		struct termios raw = t;
		cfmakeraw(&raw);
		raw.c_cc[VMIN] = 3;
		raw.c_cc[VTIME] = 0;
		tcsetattr(0, TCSANOW, &raw);
		say("raw?\n");
		n = read(0, buf, sizeof buf);
		snprintf(out, sizeof out, "raw read %zd [%.*s]\r\n", n, (int)n, buf);
		say(out);
		tcsetattr(0, TCSAFLUSH, &t);
		say("int?\n");
		while (gotsig != SIGINT) pause();
		say("got SIGINT\n");
		gotsig = 0;
		say("winch?\n");
		while (gotsig != SIGWINCH) pause();
		struct winsize ws;
		ioctl(0, TIOCGWINSZ, &ws);
		snprintf(out, sizeof out, "got SIGWINCH %dx%d\n", ws.ws_row, ws.ws_col);
		say(out);
		int avail = -1;
		say("fionread?\n");
		usleep(1);
		while (avail <= 0) { ioctl(0, FIONREAD, &avail); if (avail <= 0) usleep(10000); }
		n = read(0, buf, sizeof buf);
		snprintf(out, sizeof out, "fionread %d then read %zd\n", avail, n);
		say(out);
		_exit(3);
	}
	expect(m, "line?\r\n");
	wr(m, "abc\x7f" "d\x15xy\x7fz\r");
	expect(m, "eof?\r\n");
	wr(m, "\x04");
	expect(m, "partial?\r\n");
	wr(m, "pq\x04");
	expect(m, "raw?");
	wr(m, "x");
	usleep(50000);
	wr(m, "yz");
	expect(m, "int?\r\n");
	wr(m, "\x03");
	expect(m, "winch?\r\n");
	struct winsize ws = {.ws_row = 40, .ws_col = 120};
	ioctl(m, TIOCSWINSZ, &ws);
	expect(m, "fionread?\r\n");
	wr(m, "12345\n");
	drain(m);
	int st;
	waitpid(pid, &st, 0);
	show("ldisc");
	report("ldisc", st);
	close(m);
}

// Case 3: closing the master hangs the slave up: SIGHUP to the session
// leader, reads return end of file, writes fail with EIO.
static void case_hangup(void) {
	char name[64];
	int m = openmaster(name, sizeof name);
	int p[2];
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		childtty(name, m);
		struct sigaction sa = {.sa_handler = onsig};
		sigaction(SIGHUP, &sa, 0);
		say("ready\n");
		char buf[16];
		ssize_t n;
		do { n = read(0, buf, sizeof buf); } while (n < 0 && errno == EINTR);
		int rerr = n < 0 ? errno : 0;
		ssize_t w = write(1, "x", 1);
		int werr = w < 0 ? errno : 0;
		char out[128];
		int l = snprintf(out, sizeof out, "hup=%d read=%zd/%s write=%zd/%s\n", gotsig == SIGHUP, n, strerror(rerr), w, strerror(werr));
		write(p[1], out, l);
		_exit(0);
	}
	close(p[1]);
	expect(m, "ready\r\n");
	usleep(50000); // let the child block in read
	close(m);
	char buf[256];
	ssize_t n = read(p[0], buf, sizeof buf - 1);
	if (n > 0) { buf[n] = 0; printf("hangup: %s", buf); }
	int st;
	waitpid(pid, &st, 0);
	tlen = 0;
	report("hangup", st);
}

// Case 4: master reads fail with EIO once the last slave closed; the
// slave cannot be opened while locked.
static void case_misc(void) {
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	char name[64];
	ptsname_r(m, name, sizeof name);
	int s = open(name, O_RDWR | O_NOCTTY);
	printf("open locked: %s\n", s < 0 ? strerror(errno) : "ok");
	unlockpt(m);
	s = open(name, O_RDWR | O_NOCTTY);
	printf("open unlocked: %s isatty=%d\n", s < 0 ? strerror(errno) : "ok", isatty(s));
	int lck = -1;
	ioctl(m, TIOCGPTLCK, &lck);
	printf("ptlck=%d\n", lck);
	pid_t pg;
	printf("TIOCGPGRP not ctty: %s\n", ioctl(s, TIOCGPGRP, &pg) < 0 ? strerror(errno) : "ok");
	struct termios t;
	tcgetattr(s, &t);
	printf("termios iflag=%#o oflag=%#o lflag=%#o cflag=%#o vmin=%d veof=%d\n", t.c_iflag, t.c_oflag, t.c_lflag, t.c_cflag & ~CBAUD, t.c_cc[VMIN], t.c_cc[VEOF]);
	write(s, "out\n", 4);
	close(s);
	char buf[64];
	ssize_t n = read(m, buf, sizeof buf);
	printf("read after close: %zd [%.*s]\n", n, (int)(n > 0 ? n - 2 : 0), buf);
	n = read(m, buf, sizeof buf);
	printf("read again: %zd %s\n", n, n < 0 ? strerror(errno) : "");
	int peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	printf("TIOCGPTPEER: %s\n", peer < 0 ? strerror(errno) : "ok");
	if (peer >= 0) {
		struct stat a, b;
		fstat(peer, &a);
		stat(name, &b);
		printf("peer is slave: %d\n", a.st_rdev == b.st_rdev && a.st_ino == b.st_ino);
		close(peer);
	}
	pid_t pid = fork();
	if (pid == 0) {
		setsid();
		int fd = open("/dev/tty", O_RDWR);
		printf("/dev/tty without ctty: %s\n", fd < 0 ? strerror(errno) : "ok");
		_exit(0);
	}
	waitpid(pid, 0, 0);
	close(m);
	printf("slave after master close: %s\n", access(name, F_OK) == 0 ? "exists" : strerror(errno));
}

int main(void) {
	setvbuf(stdout, 0, _IONBF, 0);
	case_shell();
	case_ldisc();
	case_hangup();
	case_misc();
	return 0;
}
