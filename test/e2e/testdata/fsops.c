// fsops: file system operations in directory argv[1] (which must exist and
// be empty), printing what a differential test compares: results, errnos
// and the stable stat fields (type, mode, size, nlink). It removes what it
// made at the end.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define CHECK(what, expr) do { errno = 0; long r_ = (long)(expr); \
	printf("%-28s = %ld%s%s\n", what, r_, r_ < 0 ? " " : "", r_ < 0 ? strerrorname_np(errno) : ""); } while (0)

static void st(const char *p, int follow) {
	struct stat s;
	int r = follow ? stat(p, &s) : lstat(p, &s);
	if (r < 0) { printf("stat %-22s: %s\n", p, strerrorname_np(errno)); return; }
	const char *t = S_ISREG(s.st_mode) ? "reg" : S_ISDIR(s.st_mode) ? "dir" : S_ISLNK(s.st_mode) ? "lnk" :
		S_ISFIFO(s.st_mode) ? "fifo" : S_ISSOCK(s.st_mode) ? "sock" : "other";
	if (S_ISDIR(s.st_mode))
		printf("stat %-22s: %s %04o nlink %lu\n", p, t, s.st_mode & 07777, (unsigned long)s.st_nlink);
	else
		printf("stat %-22s: %s %04o size %ld nlink %lu\n", p, t, s.st_mode & 07777, (long)s.st_size, (unsigned long)s.st_nlink);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char **)a, *(char **)b); }

static void ls(const char *p) {
	DIR *d = opendir(p);
	if (!d) { printf("ls %s: %s\n", p, strerrorname_np(errno)); return; }
	char *names[512]; int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 512) names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof names[0], cmp);
	printf("ls %s (%d):", p, n);
	for (int i = 0; i < n; i++) { printf(" %s", names[i]); free(names[i]); }
	printf("\n");
}

static void cat(const char *p) {
	char buf[256] = {0};
	int fd = open(p, O_RDONLY);
	if (fd < 0) { printf("cat %s: %s\n", p, strerrorname_np(errno)); return; }
	int n = read(fd, buf, sizeof buf - 1);
	close(fd);
	for (int i = 0; i < n; i++) if (buf[i] == 0) buf[i] = '.';
	printf("cat %s: %d \"%s\"\n", p, n, buf);
}

int main(int argc, char **argv) {
	if (argc < 2 || chdir(argv[1]) < 0) { perror("chdir"); return 2; }
	umask(022);
	char buf[100];

	// create, write, read
	int fd = open("f", O_CREAT | O_EXCL | O_RDWR, 0644);
	CHECK("create f", fd);
	CHECK("create f again", open("f", O_CREAT | O_EXCL | O_RDWR, 0644));
	CHECK("write", write(fd, "hello world", 11));
	CHECK("pwrite", pwrite(fd, "W", 1, 6));
	CHECK("lseek end", lseek(fd, 0, SEEK_END));
	CHECK("pread", pread(fd, buf, sizeof buf, 0));
	printf("data: %.11s\n", buf);
	CHECK("SEEK_DATA 0", lseek(fd, 0, SEEK_DATA));
	CHECK("SEEK_HOLE 0", lseek(fd, 0, SEEK_HOLE));
	CHECK("SEEK_DATA past end", lseek(fd, 100, SEEK_DATA));
	close(fd);
	fd = open("f", O_WRONLY | O_APPEND);
	CHECK("append", write(fd, "!", 1));
	close(fd);
	cat("f");
	st("f", 1);

	// directories
	CHECK("mkdir d", mkdir("d", 0750));
	CHECK("mkdir d again", mkdir("d", 0750));
	CHECK("mkdir d/e", mkdir("d/e", 0755));
	st("d", 1);
	CHECK("rmdir d (not empty)", rmdir("d"));
	CHECK("rename d into d/e", rename("d", "d/e/x"));
	CHECK("unlink d", unlink("d"));
	CHECK("rmdir f", rmdir("f"));

	// rename
	CHECK("rename f g", rename("f", "g"));
	cat("f");
	cat("g");
	fd = open("h", O_CREAT | O_WRONLY, 0600);
	write(fd, "hh", 2);
	close(fd);
	CHECK("renameat2 NOREPLACE", renameat2(AT_FDCWD, "h", AT_FDCWD, "g", RENAME_NOREPLACE));
	CHECK("renameat2 EXCHANGE", renameat2(AT_FDCWD, "h", AT_FDCWD, "g", RENAME_EXCHANGE));
	cat("g");
	cat("h");
	CHECK("rename h over g", rename("h", "g"));
	cat("g");
	CHECK("rename g d/e/g", rename("g", "d/e/g"));
	CHECK("rename d/e/g g", rename("d/e/g", "g"));
	CHECK("rename file over dir", rename("g", "d"));

	// links
	CHECK("link g l", link("g", "l"));
	st("g", 1);
	CHECK("link g l again", link("g", "l"));
	CHECK("link dir", link("d", "dl"));
	CHECK("unlink l", unlink("l"));
	st("g", 1);
	CHECK("symlink", symlink("g", "s"));
	CHECK("symlink dangling", symlink("nowhere", "dangle"));
	CHECK("readlink", readlink("s", buf, sizeof buf));
	st("s", 0);
	st("s", 1);
	cat("s");
	cat("dangle");
	CHECK("open O_NOFOLLOW", open("s", O_RDONLY | O_NOFOLLOW));

	// chmod, truncate
	CHECK("chmod 0604", chmod("g", 0604));
	st("g", 1);
	fd = open("g", O_RDWR);
	CHECK("fchmod 04755", fchmod(fd, 04755));
	st("g", 1);
	CHECK("write clears suid", write(fd, "x", 1));
	CHECK("fchown noop", fchown(fd, -1, -1));
	CHECK("truncate 3", truncate("g", 3));
	cat("g");
	CHECK("ftruncate 10000", ftruncate(fd, 10000));
	st("g", 1);
	CHECK("pread zeros", pread(fd, buf, 4, 5000));
	printf("zeros: %d %d %d %d\n", buf[0], buf[1], buf[2], buf[3]);
	CHECK("fallocate 20000", fallocate(fd, 0, 0, 20000));
	CHECK("fallocate keep", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 40000));
	st("g", 1);
	CHECK("truncate dir", truncate("d", 0));
	close(fd);
	fd = open("g", O_RDONLY);
	CHECK("ftruncate rdonly", ftruncate(fd, 0));
	close(fd);

	// times
	struct timespec ts[2] = {{1000000000, 5}, {1200000000, 7}};
	CHECK("utimensat", utimensat(AT_FDCWD, "g", ts, 0));
	struct stat s;
	stat("g", &s);
	printf("times %ld.%ld %ld.%ld\n", s.st_atim.tv_sec, s.st_atim.tv_nsec, s.st_mtim.tv_sec, s.st_mtim.tv_nsec);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = 1300000000;
	CHECK("utimensat OMIT", utimensat(AT_FDCWD, "g", ts, 0));
	stat("g", &s);
	printf("times %ld.%ld %ld.%ld\n", s.st_atim.tv_sec, s.st_atim.tv_nsec, s.st_mtim.tv_sec, s.st_mtim.tv_nsec);
	CHECK("utimensat NOW", utimensat(AT_FDCWD, "g", NULL, 0));
	stat("g", &s);
	printf("mtime recent %d\n", s.st_mtim.tv_sec > 1600000000);

	// xattrs
	CHECK("setxattr", setxattr("g", "user.k", "v1", 2, 0));
	CHECK("setxattr CREATE", setxattr("g", "user.k", "v2", 2, XATTR_CREATE));
	CHECK("setxattr REPLACE", setxattr("g", "user.k", "v3", 2, XATTR_REPLACE));
	CHECK("setxattr REPLACE none", setxattr("g", "user.none", "v", 1, XATTR_REPLACE));
	CHECK("getxattr size", getxattr("g", "user.k", NULL, 0));
	CHECK("getxattr small", getxattr("g", "user.k", buf, 1));
	CHECK("getxattr", getxattr("g", "user.k", buf, sizeof buf));
	printf("xattr: %.2s\n", buf);
	CHECK("listxattr", listxattr("g", buf, sizeof buf));
	CHECK("removexattr", removexattr("g", "user.k"));
	CHECK("getxattr removed", getxattr("g", "user.k", buf, sizeof buf));
	CHECK("removexattr again", removexattr("g", "user.k"));

	// MAP_SHARED coherence
	fd = open("m", O_CREAT | O_RDWR, 0644);
	ftruncate(fd, 8192);
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) { perror("mmap"); return 1; }
	memcpy(p + 4096, "via-mmap", 8);
	CHECK("pread mmap data", pread(fd, buf, 8, 4096));
	printf("read sees: %.8s\n", buf);
	CHECK("pwrite", pwrite(fd, "via-write", 9, 100));
	printf("mapping sees: %.9s\n", p + 100);
	int fd2 = open("m", O_RDWR);
	char *q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
	q[0] = 'Q';
	printf("other mapping: %c\n", p[0]);
	pid_t pid = fork();
	if (pid == 0) { p[200] = 'C'; _exit(0); }
	waitpid(pid, NULL, 0);
	printf("child's write: %c\n", p[200]);
	char *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	priv[0] = 'P';
	printf("private write stays private: %c %c\n", p[0], priv[0]);
	CHECK("msync", msync(p, 8192, MS_SYNC));
	munmap(p, 8192);
	munmap(q, 4096);
	munmap(priv, 4096);
	close(fd2);
	close(fd);
	cat("m");

	// unlinked open file
	fd = open("u", O_CREAT | O_RDWR, 0644);
	write(fd, "still here", 10);
	CHECK("unlink u", unlink("u"));
	CHECK("pread unlinked", pread(fd, buf, 10, 0));
	fstat(fd, &s);
	printf("unlinked nlink %lu size %ld\n", (unsigned long)s.st_nlink, (long)s.st_size);
	close(fd);

	// FIFO with blocking opens on both sides
	CHECK("mkfifo", mkfifo("p", 0644));
	st("p", 1);
	CHECK("open fifo wronly nonblock", open("p", O_WRONLY | O_NONBLOCK));
	pid = fork();
	if (pid == 0) { int w = open("p", O_WRONLY); write(w, "fifo!", 5); close(w); _exit(0); }
	fd = open("p", O_RDONLY);
	memset(buf, 0, sizeof buf);
	int n = 0, r;
	while ((r = read(fd, buf + n, sizeof buf - n)) > 0) n += r;
	printf("fifo read %d %s\n", n, buf);
	close(fd);
	waitpid(pid, NULL, 0);
	CHECK("mknod sock", mknod("sk", S_IFSOCK | 0644, 0));
	st("sk", 1);
	CHECK("open sock", open("sk", O_RDONLY));

	// memfd
	fd = memfd_create("test", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	CHECK("memfd write", write(fd, "memfd", 5));
	CHECK("F_GET_SEALS", fcntl(fd, F_GET_SEALS));
	CHECK("F_ADD_SEALS", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK));
	CHECK("F_GET_SEALS", fcntl(fd, F_GET_SEALS));
	CHECK("memfd write sealed", write(fd, "x", 1));
	CHECK("memfd shrink sealed", ftruncate(fd, 1));
	CHECK("memfd grow", ftruncate(fd, 100));
	fstat(fd, &s);
	printf("memfd size %ld nlink %lu\n", (long)s.st_size, (unsigned long)s.st_nlink);
	close(fd);
	fd = memfd_create("noseal", 0);
	CHECK("F_ADD_SEALS unsealable", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	close(fd);

	// many entries
	mkdir("many", 0755);
	for (int i = 0; i < 60; i++) {
		char name[32];
		snprintf(name, sizeof name, "many/file%02d", i);
		close(open(name, O_CREAT | O_WRONLY, 0644));
	}
	for (int i = 0; i < 60; i += 3) {
		char name[32];
		snprintf(name, sizeof name, "many/file%02d", i);
		unlink(name);
	}
	ls("many");
	ls(".");

	// clean up
	for (int i = 0; i < 60; i++) {
		char name[32];
		snprintf(name, sizeof name, "many/file%02d", i);
		unlink(name);
	}
	const char *files[] = {"g", "s", "dangle", "m", "p", "sk", NULL};
	for (int i = 0; files[i]; i++) CHECK(files[i], unlink(files[i]));
	CHECK("rmdir many", rmdir("many"));
	CHECK("rmdir d/e", rmdir("d/e"));
	CHECK("rmdir d", rmdir("d"));
	ls(".");
	return 0;
}
