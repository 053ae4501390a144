/* unlink of a directory is EISDIR; of a missing file ENOENT; unlinkat bad flag EINVAL. */
#include "../check.h"
int main(void) {
	OK(mkdir(scratch_file("d"), 0755));
	ERR(unlink(scratch_file("d")), EISDIR);
	ERR(unlink(scratch_file("missing")), ENOENT);
	ERR(unlinkat(AT_FDCWD, scratch_file("d"), 0x4000000), EINVAL);
	return 0;
}
