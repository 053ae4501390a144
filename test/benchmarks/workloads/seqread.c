/* seqread BUFKIB PATH: milliseconds to read PATH from start to end with
 * read(2) into a BUFKIB KiB buffer. Fails unless it read the whole file. */
#include "bench.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
	long kib = arg_count(argc, argv, 1);
	if (argc < 3) {
		fprintf(stderr, "usage: %s BUFKIB PATH\n", argv[0]);
		return 2;
	}
	size_t size = (size_t)kib * 1024;
	char *buf = malloc(size);
	if (buf == NULL)
		die("malloc");
	int fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(argv[2]);
	struct stat st;
	if (fstat(fd, &st) != 0)
		die("fstat");
	long long total = 0;
	long long start = now_ns();
	for (;;) {
		ssize_t got = read(fd, buf, size);
		if (got < 0)
			die("read");
		if (got == 0)
			break;
		total += got;
	}
	long long end = now_ns();
	if (total != (long long)st.st_size) {
		fprintf(stderr, "read %lld bytes, file has %lld\n", total, (long long)st.st_size);
		return 1;
	}
	printf("%.3f\n", (double)(end - start) / 1e6);
	return 0;
}
