/* rename over an existing file replaces it atomically; an open fd keeps the old one. */
#include "../check.h"
int main(void) {
	const char *a = scratch_file("a"), *b = scratch_file("b");
	write_file(a, "new");
	write_file(b, "old!");
	int fd = OK(open(b, O_RDONLY));
	OK(rename(a, b));
	char buf[8] = {0};
	CHECK_EQ(read(fd, buf, sizeof buf), 4);
	CHECK_STR(buf, "old!");
	struct stat st;
	OK(stat(b, &st));
	CHECK_EQ(st.st_size, 3);
	return 0;
}
