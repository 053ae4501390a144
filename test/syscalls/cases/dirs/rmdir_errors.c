/* rmdir errors: ENOTEMPTY, ENOTDIR, EINVAL for ".". */
#include "../check.h"
int main(void) {
	const char *d = scratch_file("d");
	OK(mkdir(d, 0755));
	write_file(scratch_file("d/f"), "x");
	ERR(rmdir(d), ENOTEMPTY);
	ERR(rmdir(scratch_file("d/f")), ENOTDIR);
	ERR(rmdir(scratch_file("d/.")), EINVAL);
	return 0;
}
