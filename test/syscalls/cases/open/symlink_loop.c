/* a symlink loop is ELOOP. */
#include "../check.h"
int main(void) {
	const char *a = scratch_file("a"), *b = scratch_file("b");
	OK(symlink(b, a));
	OK(symlink(a, b));
	ERR(open(a, O_RDONLY), ELOOP);
	struct stat st;
	ERR(stat(a, &st), ELOOP);
	OK(lstat(a, &st));
	return 0;
}
