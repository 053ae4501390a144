/* /proc/self/maps lists the executable, [stack] and [heap] after malloc. */
#include "../check.h"
int main(int argc, char **argv) {
	(void)argc;
	char *real = realpath(argv[0], NULL);
	void *m = malloc(100);
	(void)m;
	FILE *f = OKP(fopen("/proc/self/maps", "r"));
	char line[1024];
	int exe = 0, stack = 0, lines = 0;
	while (fgets(line, sizeof line, f)) {
		lines++;
		if (strstr(line, real)) exe++;
		if (strstr(line, "[stack]")) stack++;
	}
	CHECK(exe >= 2);
	CHECK_EQ(stack, 1);
	CHECK(lines >= 5);
	return 0;
}
