/* chown to one's own uid/gid is allowed; -1 leaves a field alone. */
#include "../check.h"
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "x");
	OK(chown(p, geteuid(), getegid()));
	OK(chown(p, -1, -1));
	int fd = OK(open(p, O_RDONLY));
	OK(fchown(fd, -1, getegid()));
	struct stat st;
	OK(stat(p, &st));
	CHECK_EQ(st.st_uid, geteuid());
	CHECK_EQ(st.st_gid, getegid());
	return 0;
}
