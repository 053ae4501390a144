/* getresuid/getresgid agree with getuid/geteuid/getgid/getegid. */
#include "../check.h"
int main(void) {
	uid_t r, e, s;
	gid_t gr, ge, gs;
	OK(getresuid(&r, &e, &s));
	OK(getresgid(&gr, &ge, &gs));
	CHECK_EQ(r, getuid());
	CHECK_EQ(e, geteuid());
	CHECK_EQ(gr, getgid());
	CHECK_EQ(ge, getegid());
	int n = OK(getgroups(0, NULL));
	gid_t g[256];
	CHECK(n <= 256);
	CHECK_EQ(getgroups(n, g), n);
	return 0;
}
