/* exit() in a secondary thread ends the whole process with that status. */
#include "../check.h"
#include <pthread.h>
static void *fn(void *a) { (void)a; _exit(17); }
int main(void) {
	pid_t pid = OK(fork());
	if (pid == 0) {
		pthread_t t;
		pthread_create(&t, NULL, fn, NULL);
		for (;;) pause();
	}
	WAIT_EXIT(pid, 17);
	return 0;
}
