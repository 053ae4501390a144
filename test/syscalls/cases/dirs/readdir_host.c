/* readdir of / finds etc, usr and proc; every name appears once. */
#include "../check.h"
#include <dirent.h>
int main(void) {
	DIR *d = OKP(opendir("/"));
	struct dirent *e;
	int etc = 0, usr = 0, proc = 0, dots = 0;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, "etc")) etc++;
		if (!strcmp(e->d_name, "usr")) usr++;
		if (!strcmp(e->d_name, "proc")) proc++;
		if (!strcmp(e->d_name, ".")) dots++;
	}
	CHECK_EQ(etc, 1);
	CHECK_EQ(usr, 1);
	CHECK_EQ(proc, 1);
	CHECK_EQ(dots, 1);
	return 0;
}
