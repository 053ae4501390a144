/* prctl capability operations: PR_CAPBSET_READ/DROP (CAP_SETPCAP),
 * PR_CAP_AMBIENT (raise needs permitted and inheritable), securebits and
 * PR_SET_KEEPCAPS, reflected in /proc/self/status. */
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
	ERR(prctl(PR_CAPBSET_READ, 64, 0, 0, 0), EINVAL);
	ERR(prctl(PR_CAPBSET_READ, -1L, 0, 0, 0), EINVAL);
	ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 64, 0, 0), EINVAL);
	ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0), EINVAL);
	ERR(prctl(PR_CAP_AMBIENT, 99, 0, 0, 0), EINVAL);
	CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0), 0);
	CHECK_EQ(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), 0);
	if (geteuid() != 0 || !has_eff(CAP_SETPCAP) || !has_eff(CAP_NET_BIND_SERVICE) ||
	    prctl(PR_CAPBSET_READ, CAP_SYS_BOOT, 0, 0, 0) != 1)
		return 0; /* the rest needs root with those capabilities */
	pid_t pid = OK(fork());
	if (pid == 0) {
		OK(prctl(PR_CAPBSET_DROP, CAP_SYS_BOOT, 0, 0, 0));
		CHECK_EQ(prctl(PR_CAPBSET_READ, CAP_SYS_BOOT, 0, 0, 0), 0);
		CHECK_EQ(status_caps("CapBnd") & BIT(CAP_SYS_BOOT), 0);
		/* Dropping from the bounding set leaves the other sets. */
		CHECK(has_eff(CAP_SYS_BOOT));
		ERR(prctl(PR_CAPBSET_DROP, 64, 0, 0, 0), EINVAL);

		/* Ambient: the capability must be permitted and inheritable. */
		ERR(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0), EPERM);
		u64 e, p;
		caps(0, &e, &p, NULL);
		OK(setcaps(e, p, BIT(CAP_NET_BIND_SERVICE)));
		OK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0));
		CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_BIND_SERVICE, 0, 0), 1);
		CHECK_EQ(status_caps("CapAmb"), BIT(CAP_NET_BIND_SERVICE));
		OK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_NET_BIND_SERVICE, 0, 0));
		CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_BIND_SERVICE, 0, 0), 0);
		OK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0));
		OK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
		CHECK_EQ(status_caps("CapAmb"), 0);
		/* Dropping from inheritable drops from ambient. */
		OK(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_BIND_SERVICE, 0, 0));
		OK(setcaps(e, p, 0));
		CHECK_EQ(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_BIND_SERVICE, 0, 0), 0);

		/* Securebits: KEEP_CAPS is PR_GET_KEEPCAPS; a lock sticks. */
		OK(prctl(PR_SET_SECUREBITS, 1 << 4, 0, 0, 0)); /* SECBIT_KEEP_CAPS */
		CHECK_EQ(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 1);
		OK(prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0));
		CHECK_EQ(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), 0);
		OK(prctl(PR_SET_SECUREBITS, 1 << 5, 0, 0, 0)); /* SECBIT_KEEP_CAPS_LOCKED */
		ERR(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), EPERM);
		ERR(prctl(PR_SET_SECUREBITS, 0, 0, 0, 0), EPERM);
		ERR(prctl(PR_SET_SECUREBITS, 1 << 20 | 1 << 5, 0, 0, 0), EPERM);

		/* Without CAP_SETPCAP: no bounding drop, no securebits. */
		drop_eff(BIT(CAP_SETPCAP));
		ERR(prctl(PR_CAPBSET_DROP, CAP_SYS_BOOT, 0, 0, 0), EPERM);
		ERR(prctl(PR_SET_SECUREBITS, 1 << 5, 0, 0, 0), EPERM);
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	return 0;
}
