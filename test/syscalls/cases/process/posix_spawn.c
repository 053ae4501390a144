/* posix_spawn runs /bin/true and reports status 0. */
#include "../check.h"
#include <spawn.h>
extern char **environ;
int main(void) {
	pid_t pid;
	char *argv[] = {"true", NULL};
	CHECK_EQ(posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ), 0);
	WAIT_EXIT(pid, 0);
	char *argv2[] = {"false", NULL};
	CHECK_EQ(posix_spawn(&pid, "/bin/false", NULL, NULL, argv2, environ), 0);
	WAIT_EXIT(pid, 1);
	return 0;
}
