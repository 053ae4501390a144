/* touching a file mapping beyond EOF (past the last page) raises SIGBUS. */
#include "../check.h"
#include <setjmp.h>
#include <sys/mman.h>
static sigjmp_buf jb;
static void h(int s) { (void)s; siglongjmp(jb, 1); }
int main(void) {
	const char *p = scratch_file("f");
	write_file(p, "tiny");
	int fd = OK(open(p, O_RDONLY));
	char *m = OKP(mmap(NULL, 2 * 4096, PROT_READ, MAP_SHARED, fd, 0));
	CHECK_EQ(m[0], 't');
	CHECK_EQ(m[100], 0); /* rest of the last page reads as zeros */
	signal(SIGBUS, h);
	if (sigsetjmp(jb, 1) == 0) {
		(void)*(volatile char *)(m + 4096);
		fail("read past EOF page: got no signal want SIGBUS");
	}
	return 0;
}
