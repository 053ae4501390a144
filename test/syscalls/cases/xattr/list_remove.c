/* listxattr names the attributes set; removexattr removes one. */
#include "../check.h"
#include <sys/xattr.h>
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "x");
	OK(setxattr(p, "user.a", "1", 1, 0));
	OK(setxattr(p, "user.bb", "2", 1, 0));
	char list[256];
	ssize_t n = OK(listxattr(p, list, sizeof list));
	int a = 0, b = 0;
	for (char *s = list; s < list + n; s += strlen(s) + 1) {
		if (!strcmp(s, "user.a")) a++;
		if (!strcmp(s, "user.bb")) b++;
	}
	CHECK_EQ(a, 1);
	CHECK_EQ(b, 1);
	OK(removexattr(p, "user.a"));
	ERR(removexattr(p, "user.a"), ENODATA);
	n = OK(listxattr(p, list, sizeof list));
	CHECK(memmem(list, n, "user.a\0", 7) == NULL);
	return 0;
}
