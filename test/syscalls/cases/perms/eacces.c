/* an unprivileged process cannot open a mode-0600 file owned by someone else,
 * nor create files in a 0555 directory (run as uid 65534 when root). */
#include "../check.h"
int main(void) {
	OK(chmod(scratch_dir(), 0755));
	const char *p = scratch_file("secret");
	write_file(p, "x");
	OK(chmod(p, 0600));
	OK(mkdir(scratch_file("ro"), 0555));
	pid_t pid = OK(fork());
	if (pid == 0) {
		if (geteuid() == 0) {
			OK(setresgid(65534, 65534, 65534));
			OK(setresuid(65534, 65534, 65534));
		}
		if (geteuid() != 0) {
			struct stat st;
			OK(stat(p, &st));
			if (st.st_uid != geteuid())
				ERR(open(p, O_RDONLY), EACCES);
			ERR(open(scratch_file("ro/new"), O_CREAT | O_WRONLY, 0644), EACCES);
			ERR(access(p, R_OK), EACCES);
		}
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	return 0;
}
