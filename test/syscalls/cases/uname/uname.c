/* uname: sysname Linux, machine x86_64, a release like N.N. */
#include "../check.h"
#include <sys/utsname.h>
int main(void) {
	struct utsname u;
	OK(uname(&u));
	CHECK_STR(u.sysname, "Linux");
	CHECK_STR(u.machine, "x86_64");
	int maj = 0, min = 0;
	CHECK_EQ(sscanf(u.release, "%d.%d", &maj, &min), 2);
	CHECK(maj >= 3);
	return 0;
}
