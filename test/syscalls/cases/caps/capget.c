/* capget: the version handshake (an unknown version is answered with
 * version 3 and EINVAL, or 0 with a NULL data pointer), version 1 returns
 * the low 32 bits only, the sets match /proc/self/status, another
 * process can be read, bad pids fail; euid 0 without file capabilities
 * has permitted == bounding set and effective == permitted. */
#include "../check.h"
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
typedef unsigned long long u64;
#define BIT(c) (1ULL << (c))
/* caps reads the capability sets of pid (0: self) with capget version 3. */
__attribute__((unused)) static void caps(pid_t pid, u64 *eff, u64 *perm, u64 *inh) {
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, pid};
	struct __user_cap_data_struct d[2];
	OK(syscall(SYS_capget, &h, d));
	if (eff) *eff = d[0].effective | (u64)d[1].effective << 32;
	if (perm) *perm = d[0].permitted | (u64)d[1].permitted << 32;
	if (inh) *inh = d[0].inheritable | (u64)d[1].inheritable << 32;
}
/* setcaps is capset version 3 on the caller. */
__attribute__((unused)) static long setcaps(u64 eff, u64 perm, u64 inh) {
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {{(unsigned)eff, (unsigned)perm, (unsigned)inh},
		{(unsigned)(eff >> 32), (unsigned)(perm >> 32), (unsigned)(inh >> 32)}};
	return syscall(SYS_capset, &h, d);
}
/* has_eff reports whether cap c is in the effective set. */
__attribute__((unused)) static int has_eff(int c) { u64 e; caps(0, &e, NULL, NULL); return (e & BIT(c)) != 0; }
/* drop_eff removes caps from the effective set only. */
__attribute__((unused)) static void drop_eff(u64 drop) { u64 e, p, i; caps(0, &e, &p, &i); OK(setcaps(e & ~drop, p, i)); }
/* raise_eff adds permitted caps back to the effective set. */
__attribute__((unused)) static void raise_eff(u64 add) { u64 e, p, i; caps(0, &e, &p, &i); OK(setcaps(e | add, p, i)); }
#include <sys/mman.h>
/* status_caps reads a Cap* line of /proc/self/status. */
static u64 status_caps(const char *name) {
	FILE *f = fopen("/proc/self/status", "r");
	CHECK(f != NULL);
	char line[256];
	u64 v = ~0ULL;
	size_t n = strlen(name);
	while (fgets(line, sizeof line, f))
		if (strncmp(line, name, n) == 0 && line[n] == ':')
			v = strtoull(line + n + 1, NULL, 16);
	fclose(f);
	return v;
}
int main(void) {
	struct __user_cap_header_struct h = {0x12345678, 0};
	struct __user_cap_data_struct d[2];
	CHECK_EQ(syscall(SYS_capget, &h, NULL), 0);
	CHECK_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
	h.version = 0x12345678;
	ERR(syscall(SYS_capget, &h, d), EINVAL);
	CHECK_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
	h.version = _LINUX_CAPABILITY_VERSION_3;
	ERR(syscall(SYS_capget, &h, (void *)8), EFAULT);
	h.pid = -1;
	ERR(syscall(SYS_capget, &h, d), EINVAL);
	h.pid = 0x3ffffff0;
	ERR(syscall(SYS_capget, &h, d), ESRCH);

	u64 eff, perm, inh;
	caps(0, &eff, &perm, &inh);
	CHECK_EQ(eff, status_caps("CapEff"));
	CHECK_EQ(perm, status_caps("CapPrm"));
	CHECK_EQ(inh, status_caps("CapInh"));
	CHECK_EQ(eff & ~perm, 0);

	struct __user_cap_header_struct h1 = {_LINUX_CAPABILITY_VERSION_1, 0};
	struct __user_cap_data_struct d1[2];
	memset(d1, 0xff, sizeof d1);
	OK(syscall(SYS_capget, &h1, d1));
	CHECK_EQ(d1[0].effective, (unsigned)eff);
	CHECK_EQ(d1[0].permitted, (unsigned)perm);
	CHECK_EQ(d1[1].effective, 0xffffffffu); /* untouched */

	/* Another process's sets, by pid. */
	u64 *shared = OKP(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	int p[2];
	OK(pipe(p));
	pid_t pid = OK(fork());
	if (pid == 0) {
		close(p[0]);
		if (geteuid() == 0)
			drop_eff(BIT(CAP_KILL));
		caps(0, &shared[0], NULL, NULL);
		OK(write(p[1], "x", 1));
		pause();
		_exit(0);
	}
	close(p[1]);
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	u64 ceff;
	caps(pid, &ceff, NULL, NULL);
	CHECK_EQ(ceff, shared[0]);
	if (geteuid() == 0)
		CHECK_EQ(ceff & BIT(CAP_KILL), 0);
	kill(pid, SIGKILL);
	WAIT_SIGNAL(pid, SIGKILL);

	if (geteuid() == 0) {
		u64 bnd = 0;
		for (int i = 0; i < 64; i++)
			if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) == 1)
				bnd |= BIT(i);
		CHECK_EQ(perm, bnd);
		CHECK_EQ(eff, perm);
		CHECK_EQ(status_caps("CapBnd"), bnd);
	} else {
		CHECK_EQ(perm, 0);
		CHECK_EQ(eff, 0);
	}
	CHECK_EQ(status_caps("CapAmb"), 0);
	return 0;
}
