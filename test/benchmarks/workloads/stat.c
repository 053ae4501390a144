/* stat COUNT PATH: ns per stat(2) of PATH. */
#include "bench.h"
#include <sys/stat.h>

int main(int argc, char **argv) {
	long n = arg_count(argc, argv, 1);
	if (argc < 3) {
		fprintf(stderr, "usage: %s COUNT PATH\n", argv[0]);
		return 2;
	}
	struct stat st;
	long long start = now_ns();
	for (long i = 0; i < n; i++)
		if (stat(argv[2], &st) != 0)
			die(argv[2]);
	long long end = now_ns();
	printf("%.3f\n", (double)(end - start) / n);
	return 0;
}
