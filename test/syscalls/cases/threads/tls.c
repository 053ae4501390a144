/* __thread variables are per thread. */
#include "../check.h"
#include <pthread.h>
static __thread int mine = 7;
static void *fn(void *a) { (void)a; mine = 100; return (void *)(intptr_t)mine; }
int main(void) {
	pthread_t t;
	mine = 1;
	CHECK_EQ(pthread_create(&t, NULL, fn, NULL), 0);
	void *r;
	pthread_join(t, &r);
	CHECK_EQ((intptr_t)r, 100);
	CHECK_EQ(mine, 1);
	return 0;
}
