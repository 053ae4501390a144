/* wait4 returns the child's resource usage (some CPU time after a busy loop). */
#include "../check.h"
#include <sys/resource.h>
#include <time.h>
int main(void) {
	pid_t pid = OK(fork());
	if (pid == 0) {
		struct timespec t;
		do clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
		while (t.tv_nsec < 20000000 && t.tv_sec == 0);
		_exit(0);
	}
	struct rusage ru;
	int st;
	CHECK_EQ(wait4(pid, &st, 0, &ru), pid);
	CHECK(WIFEXITED(st));
	long us = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
	CHECK(us >= 10000);
	return 0;
}
