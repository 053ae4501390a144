/* SCM_RIGHTS passes an open descriptor; the received fd reads the same file. */
#include "../check.h"
#include <sys/socket.h>
int main(void) {
	int sv[2];
	OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	int fd = OK(open("/etc/passwd", O_RDONLY));
	char data = 'F';
	struct iovec iov = {&data, 1};
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	CHECK_EQ(sendmsg(sv[0], &mh, 0), 1);
	OK(close(fd));
	memset(u.buf, 0, sizeof u.buf);
	data = 0;
	struct msghdr rh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
	CHECK_EQ(recvmsg(sv[1], &rh, 0), 1);
	CHECK_EQ(data, 'F');
	c = CMSG_FIRSTHDR(&rh);
	CHECK(c != NULL);
	CHECK_EQ(c->cmsg_type, SCM_RIGHTS);
	int got;
	memcpy(&got, CMSG_DATA(c), sizeof got);
	char buf[5] = {0};
	CHECK_EQ(read(got, buf, 4), 4);
	CHECK_STR(buf, "root");
	return 0;
}
