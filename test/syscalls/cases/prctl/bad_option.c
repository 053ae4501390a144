/* an unknown prctl option is EINVAL. */
#include "../check.h"
#include <sys/prctl.h>
int main(void) {
	ERR(prctl(0x7fff1234, 0, 0, 0, 0), EINVAL);
	return 0;
}
