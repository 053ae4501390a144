/* posix_openpt/grantpt/unlockpt give a /dev/pts/N slave that opens as a tty. */
#include "../check.h"
int main(void) {
	int m = OK(posix_openpt(O_RDWR | O_NOCTTY));
	OK(grantpt(m));
	OK(unlockpt(m));
	char *name = OKP(ptsname(m));
	CHECK(!strncmp(name, "/dev/pts/", 9));
	int s = OK(open(name, O_RDWR | O_NOCTTY));
	CHECK(isatty(s));
	CHECK(isatty(m));
	struct stat st;
	OK(fstat(s, &st));
	CHECK(S_ISCHR(st.st_mode));
	return 0;
}
