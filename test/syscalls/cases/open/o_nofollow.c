/* O_NOFOLLOW on a symlink is ELOOP; with O_PATH it opens the link itself. */
#include "../check.h"
int main(void) {
	const char *t = scratch_file("target"), *l = scratch_file("link");
	write_file(t, "x");
	OK(symlink(t, l));
	ERR(open(l, O_RDONLY | O_NOFOLLOW), ELOOP);
	int fd = OK(open(l, O_PATH | O_NOFOLLOW));
	struct stat st;
	OK(fstat(fd, &st));
	CHECK(S_ISLNK(st.st_mode));
	return 0;
}
