/* getrlimit: soft <= hard for common resources; bad resource EINVAL. */
#include "../check.h"
#include <sys/resource.h>
int main(void) {
	int rs[] = {RLIMIT_NOFILE, RLIMIT_STACK, RLIMIT_AS, RLIMIT_CORE, RLIMIT_NPROC, RLIMIT_FSIZE};
	for (int i = 0; i < 6; i++) {
		struct rlimit rl;
		OK(getrlimit(rs[i], &rl));
		CHECK(rl.rlim_cur <= rl.rlim_max);
	}
	struct rlimit rl;
	ERR(getrlimit(999, &rl), EINVAL);
	return 0;
}
