/* openread COUNT PATH: ns per open + read(4 KiB) + close of PATH. */
#include "bench.h"
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv) {
	long n = arg_count(argc, argv, 1);
	if (argc < 3) {
		fprintf(stderr, "usage: %s COUNT PATH\n", argv[0]);
		return 2;
	}
	static char buf[4096];
	long long start = now_ns();
	for (long i = 0; i < n; i++) {
		int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die(argv[2]);
		if (read(fd, buf, sizeof buf) < 0)
			die("read");
		close(fd);
	}
	long long end = now_ns();
	printf("%.3f\n", (double)(end - start) / n);
	return 0;
}
