/* Privileged operations need their capability even for root: mount and
 * unshare(CLONE_NEWNS) CAP_SYS_ADMIN, chroot CAP_SYS_CHROOT, device
 * mknod CAP_MKNOD, raising a hard rlimit CAP_SYS_RESOURCE, setgroups and
 * setgid CAP_SETGID, binding a port below 1024 CAP_NET_BIND_SERVICE. */
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
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>
#include <netinet/in.h>
#include <sys/socket.h>
int main(void) {
	if (geteuid() != 0)
		return 0; /* the checks drop root's capabilities */
	const char *dir = scratch_file("m");
	OK(mkdir(dir, 0755));
	pid_t pid = OK(fork());
	if (pid == 0) {
		drop_eff(BIT(CAP_SYS_ADMIN));
		ERR(mount("none", dir, "tmpfs", 0, NULL), EPERM);
		ERR(unshare(CLONE_NEWNS), EPERM);
		ERR(umount2(dir, MNT_DETACH), EPERM);
		drop_eff(BIT(CAP_SYS_CHROOT));
		ERR(chroot(dir), EPERM);
		drop_eff(BIT(CAP_MKNOD));
		char node[PATH_MAX];
		snprintf(node, sizeof node, "%s/null", dir);
		ERR(mknod(node, S_IFCHR | 0600, makedev(1, 3)), EPERM);
		OK(mknod(node, S_IFIFO | 0600, 0)); /* a FIFO needs nothing */
		struct rlimit rl;
		OK(getrlimit(RLIMIT_NOFILE, &rl));
		if (rl.rlim_max != RLIM_INFINITY) {
			drop_eff(BIT(CAP_SYS_RESOURCE));
			rl.rlim_max++;
			ERR(setrlimit(RLIMIT_NOFILE, &rl), EPERM);
		}
		drop_eff(BIT(CAP_SETGID));
		gid_t g = 1000;
		ERR(setgroups(1, &g), EPERM);
		ERR(setgid(1000), EPERM);
		ERR(setresgid(-1, 1000, -1), EPERM);
		drop_eff(BIT(CAP_NET_BIND_SERVICE));
		int s = OK(socket(AF_INET, SOCK_STREAM, 0));
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(1), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		ERR(bind(s, (struct sockaddr *)&sa, sizeof sa), EACCES);
		_exit(0);
	}
	WAIT_EXIT(pid, 0);
	return 0;
}
