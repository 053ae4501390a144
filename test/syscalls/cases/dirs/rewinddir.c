/* rewinddir (lseek to 0) re-reads the directory from the start. */
#include "../check.h"
#include <dirent.h>
int main(void) {
	DIR *d = OKP(opendir("/etc"));
	int a = 0, b = 0;
	while (readdir(d)) a++;
	rewinddir(d);
	while (readdir(d)) b++;
	CHECK(a > 2);
	CHECK_EQ(b, a);
	return 0;
}
