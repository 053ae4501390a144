#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/mman.h>
#include <time.h>
/* Calls random system calls with random arguments in children; the parent
   only checks that every child ended (exit or signal). */
static long rnd(void) {
	static const long special[] = {0, 1, -1, 4096, 0x7fffffff, -4096, 0x7ffffffff000, 0xffffffffffffffff, 16, 64};
	switch (rand() % 4) {
	case 0: return special[rand() % 10];
	case 1: return rand();
	case 2: return ((long)rand() << 32) | rand();
	default: return rand() % 1024;
	}
}
int main(int argc, char **argv) {
	int seed = argc > 1 ? atoi(argv[1]) : 1, children = argc > 2 ? atoi(argv[2]) : 20;
	static const int skip[] = {SYS_kill, SYS_tkill, SYS_tgkill, SYS_rt_sigqueueinfo,
		SYS_rt_tgsigqueueinfo, SYS_fork, SYS_vfork, SYS_clone, SYS_clone3, SYS_execve, SYS_execveat,
		SYS_pause, SYS_rt_sigsuspend, SYS_nanosleep, SYS_clock_nanosleep, SYS_wait4, SYS_waitid,
		SYS_setsid, SYS_reboot, SYS_ptrace, 
		SYS_rt_sigreturn, SYS_arch_prctl, SYS_set_tid_address, SYS_futex,
		SYS_poll, SYS_ppoll, SYS_epoll_wait, SYS_epoll_pwait, SYS_epoll_pwait2, 
		SYS_recvfrom, SYS_recvmsg, SYS_accept, SYS_accept4, SYS_rt_sigtimedwait, SYS_msgrcv, SYS_semop,
		SYS_semtimedop,  SYS_connect, SYS_sendto, SYS_sendmsg, 
		 SYS_splice, SYS_tee,
		SYS_sendfile, SYS_rt_sigaction, SYS_sigaltstack, SYS_prctl, SYS_setrlimit, SYS_prlimit64,
		SYS_setitimer, SYS_alarm, SYS_timer_create, SYS_timer_settime, SYS_io_uring_enter, SYS_close_range,
		 SYS_shmat, SYS_unshare, SYS_setns, SYS_seccomp,
		SYS_process_vm_writev, SYS_pidfd_send_signal, SYS_sched_setaffinity, SYS_personality, SYS_chroot,
		SYS_setuid, SYS_setgid, SYS_setreuid, SYS_setregid, SYS_setresuid, SYS_setresgid, SYS_setgroups,
		SYS_mlockall, SYS_rt_sigprocmask, SYS_exit};
	for (int c = 0; c < children; c++) {
		pid_t p = fork();
		if (p == 0) {
			srand(seed * 1000 + c);
			alarm(5);
			for (int i = 0; i < 300; i++) {
				long nr = rand() % 470;
				int bad = 0;
				for (unsigned k = 0; k < sizeof skip / sizeof skip[0]; k++)
					if (skip[k] == nr) bad = 1;
				if (bad) continue;
				syscall(nr, rnd(), rnd(), rnd(), rnd(), rnd(), rnd());
			}
			_exit(0);
		}
		int st;
		waitpid(p, &st, 0);
	}
	printf("done\n");
	return 0;
}
