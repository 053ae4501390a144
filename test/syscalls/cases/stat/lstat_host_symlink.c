/* /proc/self is a symlink to the pid directory. */
#include "../check.h"
int main(void) {
	struct stat st;
	OK(lstat("/proc/self", &st));
	CHECK(S_ISLNK(st.st_mode));
	OK(stat("/proc/self", &st));
	CHECK(S_ISDIR(st.st_mode));
	return 0;
}
