/* mkdir creates an empty directory (nlink 2, parent nlink +1); rmdir removes it. */
#include "../check.h"
int main(void) {
	const char *d = scratch_file("d");
	struct stat parent, st;
	OK(stat(scratch_dir(), &parent));
	OK(mkdir(d, 0755));
	OK(stat(d, &st));
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(st.st_nlink, 2);
	struct stat p2;
	OK(stat(scratch_dir(), &p2));
	CHECK_EQ(p2.st_nlink, parent.st_nlink + 1);
	OK(rmdir(d));
	ERR(stat(d, &st), ENOENT);
	return 0;
}
