/* opening a FIFO for reading blocks until a writer opens it (child writer). */
#include "../check.h"
int main(void) {
	const char *p = scratch_file("fifo");
	OK(mkfifo(p, 0600));
	pid_t pid = OK(fork());
	if (pid == 0) {
		int w = OK(open(p, O_WRONLY));
		CHECK_EQ(write(w, "hi", 2), 2);
		_exit(0);
	}
	int r = OK(open(p, O_RDONLY));
	char b[3] = {0};
	CHECK_EQ(full_read(r, b, 2), 2);
	CHECK_STR(b, "hi");
	WAIT_EXIT(pid, 0);
	return 0;
}
