/* check.h: the shared helpers of Stockade's compatibility cases.
 *
 * Every case is one small C program that exercises one behaviour and checks
 * the result itself. On success it prints nothing and exits 0; on the first
 * failed check it prints exactly one line
 *
 *     FAIL: <what>: got X want Y
 *
 * to stderr and exits 1. Scratch files go under $TEST_TMPDIR (default /tmp),
 * in a directory made by scratch_dir() and removed at exit.
 */
#ifndef STOCKADE_CHECK_H
#define STOCKADE_CHECK_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* fail prints the one FAIL line and exits 1. */
__attribute__((noreturn, format(printf, 1, 2))) static inline void fail(const char *fmt, ...) {
	va_list ap;
	char buf[512];
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fprintf(stderr, "FAIL: %s\n", buf);
	fflush(stderr);
	exit(1);
}

static inline const char *errname(int e) {
	static char buf[64];
	const char *n = strerrorname_np(e);
	if (n != NULL)
		return n;
	snprintf(buf, sizeof buf, "errno %d", e);
	return buf;
}

/* CHECK(cond): cond must hold. */
#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond))                                                    \
			fail("%s (line %d): got false want true", #cond, __LINE__); \
	} while (0)

/* CHECK_EQ(got, want): two integers must be equal. */
#define CHECK_EQ(got, want)                                                    \
	do {                                                                   \
		long long _g = (long long)(got), _w = (long long)(want);       \
		if (_g != _w)                                                  \
			fail("%s (line %d): got %lld want %lld", #got, __LINE__, _g, _w); \
	} while (0)

/* CHECK_STR(got, want): two C strings must be equal. */
#define CHECK_STR(got, want)                                                   \
	do {                                                                   \
		const char *_g = (got), *_w = (want);                          \
		if (_g == NULL || strcmp(_g, _w) != 0)                         \
			fail("%s (line %d): got \"%s\" want \"%s\"", #got, __LINE__, \
			     _g ? _g : "(null)", _w);                          \
	} while (0)

/* CHECK_MEM(got, want, n): n bytes must be equal. */
#define CHECK_MEM(got, want, n)                                                \
	do {                                                                   \
		if (memcmp((got), (want), (n)) != 0)                           \
			fail("%s (line %d): bytes differ from %s", #got, __LINE__, #want); \
	} while (0)

/* OK(call): a system call that must not fail (-1); evaluates to its result. */
#define OK(call)                                                               \
	({                                                                     \
		long _r = (long)(call);                                        \
		if (_r == -1)                                                  \
			fail("%s (line %d): got -1 (%s) want success", #call, __LINE__, \
			     errname(errno));                                  \
		_r;                                                            \
	})

/* ERR(call, e): a system call that must fail with errno e. */
#define ERR(call, e)                                                           \
	do {                                                                   \
		errno = 0;                                                     \
		long _r = (long)(call);                                        \
		int _e = errno;                                                \
		if (_r != -1 || _e != (e))                                     \
			fail("%s (line %d): got %ld (%s) want -1 (%s)", #call, __LINE__, \
			     _r, _r == -1 ? errname(_e) : "no error", errname(e)); \
	} while (0)

/* OKP(call): a call returning a pointer that must not be NULL or MAP_FAILED. */
#define OKP(call)                                                              \
	({                                                                     \
		void *_p = (void *)(call);                                     \
		if (_p == NULL || _p == (void *)-1)                            \
			fail("%s (line %d): got %p (%s) want a pointer", #call, __LINE__, \
			     _p, errname(errno));                              \
		_p;                                                            \
	})

/* WAIT_EXIT(pid, code): pid must exit normally with code. */
#define WAIT_EXIT(pid, code)                                                   \
	do {                                                                   \
		int _st;                                                       \
		OK(waitpid((pid), &_st, 0));                                   \
		if (!WIFEXITED(_st))                                           \
			fail("child %d (line %d): got %s %d want exit %d", (int)(pid), __LINE__, \
			     WIFSIGNALED(_st) ? "killed by signal" : "status", \
			     WIFSIGNALED(_st) ? WTERMSIG(_st) : _st, (code));  \
		if (WEXITSTATUS(_st) != (code))                                \
			fail("child %d (line %d): got exit %d want exit %d", (int)(pid), __LINE__, \
			     WEXITSTATUS(_st), (code));                        \
	} while (0)

/* WAIT_SIGNAL(pid, sig): pid must be killed by sig. */
#define WAIT_SIGNAL(pid, sig)                                                  \
	do {                                                                   \
		int _st;                                                       \
		OK(waitpid((pid), &_st, 0));                                   \
		if (!WIFSIGNALED(_st) || WTERMSIG(_st) != (sig))               \
			fail("child (line %d): got status 0x%x want killed by signal %d", \
			     __LINE__, _st, (sig));                            \
	} while (0)

/* Scratch files. */
__attribute__((unused)) static char scratch_path[PATH_MAX];
__attribute__((unused)) static pid_t scratch_owner;

static inline int scratch_rm(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
	(void)sb; (void)flag; (void)ftw;
	chmod(p, 0700);
	remove(p);
	return 0;
}

static inline void scratch_cleanup(void) {
	/* Only the process that made the directory removes it, not its forks. */
	if (scratch_path[0] != '\0' && getpid() == scratch_owner)
		nftw(scratch_path, scratch_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* scratch_dir makes a fresh empty directory, removed at exit, and returns its path. */
static inline const char *scratch_dir(void) {
	if (scratch_path[0] != '\0')
		return scratch_path;
	const char *base = getenv("TEST_TMPDIR");
	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	snprintf(scratch_path, sizeof scratch_path, "%s/stockade-compat-XXXXXX", base);
	if (mkdtemp(scratch_path) == NULL) {
		int e = errno;
		scratch_path[0] = '\0';
		fail("mkdtemp in %s: got %s want success", base, errname(e));
	}
	scratch_owner = getpid();
	atexit(scratch_cleanup);
	return scratch_path;
}

/* scratch_file returns scratch_dir()/name (a static buffer per call slot). */
static inline const char *scratch_file(const char *name) {
	static char bufs[8][PATH_MAX];
	static int next;
	char *b = bufs[next++ % 8];
	snprintf(b, PATH_MAX, "%s/%s", scratch_dir(), name);
	return b;
}

/* write_file creates path with the given contents. */
static inline void write_file(const char *path, const char *data) {
	int fd = OK(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	size_t n = strlen(data);
	CHECK_EQ(write(fd, data, n), n);
	OK(close(fd));
}

/* full_read reads up to n bytes until EOF. */
static inline ssize_t full_read(int fd, void *buf, size_t n) {
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return r;
		if (r == 0)
			break;
		got += r;
	}
	return got;
}

#endif
