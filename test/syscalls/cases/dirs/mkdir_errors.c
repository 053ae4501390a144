/* mkdir errors: EEXIST for an existing name, ENOENT for a missing parent. */
#include "../check.h"
int main(void) {
	const char *d = scratch_file("d");
	OK(mkdir(d, 0755));
	ERR(mkdir(d, 0755), EEXIST);
	ERR(mkdir("/etc", 0755), EEXIST);
	ERR(mkdir(scratch_file("missing/child"), 0755), ENOENT);
	return 0;
}
