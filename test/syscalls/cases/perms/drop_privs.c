/* a child drops to uid/gid 65534 (root) or keeps its ids (non-root); then it
 * cannot setuid(0) and getuid reports the new id. */
#include "../check.h"
int main(void) {
	pid_t pid = OK(fork());
	if (pid == 0) {
		uid_t want = getuid();
		if (geteuid() == 0) {
			OK(setgroups(0, NULL));
			OK(setresgid(65534, 65534, 65534));
			OK(setresuid(65534, 65534, 65534));
			want = 65534;
		}
		CHECK_EQ(getuid(), want);
		CHECK_EQ(geteuid(), want);
		if (want != 0)
			ERR(setuid(0), EPERM);
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	return 0;
}
