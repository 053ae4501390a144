/* after the cwd is removed, getcwd fails with ENOENT and "." lookups too. */
#include "../check.h"
int main(void) {
	const char *d = scratch_file("gone");
	OK(mkdir(d, 0755));
	OK(chdir(d));
	OK(rmdir(d));
	char buf[PATH_MAX];
	errno = 0;
	CHECK(getcwd(buf, sizeof buf) == NULL);
	CHECK_EQ(errno, ENOENT);
	ERR(open("newfile", O_CREAT | O_WRONLY, 0644), ENOENT);
	OK(chdir("/"));
	return 0;
}
