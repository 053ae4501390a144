/* access: existing files F_OK, /bin/sh executable, missing ENOENT, bad mode EINVAL. */
#include "../check.h"
int main(void) {
	OK(access("/etc/passwd", F_OK | R_OK));
	OK(access("/bin/sh", X_OK));
	ERR(access("/nonexistent-stockade", F_OK), ENOENT);
	ERR(access("/etc/passwd", 0100), EINVAL);
	ERR(access("/etc/passwd", X_OK), EACCES); /* no x bit for anyone, even root */
	OK(faccessat(AT_FDCWD, "/etc/passwd", R_OK, AT_EACCESS));
	return 0;
}
