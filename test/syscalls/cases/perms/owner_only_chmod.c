/* only the owner (or root) may chmod: uid 65534 gets EPERM on root's file. */
#include "../check.h"
int main(void) {
	OK(chmod(scratch_dir(), 0755));
	const char *p = scratch_file("f");
	write_file(p, "x");
	if (geteuid() != 0) {
		OK(chmod(p, 0644));
		return 0;
	}
	pid_t pid = OK(fork());
	if (pid == 0) {
		OK(setresuid(65534, 65534, 65534));
		ERR(chmod(p, 0777), EPERM);
		ERR(chown(p, 65534, -1), EPERM);
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	return 0;
}
