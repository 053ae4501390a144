/* /proc/self/cwd follows chdir; /proc/self/root is "/". */
#include "../check.h"
int main(void) {
	OK(chdir("/usr/bin"));
	char l[PATH_MAX];
	ssize_t n = OK(readlink("/proc/self/cwd", l, sizeof l - 1));
	l[n] = 0;
	CHECK_STR(l, "/usr/bin");
	n = OK(readlink("/proc/self/root", l, sizeof l - 1));
	l[n] = 0;
	CHECK_STR(l, "/");
	return 0;
}
