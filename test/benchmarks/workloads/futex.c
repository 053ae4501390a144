/* futex COUNT: ns per round trip of two threads handing a token back and
 * forth through FUTEX_WAIT / FUTEX_WAKE. */
#include "bench.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

static int word; /* 1: the peer's turn, 0: main's turn */
static long rounds;

static void futex_wait(int *addr, int val) {
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(int *addr) {
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *peer(void *arg) {
	(void)arg;
	for (long i = 0; i < rounds; i++) {
		while (__atomic_load_n(&word, __ATOMIC_ACQUIRE) != 1)
			futex_wait(&word, 0);
		__atomic_store_n(&word, 0, __ATOMIC_RELEASE);
		futex_wake(&word);
	}
	return NULL;
}

int main(int argc, char **argv) {
	rounds = arg_count(argc, argv, 1);
	pthread_t t;
	if ((errno = pthread_create(&t, NULL, peer, NULL)) != 0)
		die("pthread_create");
	long long start = now_ns();
	for (long i = 0; i < rounds; i++) {
		__atomic_store_n(&word, 1, __ATOMIC_RELEASE);
		futex_wake(&word);
		while (__atomic_load_n(&word, __ATOMIC_ACQUIRE) != 0)
			futex_wait(&word, 1);
	}
	long long end = now_ns();
	pthread_join(t, NULL);
	printf("%.3f\n", (double)(end - start) / rounds);
	return 0;
}
