/* connecting to a missing path is ENOENT; to a non-listening socket ECONNREFUSED. */
#include "../check.h"
#include <sys/socket.h>
#include <sys/un.h>
int main(void) {
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof a.sun_path, "/nonexistent-stockade/sock");
	int c = OK(socket(AF_UNIX, SOCK_STREAM, 0));
	ERR(connect(c, (void *)&a, sizeof a), ENOENT);
	snprintf(a.sun_path, sizeof a.sun_path, "%s", scratch_file("s"));
	int b = OK(socket(AF_UNIX, SOCK_STREAM, 0));
	OK(bind(b, (void *)&a, sizeof a));
	ERR(connect(c, (void *)&a, sizeof a), ECONNREFUSED);
	ERR(socket(AF_UNIX, 99, 0), EINVAL);
	return 0;
}
