/* a new mapping appears in /proc/self/maps with its permissions. */
#include "../check.h"
#include <sys/mman.h>
int main(void) {
	char *p = OKP(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	char want[64];
	snprintf(want, sizeof want, "%lx-%lx r--p", (unsigned long)p, (unsigned long)p + 4096);
	FILE *f = OKP(fopen("/proc/self/maps", "r"));
	char line[512];
	int found = 0;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, want, strlen(want)))
			found = 1;
	CHECK(found);
	return 0;
}
