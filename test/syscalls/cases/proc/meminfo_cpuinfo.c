/* /proc/meminfo has MemTotal > 0 and /proc/cpuinfo a processor line. */
#include "../check.h"
int main(void) {
	FILE *f = OKP(fopen("/proc/meminfo", "r"));
	char line[256];
	long total = 0;
	while (fgets(line, sizeof line, f))
		sscanf(line, "MemTotal: %ld kB", &total);
	CHECK(total > 0);
	FILE *c = OKP(fopen("/proc/cpuinfo", "r"));
	int procs = 0;
	while (fgets(line, sizeof line, c))
		if (!strncmp(line, "processor", 9))
			procs++;
	CHECK(procs >= 1);
	return 0;
}
