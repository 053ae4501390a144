/* Capabilities across user id changes (capabilities(7), "Effect of user
 * ID changes on capabilities"): all uids leaving 0 clears permitted and
 * effective (unless PR_SET_KEEPCAPS, which keeps permitted); the
 * effective uid leaving 0 clears effective and returning restores it; the
 * fsuid leaving 0 drops only the filesystem capabilities. */
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
#include <sys/fsuid.h>
int main(void) {
	if (geteuid() != 0 || !has_eff(CAP_SETUID) || !has_eff(CAP_CHOWN) || !has_eff(CAP_KILL))
		return 0; /* needs root with those capabilities */
	u64 eff0, perm0;
	caps(0, &eff0, &perm0, NULL);
	u64 e, p;
	pid_t pid = OK(fork());
	if (pid == 0) {
		OK(setresuid(1000, 1000, 1000));
		caps(0, &e, &p, NULL);
		CHECK_EQ(e, 0);
		CHECK_EQ(p, 0);
		ERR(setuid(0), EPERM);
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	pid = OK(fork());
	if (pid == 0) {
		CHECK_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0);
		OK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
		CHECK_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 1);
		OK(setresuid(1000, 1000, 1000));
		caps(0, &e, &p, NULL);
		CHECK_EQ(e, 0);
		CHECK_EQ(p, perm0);
		/* The kept permitted set can be made effective again. */
		OK(setcaps(BIT(CAP_KILL), p, 0));
		CHECK(has_eff(CAP_KILL));
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	pid = OK(fork());
	if (pid == 0) {
		OK(seteuid(1000));
		caps(0, &e, &p, NULL);
		CHECK_EQ(e, 0);
		CHECK_EQ(p, perm0);
		OK(seteuid(0));
		caps(0, &e, &p, NULL);
		CHECK_EQ(e, perm0);
		/* fsuid: only the filesystem capabilities follow it. */
		setfsuid(1000);
		caps(0, &e, NULL, NULL);
		CHECK_EQ(e & BIT(CAP_CHOWN), 0);
		CHECK_EQ(e & BIT(CAP_DAC_OVERRIDE), 0);
		CHECK_EQ(e & BIT(CAP_KILL), BIT(CAP_KILL));
		CHECK_EQ(setfsuid(0), 1000);
		caps(0, &e, NULL, NULL);
		CHECK_EQ(e, perm0);
		/* Without CAP_SETUID even root cannot change uids. */
		drop_eff(BIT(CAP_SETUID));
		ERR(setuid(1000), EPERM);
		ERR(setresuid(-1, 1000, -1), EPERM);
		CHECK_EQ(setfsuid(1000), 0);
		CHECK_EQ(setfsuid(-1), 0);
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	return 0;
}
