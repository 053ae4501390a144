/* FIFO: O_WRONLY|O_NONBLOCK without a reader is ENXIO; O_RDONLY|O_NONBLOCK succeeds. */
#include "../check.h"
int main(void) {
	const char *p = scratch_file("fifo");
	OK(mkfifo(p, 0600));
	ERR(open(p, O_WRONLY | O_NONBLOCK), ENXIO);
	int r = OK(open(p, O_RDONLY | O_NONBLOCK));
	int w = OK(open(p, O_WRONLY | O_NONBLOCK));
	CHECK_EQ(write(w, "x", 1), 1);
	char c;
	CHECK_EQ(read(r, &c, 1), 1);
	CHECK_EQ(c, 'x');
	return 0;
}
