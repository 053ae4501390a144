/* SO_PEERCRED on a connected unix socket names the peer's pid/uid/gid. */
#include "../check.h"
#include <sys/socket.h>
int main(void) {
	int sv[2];
	OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	struct ucred cr;
	socklen_t l = sizeof cr;
	OK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &l));
	CHECK_EQ(l, sizeof cr);
	CHECK_EQ(cr.pid, getpid());
	CHECK_EQ(cr.uid, getuid());
	CHECK_EQ(cr.gid, getgid());
	int t = 0;
	l = sizeof t;
	OK(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &t, &l));
	CHECK_EQ(t, SOCK_STREAM);
	return 0;
}
