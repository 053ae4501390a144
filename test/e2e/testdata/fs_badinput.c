#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
/* Bad filesystem input gets Linux's errno. Prints one line per case. */
static void show(const char *what, long r) {
	printf("%s: %ld %s\n", what, r, r < 0 ? strerrorname_np(errno) : "");
}
int main(int argc, char **argv) {
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char base[256];
	snprintf(base, sizeof base, "%s/badinput.%d", dir, getpid());
	mkdir(base, 0755);
	if (chdir(base) < 0) return 1;
	char *longp = malloc(5000);
	memset(longp, 'a', 4999); longp[4999] = 0;
	show("open 4999-byte path", open(longp, O_RDONLY));
	char name[300]; memset(name, 'b', 299); name[299] = 0;
	show("open 299-byte name", open(name, O_CREAT | O_WRONLY, 0644));
	symlink("loop2", "loop1"); symlink("loop1", "loop2");
	show("open symlink loop", open("loop1", O_RDONLY));
	show("stat symlink loop", ({ struct stat st; stat("loop1/x", &st); }));
	char cwd[4096];
	chdir("/"); show("chdir ../../.. at root", chdir("../../..")); getcwd(cwd, sizeof cwd); printf("cwd %s\n", cwd);
	chdir(base);
	mkdir("d", 0755); mkdir("d/e", 0755);
	show("rename dir into itself", rename("d", "d/e/f"));
	show("rmdir .", rmdir("."));
	show("rmdir nonempty", rmdir("d"));
	show("unlink dir", unlink("d"));
	show("mkdir existing", mkdir("d", 0755));
	show("open dir for write", open("d", O_WRONLY));
	show("open file as dir", ({ int fd = open("f", O_CREAT | O_WRONLY, 0644); close(fd); open("f/", O_RDONLY); }));
	show("link dir", link("d", "d2"));
	show("O_EXCL existing", open("f", O_CREAT | O_EXCL | O_WRONLY, 0644));
	show("syscall bad path pointer", syscall(SYS_openat, AT_FDCWD, (char *)1, O_RDONLY));
	/* RLIMIT_FSIZE: SIGXFSZ ignored -> EFBIG. */
	signal(SIGXFSZ, SIG_IGN);
	fflush(stdout);
	struct rlimit rl = {10, RLIM_INFINITY};
	setrlimit(RLIMIT_FSIZE, &rl);
	int fd = open("big", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	long w1 = write(fd, "0123456789abcdef", 16);
	long w2 = write(fd, "x", 1);
	int e2 = errno;
	close(fd);
	rl.rlim_cur = RLIM_INFINITY;
	setrlimit(RLIMIT_FSIZE, &rl);
	show("write across FSIZE", w1);
	errno = e2;
	show("write at FSIZE", w2);
	/* cleanup */
	unlink("loop1"); unlink("loop2"); unlink("f"); unlink("big"); unlink(name);
	rmdir("d/e"); rmdir("d"); chdir("/"); rmdir(base);
	return 0;
}
