/* bytes written to a pipe come out of the read end in order; EOF after close. */
#include "../check.h"
int main(void) {
	int p[2];
	OK(pipe(p));
	CHECK_EQ(write(p[1], "abc", 3), 3);
	CHECK_EQ(write(p[1], "de", 2), 2);
	char buf[8] = {0};
	CHECK_EQ(read(p[0], buf, sizeof buf), 5);
	CHECK_STR(buf, "abcde");
	OK(close(p[1]));
	CHECK_EQ(read(p[0], buf, sizeof buf), 0);
	return 0;
}
