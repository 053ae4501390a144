/* select with no fds sleeps; Linux updates the timeval with the time left (0). */
#include "../check.h"
#include <sys/select.h>
int main(void) {
	struct timeval tv = {0, 30000};
	CHECK_EQ(select(0, NULL, NULL, NULL, &tv), 0);
	CHECK_EQ(tv.tv_sec, 0);
	CHECK_EQ(tv.tv_usec, 0);
	struct timeval bad = {0, -1};
	ERR(select(0, NULL, NULL, NULL, &bad), EINVAL);
	return 0;
}
