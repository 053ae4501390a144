/* statx agrees with stat and fills the mask it was asked for. */
#include "../check.h"
int main(void) {
	struct statx sx;
	struct stat st;
	OK(statx(AT_FDCWD, "/etc/passwd", 0, STATX_BASIC_STATS, &sx));
	OK(stat("/etc/passwd", &st));
	CHECK((sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
	CHECK_EQ(sx.stx_ino, st.st_ino);
	CHECK_EQ(sx.stx_size, st.st_size);
	CHECK_EQ(sx.stx_mode, st.st_mode);
	CHECK_EQ(sx.stx_nlink, st.st_nlink);
	ERR(statx(AT_FDCWD, "/etc/passwd", 0, STATX__RESERVED, &sx), EINVAL);
	return 0;
}
