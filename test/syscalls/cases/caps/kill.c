/* kill permission: a process without CAP_KILL may signal only processes
 * whose real or saved uid is its real or effective uid (EPERM
 * otherwise; kill(-1) skips them silently); with CAP_KILL any. */
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
int main(void) {
	if (geteuid() != 0 || !has_eff(CAP_KILL) || !has_eff(CAP_SETUID))
		return 0; /* needs root with those capabilities */
	int p[2];
	OK(pipe(p));
	pid_t other = OK(fork());
	if (other == 0) {
		OK(setresuid(1000, 1000, 1000));
		OK(write(p[1], "x", 1));
		for (;;)
			pause();
	}
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	pid_t pid = OK(fork());
	if (pid == 0) {
		drop_eff(BIT(CAP_KILL));
		ERR(kill(other, 0), EPERM);
		ERR(kill(other, SIGTERM), EPERM);
		ERR(syscall(SYS_tgkill, other, other, SIGTERM), EPERM);
		/* Its own children (same uid) it may signal. */
		pid_t mine = OK(fork());
		if (mine == 0) {
			pause();
			_exit(0);
		}
		OK(kill(mine, SIGKILL));
		WAIT_SIGNAL(mine, SIGKILL);
		/* As uid 1000 (real and effective), it may. */
		OK(setresuid(1000, 1000, 0));
		OK(kill(other, 0));
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	OK(kill(other, SIGKILL));
	WAIT_SIGNAL(other, SIGKILL);
	return 0;
}
