/* readlink of /proc/self/exe is an absolute path; /proc/self names our pid. */
#include "../check.h"
int main(void) {
	char buf[PATH_MAX];
	ssize_t n = OK(readlink("/proc/self", buf, sizeof buf - 1));
	buf[n] = 0;
	char want[32];
	snprintf(want, sizeof want, "%d", getpid());
	CHECK_STR(buf, want);
	n = OK(readlink("/proc/self/exe", buf, sizeof buf - 1));
	buf[n] = 0;
	CHECK_EQ(buf[0], '/');
	return 0;
}
