/* threads share the pid but have distinct tids. */
#include "../check.h"
#include <pthread.h>
static pid_t tid, pid;
static void *fn(void *a) { (void)a; tid = gettid(); pid = getpid(); return NULL; }
int main(void) {
	pthread_t t;
	CHECK_EQ(pthread_create(&t, NULL, fn, NULL), 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK_EQ(pid, getpid());
	CHECK(tid != gettid());
	CHECK(tid > 0);
	return 0;
}
