#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
/* A stopped child in its own process group is orphaned when its parent (in
   another group of the session) exits: it gets SIGHUP and SIGCONT. */
static void h(int s) { (void)s; }
int main(void) {
	int p[2]; pipe(p);
	pid_t mid = fork();
	if (mid == 0) {
		setpgid(0, 0);
		pid_t c = fork();
		if (c == 0) {
			signal(SIGHUP, h);
			raise(SIGSTOP);
			/* resumed by SIGCONT after SIGHUP */
			write(p[1], "hup\n", 4);
			_exit(0);
		}
		/* wait until the child is stopped, then exit: the group (mid's own,
		   shared with c) has no member whose parent is outside it. */
		int st; waitpid(c, &st, WUNTRACED);
		_exit(0);
	}
	int st; waitpid(mid, &st, 0);
	char buf[8] = {0};
	close(p[1]);
	read(p[0], buf, 4);
	printf("child says %s", buf);
	return 0;
}
