/* getxattr/listxattr into a too-small buffer is ERANGE. */
#include "../check.h"
#include <sys/xattr.h>
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "x");
	OK(setxattr(p, "user.long", "0123456789", 10, 0));
	char buf[4];
	ERR(getxattr(p, "user.long", buf, sizeof buf), ERANGE);
	ERR(listxattr(p, buf, 2), ERANGE);
	return 0;
}
