/* sendfile copies from a file to a file, honouring the offset argument. */
#include "../check.h"
#include <sys/sendfile.h>
int main(void) {
	int in = OK(open("/etc/passwd", O_RDONLY));
	int out = OK(open(scratch_file("out"), O_RDWR | O_CREAT, 0644));
	off_t off = 5;
	CHECK_EQ(sendfile(out, in, &off, 10), 10);
	CHECK_EQ(off, 15);
	CHECK_EQ(lseek(in, 0, SEEK_CUR), 0);
	char a[10], b[10];
	CHECK_EQ(pread(in, a, 10, 5), 10);
	CHECK_EQ(pread(out, b, 10, 0), 10);
	CHECK_MEM(b, a, 10);
	return 0;
}
