#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <errno.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
/* Forks sleeping children until fork fails; reports how it failed. */
int main(int argc, char **argv) {
	int limit = argc > 1 ? atoi(argv[1]) : 0;
	if (limit > 0) {
		struct rlimit rl = {limit, limit};
		setrlimit(RLIMIT_NPROC, &rl);
	}
	int n = 0, err = 0;
	for (;;) {
		pid_t p = fork();
		if (p < 0) { err = errno; break; }
		if (p == 0) { signal(SIGTERM, SIG_DFL); pause(); _exit(0); }
		if (++n >= (argc > 2 ? atoi(argv[2]) : 5000)) break;
	}
	signal(SIGTERM, SIG_IGN);
	kill(0, SIGTERM);
	while (wait(NULL) > 0) {}
	printf("forked %d, then %s\n", n, err ? strerrorname_np(err) : "stopped");
	return 0;
}
