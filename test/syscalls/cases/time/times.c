/* times and getrusage report consistent, non-negative CPU usage after some work. */
#include "../check.h"
#include <sys/resource.h>
#include <sys/times.h>
#include <time.h>
int main(void) {
	struct timespec t;
	do clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	while (t.tv_sec == 0 && t.tv_nsec < 30000000);
	struct tms tm;
	clock_t c = times(&tm);
	CHECK(c != (clock_t)-1);
	CHECK(tm.tms_utime + tm.tms_stime >= 1);
	struct rusage ru;
	OK(getrusage(RUSAGE_SELF, &ru));
	CHECK(ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec >= 20000);
	CHECK(ru.ru_maxrss > 0);
	ERR(getrusage(99, &ru), EINVAL);
	return 0;
}
