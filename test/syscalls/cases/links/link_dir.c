/* hard links to directories are EPERM; across file systems EXDEV. */
#include "../check.h"
int main(void) {
	OK(mkdir(scratch_file("d"), 0755));
	ERR(link(scratch_file("d"), scratch_file("e")), EPERM);
	write_file(scratch_file("f"), "x");
	struct stat s, o;
	OK(stat(scratch_dir(), &s));
	const char *other = "/dev/shm";
	OK(stat(other, &o));
	if (o.st_dev == s.st_dev) {
		other = "/tmp";
		OK(stat(other, &o));
	}
	if (o.st_dev != s.st_dev) {
		char target[PATH_MAX];
		snprintf(target, sizeof target, "%s/stockade-compat-link-%d", other, getpid());
		ERR(link(scratch_file("f"), target), EXDEV);
	}
	return 0;
}
