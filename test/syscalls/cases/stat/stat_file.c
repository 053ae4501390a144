/* stat reports a new file's size, type, link count and owner. */
#include "../check.h"
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "12345");
	struct stat st;
	OK(stat(p, &st));
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_size, 5);
	CHECK_EQ(st.st_nlink, 1);
	CHECK_EQ(st.st_uid, geteuid());
	CHECK_EQ(st.st_gid, getegid());
	return 0;
}
