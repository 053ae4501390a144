/* renameat2: RENAME_NOREPLACE is EEXIST on a target; RENAME_EXCHANGE swaps. */
#include "../check.h"
int main(void) {
	const char *a = scratch_file("a"), *b = scratch_file("b");
	write_file(a, "A");
	write_file(b, "BB");
	ERR(renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_NOREPLACE), EEXIST);
	OK(renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE));
	struct stat st;
	OK(stat(a, &st));
	CHECK_EQ(st.st_size, 2);
	OK(stat(b, &st));
	CHECK_EQ(st.st_size, 1);
	ERR(renameat2(AT_FDCWD, a, AT_FDCWD, scratch_file("none"), RENAME_EXCHANGE), ENOENT);
	return 0;
}
