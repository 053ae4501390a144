/* getpid COUNT: ns per raw getpid system call (no libc caching). */
#include "bench.h"
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
	long n = arg_count(argc, argv, 1);
	long long start = now_ns();
	for (long i = 0; i < n; i++)
		syscall(SYS_getpid);
	long long end = now_ns();
	printf("%.3f\n", (double)(end - start) / n);
	return 0;
}
