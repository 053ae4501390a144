/* umask only keeps the permission bits, and /proc/self/status shows it. */
#include "../check.h"
int main(void) {
	umask(0);
	CHECK_EQ(umask(0123), 0);
	CHECK_EQ(umask(017777), 0123);
	CHECK_EQ(umask(022), 0777);
	FILE *f = OKP(fopen("/proc/self/status", "r"));
	char line[256];
	int found = 0;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, "Umask:", 6)) {
			CHECK_STR(line, "Umask:\t0022\n");
			found = 1;
		}
	CHECK(found);
	return 0;
}
