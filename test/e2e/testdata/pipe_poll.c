// pipe_poll exercises pipes, eventfd, poll, select and epoll in one thread
// of one process; its output must be the same natively and in the sandbox.
// With the argument "stdin" it instead reads its stdin (a host pipe) with
// poll, epoll and blocking reads.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHECK(expr)                                                        \
	do {                                                               \
		errno = 0;                                                 \
		long _r = (long)(expr);                                    \
		if (_r < 0)                                                \
			printf("%s = %ld (%s)\n", #expr, _r, strerrorname_np(errno)); \
		else                                                       \
			printf("%s = %ld\n", #expr, _r);                   \
	} while (0)

static int sigpipes, sigusr1s;
static void on_sigpipe(int s) { (void)s; sigpipes++; }
static void on_sigusr1(int s) { (void)s; sigusr1s++; }
static const char *evname(unsigned ev) {
	static char buf[128];
	buf[0] = 0;
	if (ev & EPOLLIN) strcat(buf, "IN|");
	if (ev & EPOLLPRI) strcat(buf, "PRI|");
	if (ev & EPOLLOUT) strcat(buf, "OUT|");
	if (ev & EPOLLERR) strcat(buf, "ERR|");
	if (ev & EPOLLHUP) strcat(buf, "HUP|");
	if (ev & EPOLLRDNORM) strcat(buf, "RDNORM|");
	if (ev & EPOLLWRNORM) strcat(buf, "WRNORM|");
	if (ev & EPOLLRDHUP) strcat(buf, "RDHUP|");
	if (ev & POLLNVAL) strcat(buf, "NVAL|");
	size_t n = strlen(buf);
	if (n) buf[n - 1] = 0; else strcpy(buf, "0");
	return buf;
}

static void show_poll(const char *what, int fd, short events, int timeout) {
	struct pollfd p = {.fd = fd, .events = events};
	errno = 0;
	int r = poll(&p, 1, timeout);
	printf("poll(%s) = %d%s%s revents=%s\n", what, r, r < 0 ? " " : "",
	       r < 0 ? strerrorname_np(errno) : "", evname((unsigned short)p.revents));
}

static void show_wait(const char *what, int ep, int timeout) {
	struct epoll_event ev[8];
	errno = 0;
	int n = epoll_wait(ep, ev, 8, timeout);
	printf("epoll_wait(%s) = %d", what, n);
	if (n < 0) printf(" (%s)", strerrorname_np(errno));
	for (int i = 0; i < n; i++) printf(" [data=%llu %s]", (unsigned long long)ev[i].data.u64, evname(ev[i].events));
	printf("\n");
}

static int add(int ep, int fd, unsigned events, uint64_t data) {
	struct epoll_event ev = {.events = events, .data.u64 = data};
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int mod(int ep, int fd, unsigned events, uint64_t data) {
	struct epoll_event ev = {.events = events, .data.u64 = data};
	return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static int alarms, alarm_fd = -1;
static void on_alarm(int s) {
	(void)s;
	alarms++;
	if (alarm_fd >= 0) write(alarm_fd, "!", 1);
}

static void arm(void) {
	struct itimerval it = {{0, 0}, {0, 50000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

// interrupts blocks in each call until a timer signal interrupts it.
static void interrupts(void) {
	printf("== interrupted blocking calls\n");
	int p[2], e = eventfd(0, 0), ep = epoll_create1(0);
	char c, *big = calloc(1, 100000);
	uint64_t v;
	CHECK(pipe(p));
	add(ep, p[0], EPOLLIN, 1);
	struct sigaction sa = {.sa_handler = on_alarm};
	sigaction(SIGALRM, &sa, NULL);
	arm();
	CHECK(read(p[0], &c, 1));
	arm();
	CHECK(read(e, &v, 8));
	arm();
	CHECK(write(p[1], big, 100000));
	CHECK(read(p[0], big, 100000));
	struct pollfd pf = {.fd = p[0], .events = POLLIN};
	arm();
	CHECK(poll(&pf, 1, -1));
	arm();
	CHECK(poll(&pf, 1, 10000));
	arm();
	CHECK(epoll_wait(ep, (struct epoll_event *)big, 1, -1));
	fd_set r;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	arm();
	CHECK(select(p[0] + 1, &r, NULL, NULL, NULL));
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, &old);
	arm();
	CHECK(ppoll(&pf, 1, NULL, &old));
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	printf("SIGALRM blocked again: %d\n", sigismember(&cur, SIGALRM));
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("alarms %d\n", alarms);

	printf("-- SA_RESTART\n");
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	alarm_fd = p[1];
	arm();
	CHECK(read(p[0], &c, 1));
	printf("got %c\n", c);
	arm();
	CHECK(poll(&pf, 1, -1));
	CHECK(read(p[0], &c, 1));
	arm();
	CHECK(epoll_wait(ep, (struct epoll_event *)big, 1, -1));
	CHECK(read(p[0], &c, 1));
	alarm_fd = -1;
	printf("alarms %d\n", alarms);
	signal(SIGALRM, SIG_DFL);
	close(p[0]); close(p[1]); close(e); close(ep);
	free(big);
}

// processes passes data between a parent and a child through pipes and an
// eventfd, each side blocking until the other acts.
static void processes(void) {
	printf("== pipes between processes\n");
	int a[2], b[2], st;
	CHECK(pipe(a));
	CHECK(pipe(b));
	int e = eventfd(0, 0);
	size_t size = 300000;
	char *big = malloc(size);
	for (size_t i = 0; i < size; i++) big[i] = (char)(i * 7 + i / 1000);
	pid_t pid = fork();
	if (pid == 0) {
		close(a[1]);
		char buf[3000];
		unsigned sum = 0;
		long total = 0;
		ssize_t n;
		while ((n = read(a[0], buf, sizeof buf)) > 0) {
			for (ssize_t i = 0; i < n; i++) sum = sum * 31 + (unsigned char)buf[i];
			total += n;
		}
		printf("child read %ld bytes, sum %u\n", total, sum);
		usleep(30000);
		uint64_t one = 1;
		write(e, &one, 8);
		usleep(30000);
		close(b[0]);
		write(b[1], "hi", 2);
		for (;;) pause(); // until the parent kills it
	}
	close(a[0]);
	close(b[1]);
	CHECK(write(a[1], big, size));
	CHECK(close(a[1]));
	uint64_t v = 0;
	CHECK(read(e, &v, 8));
	printf("eventfd %llu\n", (unsigned long long)v);
	int ep = epoll_create1(0);
	add(ep, b[0], EPOLLIN | EPOLLET, 5);
	show_wait("child writes", ep, -1);
	char buf[8] = {0};
	CHECK(read(b[0], buf, 8));
	printf("read %s\n", buf);
	show_poll("child still there", b[0], POLLIN, 20);
	CHECK(kill(pid, SIGTERM));
	show_poll("child gone", b[0], POLLIN, -1);
	CHECK(waitpid(pid, &st, 0) == pid);
	printf("child signal %d\n", WTERMSIG(st));
	close(b[0]); close(e); close(ep);
	free(big);
}

static void pipes(void) {
	printf("== pipe\n");
	int p[2];
	char buf[70000];
	struct stat st;
	CHECK(pipe(p));
	CHECK(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK(st.st_size);
	CHECK(fcntl(p[0], F_GETPIPE_SZ));
	CHECK(fcntl(p[0], F_GETFL) & O_ACCMODE);
	CHECK(fcntl(p[1], F_GETFL) & O_ACCMODE);
	CHECK(write(p[1], "hello", 5));
	int n = -1;
	CHECK(ioctl(p[0], FIONREAD, &n));
	printf("FIONREAD %d\n", n);
	show_poll("r", p[0], POLLIN | POLLOUT, 0);
	show_poll("w", p[1], POLLIN | POLLOUT, 0);
	CHECK(read(p[1], buf, 1));
	CHECK(write(p[0], "x", 1));
	CHECK(pread(p[0], buf, 1, 0));
	CHECK(lseek(p[0], 0, SEEK_CUR));
	CHECK(read(p[0], buf, 0));
	memset(buf, 0, sizeof buf);
	CHECK(read(p[0], buf, sizeof buf));
	printf("read %s\n", buf);
	show_poll("r empty", p[0], POLLIN, 0);
	show_poll("r empty 30ms", p[0], POLLIN, 30);

	struct iovec iov[3] = {{"ab", 2}, {"", 0}, {"cde", 3}};
	CHECK(writev(p[1], iov, 3));
	char x[2], y[10] = {0};
	struct iovec riov[2] = {{x, 2}, {y, 9}};
	CHECK(readv(p[0], riov, 2));
	printf("readv %.2s %s\n", x, y);

	printf("-- eof and hup\n");
	CHECK(write(p[1], "z", 1));
	CHECK(close(p[1]));
	show_poll("r data+hup", p[0], POLLIN, 0);
	CHECK(read(p[0], buf, 10));
	CHECK(read(p[0], buf, 10));
	show_poll("r hup", p[0], POLLIN, -1);
	CHECK(close(p[0]));

	printf("-- epipe\n");
	CHECK(pipe(p));
	CHECK(close(p[0]));
	signal(SIGPIPE, SIG_IGN);
	CHECK(write(p[1], "x", 1));
	show_poll("w no reader", p[1], POLLOUT, 0);
	signal(SIGPIPE, on_sigpipe);
	CHECK(write(p[1], "x", 1));
	printf("sigpipes %d\n", sigpipes);
	CHECK(close(p[1]));

	printf("== pipe2 O_NONBLOCK\n");
	CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC));
	CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	CHECK(fcntl(p[1], F_GETFD));
	CHECK(read(p[0], buf, 10));
	long total = 0, r;
	memset(buf, 'a', sizeof buf);
	while ((r = write(p[1], buf, 1000)) > 0) total += r;
	printf("filled %ld, then %s\n", total, strerrorname_np(errno));
	show_poll("w full", p[1], POLLOUT, 0);
	CHECK(read(p[0], buf, 1));
	CHECK(write(p[1], buf, 1));
	CHECK(read(p[0], buf, 4095));
	show_poll("w one page free", p[1], POLLOUT, 0);
	CHECK(write(p[1], buf, 5000));
	CHECK(read(p[0], buf, sizeof buf));
	CHECK(write(p[1], buf, 70000));
	CHECK(read(p[0], buf, sizeof buf));
	CHECK(read(p[0], buf, sizeof buf));

	printf("-- F_SETPIPE_SZ\n");
	CHECK(fcntl(p[1], F_SETPIPE_SZ, 100000));
	CHECK(fcntl(p[0], F_GETPIPE_SZ));
	CHECK(fcntl(p[1], F_SETPIPE_SZ, 0));
	CHECK(write(p[1], buf, 10000));
	CHECK(fcntl(p[1], F_SETPIPE_SZ, 8192));
	CHECK(read(p[0], buf, sizeof buf));
	CHECK(fcntl(p[1], F_SETPIPE_SZ, 8192));
	CHECK(fcntl(p[1], F_SETPIPE_SZ, -1));
	CHECK(fcntl(0, F_GETPIPE_SZ));
	CHECK(close(p[0]));
	CHECK(close(p[1]));

	printf("== pipe2 O_DIRECT\n");
	CHECK(pipe2(p, O_DIRECT | 0x1000000));
	CHECK(pipe2(p, O_DIRECT));
	CHECK(!!(fcntl(p[1], F_GETFL) & O_DIRECT));
	CHECK(!!(fcntl(p[0], F_GETFL) & O_DIRECT));
	CHECK(write(p[1], "abc", 3));
	CHECK(write(p[1], "defgh", 5));
	memset(buf, 0, 16);
	CHECK(read(p[0], buf, 100));
	printf("packet %s\n", buf);
	memset(buf, 0, 16);
	CHECK(read(p[0], buf, 2));
	printf("packet %s\n", buf);
	CHECK(ioctl(p[0], FIONREAD, &n));
	printf("FIONREAD %d\n", n);
	CHECK(close(p[0]));
	CHECK(close(p[1]));
}

static void eventfds(void) {
	printf("== eventfd\n");
	uint64_t v = 0;
	int e = eventfd(3, EFD_NONBLOCK);
	CHECK(e >= 0);
	CHECK(fcntl(e, F_GETFL) & (O_NONBLOCK | O_ACCMODE));
	show_poll("efd 3", e, POLLIN | POLLOUT, 0);
	CHECK(read(e, &v, 8));
	printf("value %llu\n", (unsigned long long)v);
	CHECK(read(e, &v, 8));
	show_poll("efd 0", e, POLLIN | POLLOUT, 0);
	v = 5;
	CHECK(write(e, &v, 8));
	v = 7;
	CHECK(write(e, &v, 8));
	CHECK(read(e, &v, 4));
	uint64_t v2[2] = {0, 0};
	CHECK(read(e, v2, 16));
	v = v2[0];
	printf("value %llu\n", (unsigned long long)v);
	v = ~0ULL;
	CHECK(write(e, &v, 8));
	CHECK(write(e, &v, 7));
	v = ~0ULL - 1;
	CHECK(write(e, &v, 8));
	show_poll("efd max", e, POLLIN | POLLOUT, 0);
	v = 1;
	CHECK(write(e, &v, 8));
	CHECK(read(e, &v, 8));
	printf("value %llu\n", (unsigned long long)v);
	CHECK(lseek(e, 0, SEEK_CUR));
	CHECK(close(e));

	e = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
	CHECK(fcntl(e, F_GETFD));
	CHECK(read(e, &v, 8));
	printf("value %llu\n", (unsigned long long)v);
	CHECK(read(e, &v, 8));
	printf("value %llu\n", (unsigned long long)v);
	CHECK(read(e, &v, 8));
	CHECK(close(e));
	CHECK(eventfd(0, 0x10));
	e = eventfd(1, 0);
	CHECK(read(e, &v, 8));
	printf("value %llu (blocking, was ready)\n", (unsigned long long)v);
	CHECK(close(e));
}

static void epolls(void) {
	printf("== epoll level-triggered\n");
	int p[2], e, ep;
	char buf[100];
	uint64_t v;
	CHECK(pipe(p));
	e = eventfd(0, EFD_NONBLOCK);
	ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK(ep >= 0);
	CHECK(fcntl(ep, F_GETFD));
	CHECK(epoll_create(0));
	CHECK(epoll_create1(1));
	CHECK(add(ep, p[0], EPOLLIN, 1));
	CHECK(add(ep, e, EPOLLIN, 2));
	CHECK(add(ep, p[1], EPOLLOUT, 3));
	show_wait("only w", ep, 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
	show_wait("nothing", ep, 0);
	show_wait("nothing 20ms", ep, 20);
	CHECK(write(p[1], "x", 1));
	v = 1;
	CHECK(write(e, &v, 8));
	show_wait("both", ep, -1);
	show_wait("both again", ep, 0);
	struct epoll_event one[1];
	CHECK(epoll_wait(ep, one, 1, 0));
	printf("first data %llu\n", (unsigned long long)one[0].data.u64);
	CHECK(epoll_wait(ep, one, 1, 0));
	printf("next data %llu\n", (unsigned long long)one[0].data.u64);
	CHECK(read(p[0], buf, 10));
	show_wait("efd only", ep, 0);
	CHECK(read(e, &v, 8));
	show_wait("none", ep, 0);

	printf("-- errors\n");
	CHECK(add(ep, p[0], EPOLLIN, 1));
	CHECK(mod(ep, p[1], EPOLLOUT, 1));
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
	int reg = open("/etc/passwd", O_RDONLY);
	CHECK(add(ep, reg, EPOLLIN, 9));
	CHECK(add(ep, ep, EPOLLIN, 9));
	CHECK(add(p[0], p[1], EPOLLIN, 9));
	CHECK(add(reg, p[1], EPOLLIN, 9));
	CHECK(add(ep, 999, EPOLLIN, 9));
	CHECK(add(999, p[0], EPOLLIN, 9));
	CHECK(epoll_ctl(ep, 99, p[1], (struct epoll_event *)&v));
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], (struct epoll_event *)8));
	CHECK(add(ep, p[1], EPOLLOUT | EPOLLEXCLUSIVE | EPOLLONESHOT, 9));
	CHECK(mod(ep, p[0], EPOLLIN | EPOLLEXCLUSIVE, 1));
	CHECK(add(ep, p[1], EPOLLOUT | EPOLLEXCLUSIVE, 4));
	CHECK(mod(ep, p[1], EPOLLOUT, 4));
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
	CHECK(epoll_wait(ep, one, 0, 0));
	CHECK(epoll_wait(p[0], one, 1, 0));
	struct epoll_event *badev = (struct epoll_event *)8;
	CHECK(syscall(SYS_epoll_wait, ep, badev, 1, 0));
	CHECK(read(ep, buf, 1));
	close(reg);

	printf("== epoll edge-triggered\n");
	int et = epoll_create1(0);
	CHECK(add(et, p[0], EPOLLIN | EPOLLET, 10));
	CHECK(add(et, e, EPOLLIN | EPOLLOUT | EPOLLET, 11));
	show_wait("efd writable edge", et, 0);
	show_wait("no new edge", et, 0);
	CHECK(write(p[1], "a", 1));
	show_wait("edge a", et, 0);
	show_wait("no new edge", et, 0);
	CHECK(write(p[1], "b", 1));
	show_wait("edge b", et, 0);
	CHECK(read(p[0], buf, 1));
	show_wait("read is no edge", et, 0);
	v = 2;
	CHECK(write(e, &v, 8));
	show_wait("efd edge", et, 0);
	CHECK(mod(et, e, EPOLLIN | EPOLLET, 11));
	show_wait("mod re-arms", et, 0);
	CHECK(read(p[0], buf, 10));
	CHECK(read(e, &v, 8));

	printf("== epoll oneshot\n");
	int os = epoll_create1(0);
	CHECK(add(os, p[0], EPOLLIN | EPOLLONESHOT, 20));
	CHECK(write(p[1], "q", 1));
	show_wait("oneshot", os, 0);
	show_wait("disarmed", os, 0);
	CHECK(write(p[1], "r", 1));
	show_wait("still disarmed", os, 0);
	CHECK(mod(os, p[0], EPOLLIN | EPOLLONESHOT, 21));
	show_wait("rearmed", os, 0);
	CHECK(read(p[0], buf, 10));

	printf("== nested epoll\n");
	int outer = epoll_create1(0);
	int inner = epoll_create1(0);
	CHECK(add(inner, e, EPOLLIN, 30));
	CHECK(add(outer, inner, EPOLLIN, 31));
	CHECK(add(inner, outer, EPOLLIN, 32));
	show_poll("inner idle", inner, POLLIN | POLLOUT, 0);
	show_wait("outer idle", outer, 0);
	v = 1;
	CHECK(write(e, &v, 8));
	show_poll("inner ready", inner, POLLIN | POLLOUT, 0);
	show_wait("outer", outer, 0);
	show_wait("inner", inner, 0);
	CHECK(read(e, &v, 8));
	show_wait("outer after read", outer, 0);

	printf("== close removes\n");
	int cl = epoll_create1(0);
	int e2 = eventfd(1, 0);
	int e3 = eventfd(1, 0);
	int e3dup = dup(e3);
	CHECK(add(cl, e2, EPOLLIN, 40));
	CHECK(add(cl, e3, EPOLLIN, 41));
	CHECK(close(e2));
	CHECK(close(e3));
	show_wait("dup keeps e3", cl, 0);
	CHECK(epoll_ctl(cl, EPOLL_CTL_DEL, e3dup, NULL));
	CHECK(close(e3dup));
	show_wait("all closed", cl, 0);

	printf("== hup and err\n");
	int hp = epoll_create1(0);
	int q[2];
	CHECK(pipe(q));
	CHECK(add(hp, q[0], EPOLLIN, 50));
	CHECK(add(hp, q[1], EPOLLOUT, 51));
	show_wait("writable", hp, 0);
	CHECK(close(q[1]));
	show_wait("reader hup", hp, 0);
	CHECK(pipe(q));
	CHECK(add(hp, q[1], EPOLLIN, 52));
	CHECK(close(q[0]));
	show_wait("writer err", hp, 0);
	CHECK(close(q[1]));

	printf("== epoll_pwait with a pending signal\n");
	sigset_t block, empty, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	struct sigaction sa = {.sa_handler = on_sigusr1};
	sigaction(SIGUSR1, &sa, NULL);
	sigprocmask(SIG_BLOCK, &block, &old);
	raise(SIGUSR1);
	struct epoll_event evs[4];
	CHECK(epoll_pwait(outer, evs, 4, -1, &empty));
	printf("sigusr1s %d\n", sigusr1s);
	CHECK(epoll_pwait(outer, evs, 4, 0, &block));
	struct timespec ts = {0, 10 * 1000 * 1000};
	CHECK(syscall(SYS_epoll_pwait2, outer, evs, 4, &ts, NULL, 8));
	ts.tv_nsec = 2000000000;
	CHECK(syscall(SYS_epoll_pwait2, outer, evs, 4, &ts, NULL, 8));
	CHECK(syscall(SYS_epoll_pwait, outer, evs, 4, 0, &empty, 4));
	sigprocmask(SIG_SETMASK, &old, NULL);

	close(p[0]); close(p[1]); close(e); close(ep); close(et); close(os);
	close(outer); close(inner); close(cl); close(hp);
}

static void polls(void) {
	printf("== poll\n");
	int p[2];
	CHECK(pipe(p));
	CHECK(write(p[1], "x", 1));
	int reg = open("/etc/passwd", O_RDONLY);
	struct pollfd pf[5] = {
		{.fd = p[0], .events = POLLIN | POLLOUT | POLLPRI},
		{.fd = p[1], .events = POLLIN | POLLOUT},
		{.fd = -1, .events = POLLIN, .revents = 77},
		{.fd = 999, .events = POLLIN},
		{.fd = reg, .events = POLLIN | POLLOUT | POLLPRI | POLLRDNORM},
	};
	CHECK(poll(pf, 5, 0));
	for (int i = 0; i < 5; i++) printf("  [%d] %s\n", i, evname((unsigned short)pf[i].revents));
	CHECK(poll(NULL, 0, 10));
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	CHECK(poll(pf, rl.rlim_cur + 1, 0));
	CHECK(syscall(SYS_poll, 8, 1, 0));
	struct timespec ts = {0, 0};
	CHECK(ppoll(pf, 2, &ts, NULL));
	ts.tv_nsec = -1;
	CHECK(syscall(SYS_ppoll, pf, 2, &ts, NULL, 8));
	ts.tv_nsec = 5000000;
	sigset_t m;
	sigemptyset(&m);
	CHECK(syscall(SYS_ppoll, pf, 2, &ts, &m, 4));
	char c;
	CHECK(read(p[0], &c, 1));
	ts.tv_sec = 0;
	ts.tv_nsec = 20000000;
	CHECK(syscall(SYS_ppoll, pf, 1, &ts, NULL, 8));
	printf("ppoll remaining %ld %ld\n", (long)ts.tv_sec, ts.tv_nsec);

	printf("-- ppoll with a pending signal\n");
	sigset_t block, empty, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, &old);
	raise(SIGUSR1);
	sigusr1s = 0;
	CHECK(ppoll(pf, 1, NULL, &empty));
	printf("sigusr1s %d\n", sigusr1s);
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	printf("SIGUSR1 blocked again after the handler: %d\n", sigismember(&cur, SIGUSR1));
	sigprocmask(SIG_SETMASK, &old, NULL);

	printf("== select\n");
	fd_set r, w, x;
	struct timeval tv = {0, 0};
	FD_ZERO(&r); FD_ZERO(&w); FD_ZERO(&x);
	FD_SET(p[0], &r); FD_SET(p[1], &w); FD_SET(p[0], &x); FD_SET(reg, &r); FD_SET(reg, &w);
	CHECK(select(FD_SETSIZE, &r, &w, &x, &tv));
	printf("  r: p0=%d reg=%d  w: p1=%d reg=%d  x: p0=%d\n", FD_ISSET(p[0], &r), FD_ISSET(reg, &r),
	       FD_ISSET(p[1], &w), FD_ISSET(reg, &w), FD_ISSET(p[0], &x));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv.tv_sec = 0;
	tv.tv_usec = 30000;
	CHECK(select(p[0] + 1, &r, NULL, NULL, &tv));
	printf("  r: p0=%d remaining %ld %ld\n", FD_ISSET(p[0], &r), (long)tv.tv_sec, (long)tv.tv_usec);
	CHECK(write(p[1], "y", 1));
	FD_SET(p[0], &r);
	tv.tv_sec = 5;
	tv.tv_usec = 0;
	CHECK(select(p[0] + 1, &r, NULL, NULL, &tv));
	printf("  r: p0=%d remaining<=5s %d\n", FD_ISSET(p[0], &r), tv.tv_sec <= 5 && tv.tv_sec >= 4);
	FD_ZERO(&r);
	FD_SET(900, &r);
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	CHECK(select(901, &r, NULL, NULL, &tv));
	FD_ZERO(&r);
	FD_SET(20, &r);
	CHECK(select(21, &r, NULL, NULL, &tv));
	CHECK(select(-1, NULL, NULL, NULL, &tv));
	tv.tv_usec = -1;
	CHECK(select(0, NULL, NULL, NULL, &tv));
	tv.tv_sec = 0;
	tv.tv_usec = 1500000;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	CHECK(select(p[0] + 1, &r, NULL, NULL, &tv));
	printf("  usec normalized: sec=%ld\n", (long)tv.tv_sec);
	struct timespec pts = {0, 1000000};
	struct { const sigset_t *ss; size_t len; } sig = {&empty, 8};
	CHECK(syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &pts, &sig));
	sig.len = 4;
	CHECK(syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &pts, &sig));

	printf("-- pselect with a pending signal\n");
	CHECK(read(p[0], &c, 1));
	sigprocmask(SIG_BLOCK, &block, &old);
	raise(SIGUSR1);
	sigusr1s = 0;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	CHECK(pselect(p[0] + 1, &r, NULL, NULL, NULL, &empty));
	printf("sigusr1s %d\n", sigusr1s);
	sigprocmask(SIG_SETMASK, &old, NULL);

	printf("-- stdio\n");
	struct pollfd s[2] = {{.fd = 0, .events = POLLIN}, {.fd = 1, .events = POLLOUT}};
	CHECK(poll(s, 2, 0));
	printf("  stdin %s", evname(s[0].revents));
	printf(" stdout %s\n", evname(s[1].revents));
	int ep = epoll_create1(0);
	CHECK(add(ep, 1, EPOLLOUT, 1));
	CHECK(add(ep, 0, EPOLLIN, 1));
	close(ep);
	close(reg);
	close(p[0]);
	close(p[1]);
}

// readStdin reads a host pipe on stdin with poll, epoll and blocking reads.
static int readStdin(void) {
	char buf[256];
	struct pollfd p = {.fd = 0, .events = POLLIN};
	int r = poll(&p, 1, 10000);
	printf("poll = %d %s\n", r, evname(p.revents));
	ssize_t n = read(0, buf, sizeof buf);
	printf("read %zd: %.*s", n, (int)(n > 0 ? n : 0), buf);
	int ep = epoll_create1(0);
	r = add(ep, 0, EPOLLIN, 7);
	printf("epoll_ctl = %d\n", r);
	struct epoll_event ev;
	r = epoll_wait(ep, &ev, 1, 10000);
	printf("epoll_wait = %d %s\n", r, evname(ev.events));
	n = read(0, buf, sizeof buf);
	printf("read %zd: %.*s", n, (int)(n > 0 ? n : 0), buf);
	// Blocking reads until EOF.
	while ((n = read(0, buf, sizeof buf)) > 0) printf("read %zd: %.*s", n, (int)n, buf);
	printf("eof %zd\n", n);
	r = epoll_wait(ep, &ev, 1, 10000);
	printf("epoll_wait = %d %s\n", r, evname(ev.events));
	return 0;
}

int main(int argc, char **argv) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && strcmp(argv[1], "stdin") == 0) return readStdin();
	pipes();
	eventfds();
	epolls();
	polls();
	interrupts();
	processes();
	printf("done\n");
	return 0;
}
