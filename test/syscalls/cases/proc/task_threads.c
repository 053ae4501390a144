/* /proc/self/task lists one entry per thread. */
#include "../check.h"
#include <dirent.h>
#include <pthread.h>
static int count(void) {
	DIR *d = OKP(opendir("/proc/self/task"));
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}
static void *idle(void *a) { int *fd = a; char c; read(*fd, &c, 1); return NULL; }
int main(void) {
	CHECK_EQ(count(), 1);
	int p[2];
	OK(pipe(p));
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, idle, &p[0]), 0);
	CHECK_EQ(count(), 2);
	CHECK_EQ(write(p[1], "x", 1), 1);
	pthread_join(t, NULL);
	return 0;
}
