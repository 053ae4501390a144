/* AT_FDCWD and relative opens follow chdir. */
#include "../check.h"
int main(void) {
	OK(chdir("/usr"));
	int fd = OK(openat(AT_FDCWD, "bin", O_RDONLY | O_DIRECTORY));
	int f = OK(open("../etc/passwd", O_RDONLY));
	struct stat st;
	OK(fstat(fd, &st));
	CHECK(S_ISDIR(st.st_mode));
	OK(fstat(f, &st));
	CHECK(S_ISREG(st.st_mode));
	return 0;
}
