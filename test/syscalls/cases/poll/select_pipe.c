/* select reports readable/writable pipe ends and clears the others. */
#include "../check.h"
#include <sys/select.h>
int main(void) {
	int p[2];
	OK(pipe(p));
	fd_set r, w;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(p[1], &w);
	struct timeval tv = {0, 0};
	CHECK_EQ(select(p[1] + 1, &r, &w, NULL, &tv), 1);
	CHECK(!FD_ISSET(p[0], &r));
	CHECK(FD_ISSET(p[1], &w));
	CHECK_EQ(write(p[1], "x", 1), 1);
	FD_SET(p[0], &r);
	CHECK_EQ(select(p[0] + 1, &r, NULL, NULL, &tv), 1);
	CHECK(FD_ISSET(p[0], &r));
	int bad = OK(dup(0));
	OK(close(bad));
	FD_ZERO(&r);
	FD_SET(bad, &r);
	ERR(select(bad + 1, &r, NULL, NULL, &tv), EBADF);
	return 0;
}
