/* a program re-execs itself with new argv and envp, which the new image sees. */
#include "../check.h"
extern char **environ;
int main(int argc, char **argv) {
	if (argc == 3) {
		CHECK_STR(argv[1], "second");
		CHECK_STR(argv[2], "arg two");
		CHECK_STR(getenv("COMPAT_MARK"), "yes");
		CHECK(getenv("PATH") == NULL);
		return 0;
	}
	char *nargv[] = {argv[0], "second", "arg two", NULL};
	char *nenv[] = {"COMPAT_MARK=yes", NULL};
	execve("/proc/self/exe", nargv, nenv);
	fail("execve /proc/self/exe: got %s want no return", errname(errno));
}
