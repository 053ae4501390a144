/* O_TRUNC empties an existing file. */
#include "../check.h"
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "0123456789");
	int fd = OK(open(p, O_WRONLY | O_TRUNC));
	struct stat st;
	OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 0);
	return 0;
}
