/* capset: the effective set may shrink and grow within the permitted
 * set, the permitted set may only shrink, the inheritable set may only
 * take permitted (or bounding, with CAP_SETPCAP) capabilities, and only
 * the caller itself can be changed. */
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
	u64 eff, perm, inh;
	caps(0, &eff, &perm, &inh);
	struct __user_cap_header_struct h = {0x1, 0};
	struct __user_cap_data_struct d[2] = {{0}};
	ERR(syscall(SYS_capset, &h, d), EINVAL);
	CHECK_EQ(h.version, _LINUX_CAPABILITY_VERSION_3);
	pid_t other = OK(fork());
	if (other == 0) {
		pause();
		_exit(0);
	}
	h.pid = other;
	ERR(syscall(SYS_capset, &h, d), EPERM);
	kill(other, SIGKILL);
	WAIT_SIGNAL(other, SIGKILL);
	CHECK_EQ(setcaps(eff, perm, inh), 0);
	if (geteuid() != 0 || !(perm & BIT(CAP_CHOWN)) || !(perm & BIT(CAP_SETPCAP)))
		return 0; /* the rest needs root's capabilities */
	pid_t pid = OK(fork());
	if (pid == 0) {
		/* Effective: drop and raise again within permitted. */
		OK(setcaps(eff & ~BIT(CAP_CHOWN), perm, inh));
		CHECK(!has_eff(CAP_CHOWN));
		OK(setcaps(eff, perm, inh));
		CHECK(has_eff(CAP_CHOWN));
		/* Effective beyond permitted. */
		ERR(setcaps(eff, perm & ~BIT(CAP_CHOWN), inh), EPERM);
		/* Inheritable from permitted, with CAP_SETPCAP from bounding. */
		OK(setcaps(eff, perm, inh | BIT(CAP_CHOWN)));
		/* Permitted only shrinks. */
		OK(setcaps(eff & ~BIT(CAP_CHOWN), perm & ~BIT(CAP_CHOWN), inh | BIT(CAP_CHOWN)));
		ERR(setcaps(eff, perm, inh), EPERM);
		u64 e2, p2, i2;
		caps(0, &e2, &p2, &i2);
		CHECK_EQ(p2 & BIT(CAP_CHOWN), 0);
		CHECK_EQ(i2 & BIT(CAP_CHOWN), BIT(CAP_CHOWN));
		/* Without CAP_SETPCAP, inheritable may not take a cap that is
		 * neither permitted nor inheritable. */
		OK(setcaps(e2 & ~BIT(CAP_SETPCAP), p2, 0));
		ERR(setcaps(e2 & ~BIT(CAP_SETPCAP), p2, BIT(CAP_CHOWN)), EPERM);
		OK(setcaps(e2 & ~BIT(CAP_SETPCAP), p2, BIT(CAP_KILL)));
		/* Version 1 clears the upper 32 bits. */
		struct __user_cap_header_struct h1 = {_LINUX_CAPABILITY_VERSION_1, 0};
		caps(0, &e2, &p2, &i2);
		struct __user_cap_data_struct d1[1] = {{(unsigned)e2, (unsigned)p2, (unsigned)i2}};
		OK(syscall(SYS_capset, &h1, d1));
		caps(0, &e2, &p2, &i2);
		CHECK_EQ(p2 >> 32, 0);
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	return 0;
}
