/* prlimit sets and returns the old limit in one call. */
#include "../check.h"
#include <sys/resource.h>
int main(void) {
	struct rlimit old, nw = {0, 0}, got;
	OK(prlimit(0, RLIMIT_CORE, NULL, &old));
	nw.rlim_max = old.rlim_max;
	OK(prlimit(getpid(), RLIMIT_CORE, &nw, &got));
	CHECK_EQ(got.rlim_cur, old.rlim_cur);
	OK(getrlimit(RLIMIT_CORE, &got));
	CHECK_EQ(got.rlim_cur, 0);
	return 0;
}
