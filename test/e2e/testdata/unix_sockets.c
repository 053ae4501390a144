/* unix_sockets.c: a unix stream server in one process and its client in a
 * forked child: SO_PEERCRED, SCM_CREDENTIALS, SCM_RIGHTS across
 * processes, MSG_PEEK, MSG_WAITALL, shutdown and POLLRDHUP, SEQPACKET and
 * DGRAM over a filesystem path, and /proc/self/fd naming. Prints one line
 * per check; the output is compared with a native run. Run in a writable
 * working directory (the socket files are created there). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what) {
	printf("FAIL %s: %s\n", what, strerror(errno));
	exit(1);
}

static struct sockaddr_un addr(const char *path, socklen_t *len) {
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	strcpy(a.sun_path, path);
	*len = sizeof a;
	return a;
}

static int listener(int type, const char *path) {
	socklen_t l;
	struct sockaddr_un a = addr(path, &l);
	unlink(path);
	int s = socket(AF_UNIX, type, 0);
	if (s < 0 || bind(s, (void *)&a, l) < 0)
		die("bind");
	if (type != SOCK_DGRAM && listen(s, 4) < 0)
		die("listen");
	return s;
}

static int connector(int type, const char *path) {
	socklen_t l;
	struct sockaddr_un a = addr(path, &l);
	int s = socket(AF_UNIX, type, 0);
	if (s < 0 || connect(s, (void *)&a, l) < 0)
		die("connect");
	return s;
}

static void send_fd(int s, int fd) {
	char c = 'R';
	struct iovec iov = {&c, 1};
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr a; } u;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
	struct cmsghdr *c0 = CMSG_FIRSTHDR(&m);
	c0->cmsg_level = SOL_SOCKET;
	c0->cmsg_type = SCM_RIGHTS;
	c0->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c0), &fd, sizeof fd);
	if (sendmsg(s, &m, 0) != 1)
		die("sendmsg rights");
}

static void client(void) {
	int c = connector(SOCK_STREAM, "stream.sock");
	int one = 1;
	/* With SO_PASSCRED on the sender, Linux attaches credentials whatever
	 * the receiver had set when the data was sent. */
	setsockopt(c, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
	/* Hand the server the read end of a pipe we write to. */
	int p[2];
	if (pipe(p) < 0)
		die("pipe");
	send_fd(c, p[0]);
	close(p[0]);
	if (write(p[1], "through the pipe", 16) != 16)
		die("pipe write");
	close(p[1]);
	/* A message with credentials (the server set SO_PASSCRED). */
	if (write(c, "creds", 5) != 5)
		die("write creds");
	/* Split writes the server reads with MSG_WAITALL. */
	write(c, "wait", 4);
	usleep(20000);
	write(c, "all!", 4);
	char buf[16];
	ssize_t n = read(c, buf, sizeof buf);
	printf("client got %.*s\n", (int)n, buf);
	shutdown(c, SHUT_WR);
	n = read(c, buf, sizeof buf);
	printf("client read after server close: %zd\n", n);
	close(c);

	int q = connector(SOCK_SEQPACKET, "seq.sock");
	send(q, "rec-one", 7, 0);
	send(q, "rec-two", 7, 0);
	close(q);

	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	socklen_t l;
	struct sockaddr_un a = addr("dgram.sock", &l);
	sendto(d, "datagram", 8, 0, (void *)&a, l);
	close(d);
	_exit(0);
}

int main(void) {
	signal(SIGPIPE, SIG_IGN);
	int ls = listener(SOCK_STREAM, "stream.sock");
	int lq = listener(SOCK_SEQPACKET, "seq.sock");
	int ld = listener(SOCK_DGRAM, "dgram.sock");
	struct stat st;
	if (stat("stream.sock", &st) < 0)
		die("stat");
	printf("socket file: %s\n", S_ISSOCK(st.st_mode) ? "S_IFSOCK" : "other");
	int one = 1;
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		client();
	struct sockaddr_un peer;
	socklen_t pl = sizeof peer;
	int s = accept4(ls, (void *)&peer, &pl, SOCK_CLOEXEC);
	if (s < 0)
		die("accept");
	printf("accepted peer addrlen %d\n", (int)pl);
	setsockopt(s, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
	struct ucred cr;
	socklen_t cl = sizeof cr;
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &cl) < 0)
		die("SO_PEERCRED");
	printf("SO_PEERCRED pid matches child: %d, uid matches: %d\n", cr.pid == pid, cr.uid == getuid());
	struct sockaddr_un me;
	socklen_t ml = sizeof me;
	getsockname(s, (void *)&me, &ml);
	printf("accepted socket name: %s\n", me.sun_path);

	/* SCM_RIGHTS from the child. */
	char c;
	struct iovec iov = {&c, 1};
	union { char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int))]; struct cmsghdr a; } u;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
	if (recvmsg(s, &m, MSG_CMSG_CLOEXEC) != 1)
		die("recvmsg rights");
	int got = -1;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h))
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
			memcpy(&got, CMSG_DATA(h), sizeof got);
	char pbuf[32] = {0};
	ssize_t n = read(got, pbuf, sizeof pbuf - 1);
	printf("received fd reads: %.*s (cloexec %d)\n", (int)n, pbuf, fcntl(got, F_GETFD) == FD_CLOEXEC);
	char link[64] = {0}, path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", s);
	readlink(path, link, sizeof link - 1);
	printf("fd link starts with socket:[ %d\n", strncmp(link, "socket:[", 8) == 0);

	/* SCM_CREDENTIALS. */
	char buf[16];
	iov = (struct iovec){buf, 5};
	m = (struct msghdr){.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
	n = recvmsg(s, &m, 0);
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);
	if (n == 5 && h && h->cmsg_type == SCM_CREDENTIALS) {
		struct ucred rc;
		memcpy(&rc, CMSG_DATA(h), sizeof rc);
		printf("SCM_CREDENTIALS %.5s pid matches: %d\n", buf, rc.pid == pid);
	} else {
		printf("no SCM_CREDENTIALS (n=%zd)\n", n);
	}
	/* MSG_PEEK then MSG_WAITALL across two writes. */
	struct pollfd pf = {s, POLLIN, 0};
	poll(&pf, 1, 5000);
	n = recv(s, buf, 2, MSG_PEEK);
	printf("peek %zd %.2s\n", n, buf);
	n = recv(s, buf, 8, MSG_WAITALL);
	printf("waitall %zd %.8s\n", n, buf);
	write(s, "pong", 4);
	/* The client shuts down its write side: POLLRDHUP, then EOF. */
	pf = (struct pollfd){s, POLLIN | POLLRDHUP, 0};
	poll(&pf, 1, 5000);
	printf("poll after peer SHUT_WR: in %d rdhup %d\n", !!(pf.revents & POLLIN), !!(pf.revents & POLLRDHUP));
	printf("read at EOF: %zd\n", read(s, buf, sizeof buf));
	close(s);

	int q = accept(lq, NULL, NULL);
	n = recv(q, buf, 3, 0);
	printf("seqpacket truncated: %zd %.3s\n", n, buf);
	n = recv(q, buf, sizeof buf, 0);
	printf("seqpacket next: %zd %.7s\n", n, buf);
	printf("seqpacket at EOF: %zd\n", recv(q, buf, sizeof buf, 0));

	struct sockaddr_un from;
	socklen_t fl = sizeof from;
	n = recvfrom(ld, buf, sizeof buf, 0, (void *)&from, &fl);
	printf("datagram %zd %.8s from unbound (addrlen %d)\n", n, buf, (int)fl);

	int status;
	waitpid(pid, &status, 0);
	printf("child exit %d\n", WEXITSTATUS(status));
	/* Writing to a closed peer: EPIPE (SIGPIPE ignored). */
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	close(sv[1]);
	ssize_t w = write(sv[0], "x", 1);
	printf("write to closed peer: %zd %s\n", w, strerrorname_np(errno));
	unlink("stream.sock");
	unlink("seq.sock");
	unlink("dgram.sock");
	return 0;
}
