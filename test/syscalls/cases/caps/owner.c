/* Ownership capabilities: without CAP_CHOWN root cannot chown, without
 * CAP_FOWNER it cannot chmod or utime another user's file nor delete it
 * from a sticky directory, and without CAP_FSETID chmod drops S_ISGID
 * for a group root is not in. */
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
#include <sys/time.h>
int main(void) {
	if (geteuid() != 0 || !has_eff(CAP_CHOWN) || !has_eff(CAP_FOWNER) || !has_eff(CAP_FSETID))
		return 0; /* needs root with those capabilities */
	const char *file = scratch_file("f");
	write_file(file, "x");
	OK(chown(file, 1000, 1000));
	const char *sticky = scratch_file("sticky");
	OK(mkdir(sticky, 01777));
	OK(chown(sticky, 1000, 1000));
	char victim[PATH_MAX];
	snprintf(victim, sizeof victim, "%s/v", sticky);
	write_file(victim, "v");
	OK(chown(victim, 1000, 1000));
	pid_t pid = OK(fork());
	if (pid == 0) {
		drop_eff(BIT(CAP_CHOWN));
		ERR(chown(file, 0, 0), EPERM);
		ERR(chown(file, 1000, 0), EPERM);
		raise_eff(BIT(CAP_CHOWN));
		OK(chown(file, 1000, 1000));

		drop_eff(BIT(CAP_FOWNER));
		ERR(chmod(file, 0644), EPERM);
		struct timeval tv[2] = {{1, 0}, {2, 0}};
		ERR(utimes(file, tv), EPERM);
		ERR(unlink(victim), EPERM);
		raise_eff(BIT(CAP_FOWNER));
		OK(chmod(file, 0644));
		OK(utimes(file, tv));

		/* S_ISGID on a file of group 1000 (root is not in it). */
		OK(setgroups(0, NULL));
		drop_eff(BIT(CAP_FSETID));
		OK(chmod(file, 02755));
		struct stat st;
		OK(stat(file, &st));
		CHECK_EQ(st.st_mode & 07777, 0755);
		raise_eff(BIT(CAP_FSETID));
		OK(chmod(file, 02755));
		OK(stat(file, &st));
		CHECK_EQ(st.st_mode & 07777, 02755);
		OK(unlink(victim));
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	return 0;
}
