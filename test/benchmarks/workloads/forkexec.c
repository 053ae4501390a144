/* forkexec COUNT PROG: microseconds per fork + execve(PROG) + waitpid. */
#include "bench.h"
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
	long n = arg_count(argc, argv, 1);
	if (argc < 3) {
		fprintf(stderr, "usage: %s COUNT PROG\n", argv[0]);
		return 2;
	}
	char *const args[] = {argv[2], NULL};
	char *const envp[] = {NULL};
	long long start = now_ns();
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			execve(argv[2], args, envp);
			_exit(127);
		}
		int status;
		if (waitpid(pid, &status, 0) != pid)
			die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "child: status %#x\n", status);
			return 1;
		}
	}
	long long end = now_ns();
	printf("%.3f\n", (double)(end - start) / n / 1000.0);
	return 0;
}
