/* a detached thread's exit clears and wakes its tid word (pthread_join depends on it); joined 50 times. */
#include "../check.h"
#include <pthread.h>
static void *fn(void *a) { return a; }
int main(void) {
	for (int i = 0; i < 50; i++) {
		pthread_t t;
		CHECK_EQ(pthread_create(&t, NULL, fn, (void *)(intptr_t)i), 0);
		void *r;
		CHECK_EQ(pthread_join(t, &r), 0);
		CHECK_EQ((intptr_t)r, i);
	}
	return 0;
}
