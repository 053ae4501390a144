/* utimensat sets explicit times; UTIME_OMIT leaves one alone. */
#include "../check.h"
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "x");
	struct timespec ts[2] = {{1000000000, 5}, {1200000000, 7}};
	OK(utimensat(AT_FDCWD, p, ts, 0));
	struct stat st;
	OK(stat(p, &st));
	CHECK_EQ(st.st_atim.tv_sec, 1000000000);
	CHECK_EQ(st.st_mtim.tv_sec, 1200000000);
	CHECK_EQ(st.st_mtim.tv_nsec, 7);
	struct timespec t2[2] = {{0, UTIME_OMIT}, {1300000000, 0}};
	OK(utimensat(AT_FDCWD, p, t2, 0));
	OK(stat(p, &st));
	CHECK_EQ(st.st_atim.tv_sec, 1000000000);
	CHECK_EQ(st.st_mtim.tv_sec, 1300000000);
	struct timespec bad[2] = {{0, 2000000000}, {0, 0}};
	ERR(utimensat(AT_FDCWD, p, bad, 0), EINVAL);
	return 0;
}
