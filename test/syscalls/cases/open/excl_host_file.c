/* O_CREAT|O_EXCL on an existing host file is EEXIST (checked before write access). */
#include "../check.h"
int main(void) {
	ERR(open("/etc/passwd", O_CREAT | O_EXCL | O_RDONLY, 0600), EEXIST);
	return 0;
}
