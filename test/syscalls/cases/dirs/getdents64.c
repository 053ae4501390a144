/* getdents64 lists exactly ".", "..", and the three entries made, with types. */
#include "../check.h"
#include <dirent.h>
#include <sys/syscall.h>
struct d64 { uint64_t ino; int64_t off; unsigned short reclen; unsigned char type; char name[]; };
int main(void) {
	write_file(scratch_file("a"), "");
	write_file(scratch_file("b"), "");
	OK(mkdir(scratch_file("c"), 0755));
	int fd = OK(open(scratch_dir(), O_RDONLY | O_DIRECTORY));
	char buf[4096];
	int seen = 0, n;
	while ((n = OK(syscall(SYS_getdents64, fd, buf, sizeof buf))) > 0) {
		for (int off = 0; off < n;) {
			struct d64 *d = (void *)(buf + off);
			if (!strcmp(d->name, ".")) { seen |= 1; CHECK_EQ(d->type, DT_DIR); }
			else if (!strcmp(d->name, "..")) { seen |= 2; CHECK_EQ(d->type, DT_DIR); }
			else if (!strcmp(d->name, "a")) { seen |= 4; CHECK_EQ(d->type, DT_REG); }
			else if (!strcmp(d->name, "b")) { seen |= 8; CHECK_EQ(d->type, DT_REG); }
			else if (!strcmp(d->name, "c")) { seen |= 16; CHECK_EQ(d->type, DT_DIR); }
			else fail("unexpected entry: got \"%s\" want one of . .. a b c", d->name);
			off += d->reclen;
		}
	}
	CHECK_EQ(seen, 31);
	return 0;
}
