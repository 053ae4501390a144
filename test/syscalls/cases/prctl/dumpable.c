/* PR_SET_DUMPABLE 0/1 round-trips; 5 is EINVAL. */
#include "../check.h"
#include <sys/prctl.h>
int main(void) {
	CHECK_EQ(prctl(PR_GET_DUMPABLE), 1);
	OK(prctl(PR_SET_DUMPABLE, 0));
	CHECK_EQ(prctl(PR_GET_DUMPABLE), 0);
	OK(prctl(PR_SET_DUMPABLE, 1));
	CHECK_EQ(prctl(PR_GET_DUMPABLE), 1);
	ERR(prctl(PR_SET_DUMPABLE, 5), EINVAL);
	return 0;
}
