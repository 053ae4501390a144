/* device nodes: /dev/null is char 1:3, /dev/zero char 1:5. */
#include "../check.h"
#include <sys/sysmacros.h>
int main(void) {
	struct stat st;
	OK(stat("/dev/null", &st));
	CHECK(S_ISCHR(st.st_mode));
	CHECK_EQ(major(st.st_rdev), 1);
	CHECK_EQ(minor(st.st_rdev), 3);
	OK(stat("/dev/zero", &st));
	CHECK_EQ(minor(st.st_rdev), 5);
	return 0;
}
