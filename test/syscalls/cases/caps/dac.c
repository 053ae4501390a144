/* DAC overrides: root without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH
 * cannot open a 0600 file of another user nor list its 0700 directory;
 * CAP_DAC_READ_SEARCH alone gives reading and searching but not writing;
 * CAP_DAC_OVERRIDE gives everything again (but exec needs an x bit). */
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
	if (geteuid() != 0 || !has_eff(CAP_DAC_OVERRIDE) || !has_eff(CAP_DAC_READ_SEARCH) || !has_eff(CAP_CHOWN))
		return 0; /* needs root with those capabilities */
	const char *dir = scratch_file("d");
	OK(mkdir(dir, 0700));
	char file[PATH_MAX];
	snprintf(file, sizeof file, "%s/f", dir);
	write_file(file, "secret");
	OK(chmod(file, 0600));
	OK(chown(file, 1000, 1000));
	OK(chown(dir, 1000, 1000));
	pid_t pid = OK(fork());
	if (pid == 0) {
		drop_eff(BIT(CAP_DAC_OVERRIDE) | BIT(CAP_DAC_READ_SEARCH));
		ERR(open(file, O_RDONLY), EACCES);
		ERR(open(dir, O_RDONLY | O_DIRECTORY), EACCES);
		raise_eff(BIT(CAP_DAC_READ_SEARCH));
		close(OK(open(file, O_RDONLY)));
		close(OK(open(dir, O_RDONLY | O_DIRECTORY)));
		ERR(open(file, O_WRONLY), EACCES);
		char other[PATH_MAX];
		snprintf(other, sizeof other, "%s/g", dir);
		ERR(open(other, O_WRONLY | O_CREAT, 0600), EACCES);
		/* access(2) checks with the real uid 0's permitted set,
		 * AT_EACCESS with the effective set. */
		OK(access(file, W_OK));
		ERR(faccessat(AT_FDCWD, file, W_OK, AT_EACCESS), EACCES);
		raise_eff(BIT(CAP_DAC_OVERRIDE));
		close(OK(open(file, O_RDWR)));
		close(OK(open(other, O_WRONLY | O_CREAT, 0600)));
		/* Executing still needs some x bit. */
		ERR(access(file, X_OK), EACCES);
		OK(chmod(file, 0100));
		OK(access(file, X_OK));
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	return 0;
}
