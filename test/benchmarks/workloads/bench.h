/* Shared helpers of the benchmark workloads: a monotonic clock and argument
 * parsing. Each workload measures only its own loop and prints one number,
 * the cost of one iteration in the unit the harness's table names. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline long long now_ns(void) {
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		perror("clock_gettime");
		exit(2);
	}
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline long arg_count(int argc, char **argv, int i) {
	if (argc <= i) {
		fprintf(stderr, "usage: %s COUNT ...\n", argv[0]);
		exit(2);
	}
	char *end;
	long n = strtol(argv[i], &end, 10);
	if (*end != '\0' || n <= 0) {
		fprintf(stderr, "%s: bad count %s\n", argv[0], argv[i]);
		exit(2);
	}
	return n;
}

static inline void die(const char *what) {
	fprintf(stderr, "%s: %s\n", what, strerror(errno));
	exit(1);
}
