/* a relative symlink resolves against the link's directory, not the cwd. */
#include "../check.h"
int main(void) {
	OK(mkdir(scratch_file("d"), 0755));
	write_file(scratch_file("d/t"), "hello");
	OK(symlink("t", scratch_file("d/l")));
	OK(symlink("d/l", scratch_file("l2")));
	OK(chdir("/"));
	int fd = OK(open(scratch_file("l2"), O_RDONLY));
	char buf[8] = {0};
	CHECK_EQ(read(fd, buf, sizeof buf), 5);
	CHECK_STR(buf, "hello");
	return 0;
}
