/* a forked child shares open file descriptions: its reads move the parent's offset. */
#include "../check.h"
int main(void) {
	int fd = OK(open("/etc/passwd", O_RDONLY));
	pid_t pid = OK(fork());
	if (pid == 0) {
		char b[10];
		_exit(read(fd, b, 10) == 10 ? 0 : 1);
	}
	WAIT_EXIT(pid, 0);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10);
	return 0;
}
