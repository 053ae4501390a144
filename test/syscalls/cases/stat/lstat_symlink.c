/* lstat describes the link, stat its target; st_size of a link is its length. */
#include "../check.h"
int main(void) {
	const char *t = scratch_file("target"), *l = scratch_file("link");
	write_file(t, "abc");
	OK(symlink("target", l));
	struct stat st;
	OK(lstat(l, &st));
	CHECK(S_ISLNK(st.st_mode));
	CHECK_EQ(st.st_size, 6);
	OK(stat(l, &st));
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_size, 3);
	return 0;
}
