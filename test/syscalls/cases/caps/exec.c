/* Capabilities across execve (no file capabilities): root regains
 * effective = permitted = bounding | inheritable; with no_new_privs it
 * gains nothing it had not permitted; a non-root program keeps only its
 * ambient capabilities; PR_SET_KEEPCAPS is cleared. The program re-runs
 * itself ("check EFF PERM AMB" compares its sets). */
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
static void run_check(u64 eff, u64 perm, u64 amb) {
	char a[3][32];
	snprintf(a[0], sizeof a[0], "%llx", eff);
	snprintf(a[1], sizeof a[1], "%llx", perm);
	snprintf(a[2], sizeof a[2], "%llx", amb);
	execl("/proc/self/exe", "exec", "check", a[0], a[1], a[2], (char *)NULL);
	fail("execl: got %s want success", errname(errno));
}
int main(int argc, char **argv) {
	if (argc == 5 && strcmp(argv[1], "check") == 0) {
		u64 e, p;
		caps(0, &e, &p, NULL);
		CHECK_EQ(e, strtoull(argv[2], NULL, 16));
		CHECK_EQ(p, strtoull(argv[3], NULL, 16));
		u64 amb = 0;
		for (int i = 0; i < 64; i++)
			if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, i, 0, 0) == 1)
				amb |= BIT(i);
		CHECK_EQ(amb, strtoull(argv[4], NULL, 16));
		CHECK_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0);
		return 0;
	}
	u64 eff, perm;
	caps(0, &eff, &perm, NULL);
	if (geteuid() != 0 || !has_eff(CAP_SETUID) || !has_eff(CAP_SYS_ADMIN) || !has_eff(CAP_NET_BIND_SERVICE)) {
		pid_t pid = OK(fork());
		if (pid == 0)
			run_check(0, 0, 0);
		WAIT_EXIT(pid, 0);
		return 0;
	}
	/* Root: a dropped effective capability comes back. */
	pid_t pid = OK(fork());
	if (pid == 0) {
		drop_eff(BIT(CAP_SYS_ADMIN));
		OK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
		run_check(perm, perm, 0);
	}
	WAIT_EXIT(pid, 0);
	/* Root: a capability dropped from permitted comes back from the
	 * bounding set, unless no_new_privs. */
	pid = OK(fork());
	if (pid == 0) {
		OK(setcaps(eff & ~BIT(CAP_SYS_ADMIN), perm & ~BIT(CAP_SYS_ADMIN), 0));
		run_check(perm, perm, 0);
	}
	WAIT_EXIT(pid, 0);
	pid = OK(fork());
	if (pid == 0) {
		OK(setcaps(eff & ~BIT(CAP_SYS_ADMIN), perm & ~BIT(CAP_SYS_ADMIN), 0));
		OK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
		run_check(perm & ~BIT(CAP_SYS_ADMIN), perm & ~BIT(CAP_SYS_ADMIN), 0);
	}
	WAIT_EXIT(pid, 0);
	/* Non-root: nothing but the ambient set. */
	pid = OK(fork());
	if (pid == 0) {
		OK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
		OK(setresuid(1000, 1000, 1000));
		u64 b = BIT(CAP_NET_BIND_SERVICE);
		OK(setcaps(b, b, b));
		OK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0));
		run_check(b, b, b);
	}
	WAIT_EXIT(pid, 0);
	pid = OK(fork());
	if (pid == 0) {
		OK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
		OK(setresuid(1000, 1000, 1000));
		run_check(0, 0, 0);
	}
	WAIT_EXIT(pid, 0);
	return 0;
}
