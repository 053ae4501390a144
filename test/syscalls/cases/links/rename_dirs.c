/* rename of directories: over an empty dir works, over a non-empty one is ENOTEMPTY, into itself EINVAL. */
#include "../check.h"
int main(void) {
	const char *a = scratch_file("a"), *b = scratch_file("b"), *c = scratch_file("c");
	OK(mkdir(a, 0755));
	OK(mkdir(b, 0755));
	OK(mkdir(c, 0755));
	write_file(scratch_file("c/f"), "x");
	OK(rename(a, b));
	ERR(rename(b, c), ENOTEMPTY);
	ERR(rename(c, scratch_file("c/sub")), EINVAL);
	write_file(scratch_file("file"), "x");
	ERR(rename(scratch_file("file"), c), EISDIR);
	ERR(rename(c, scratch_file("file")), ENOTDIR);
	return 0;
}
