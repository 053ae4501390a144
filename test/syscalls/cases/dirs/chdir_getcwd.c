/* chdir changes getcwd and relative lookups; chdir to a file is ENOTDIR. */
#include "../check.h"
int main(void) {
	char buf[PATH_MAX];
	OK(chdir("/usr/bin"));
	CHECK_STR(getcwd(buf, sizeof buf), "/usr/bin");
	OK(chdir(".."));
	CHECK_STR(getcwd(buf, sizeof buf), "/usr");
	OK(access("bin", F_OK));
	ERR(chdir("/etc/passwd"), ENOTDIR);
	ERR(chdir("/nonexistent-stockade"), ENOENT);
	return 0;
}
