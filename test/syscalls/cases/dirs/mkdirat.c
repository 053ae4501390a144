/* mkdirat and unlinkat(AT_REMOVEDIR) relative to a dirfd. */
#include "../check.h"
int main(void) {
	int d = OK(open(scratch_dir(), O_RDONLY | O_DIRECTORY));
	OK(mkdirat(d, "sub", 0700));
	struct stat st;
	OK(fstatat(d, "sub", &st, 0));
	CHECK(S_ISDIR(st.st_mode));
	ERR(unlinkat(d, "sub", 0), EISDIR);
	OK(unlinkat(d, "sub", AT_REMOVEDIR));
	ERR(fstatat(d, "sub", &st, 0), ENOENT);
	return 0;
}
