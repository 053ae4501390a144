/* opening a missing path is ENOENT; a missing directory component too. */
#include "../check.h"
int main(void) {
	ERR(open("/nonexistent-stockade", O_RDONLY), ENOENT);
	ERR(open("/nonexistent-stockade/x", O_RDONLY), ENOENT);
	ERR(open("", O_RDONLY), ENOENT);
	return 0;
}
