/* a path component longer than NAME_MAX is ENAMETOOLONG. */
#include "../check.h"
int main(void) {
	char p[400] = "/tmp/";
	memset(p + 5, 'a', 300);
	ERR(open(p, O_RDONLY), ENAMETOOLONG);
	char *q = malloc(PATH_MAX + 10);
	memset(q, '/', PATH_MAX + 9);
	q[PATH_MAX + 9] = 0;
	ERR(open(q, O_RDONLY), ENAMETOOLONG);
	return 0;
}
