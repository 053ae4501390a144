package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Differential tests for time, timers, rusage, prctl and sched_* (issue 5).
// The programs print booleans and counts, never times, so that native and
// sandboxed runs print the same bytes.

// buildTimerProg compiles a C program (with -pthread -lrt) into a
// temporary directory.
func buildTimerProg(t *testing.T, name, src string) string {
	t.Helper()
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc is absent (apt-get install gcc)")
	}
	dir := t.TempDir()
	c := filepath.Join(dir, name+".c")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, name)
	if out, err := exec.Command(gcc, "-O1", "-pthread", "-o", bin, c, "-lrt").CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	return bin
}

const timerCommon = `
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* pause(2) through sigsuspend: the sandbox's pause is another change. */
static void wait_signal(void) { sigset_t none; sigemptyset(&none); sigsuspend(&none); }
static void say(const char *what, long v) { printf("%s %ld\n", what, v); fflush(stdout); }
static long ns(struct timespec t) { return t.tv_sec * 1000000000L + t.tv_nsec; }
static long cpu_now(clockid_t c) { struct timespec t; clock_gettime(c, &t); return ns(t); }
static volatile unsigned long sink;
static void burn_ms(long ms) {
	long end = cpu_now(CLOCK_THREAD_CPUTIME_ID) + ms * 1000000L;
	struct timeval start, now;
	gettimeofday(&start, 0);
	for (;;) {
		for (int i = 0; i < 100000; i++) sink += i;
		if (cpu_now(CLOCK_THREAD_CPUTIME_ID) >= end) return;
		gettimeofday(&now, 0);
		if (now.tv_sec - start.tv_sec > 20) { printf("burn: CPU clock stuck\n"); return; }
	}
}
`

func TestTimersC(t *testing.T) {
	cases := []struct {
		name string
		src  string
	}{
		{"alarm_pause", `
static volatile int got, code;
static void h(int s, siginfo_t *si, void *u) { got = s; code = si->si_code; }
int main(void) {
	struct sigaction sa = {0};
	sa.sa_sigaction = h; sa.sa_flags = SA_SIGINFO;
	sigaction(SIGALRM, &sa, 0);
	say("alarm first", alarm(5));
	say("alarm replaced", alarm(1));
	wait_signal();
	say("got", got);
	say("si_code is SI_KERNEL", code == SI_KERNEL);
	say("alarm after expiry", alarm(0));
	/* sigsuspend with SIGALRM blocked outside of it */
	sigset_t block, old; sigemptyset(&block); sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, &old);
	got = 0;
	struct itimerval it = {{0, 0}, {0, 30000}};
	setitimer(ITIMER_REAL, &it, 0);
	while (!got) sigsuspend(&old);
	say("sigsuspend got", got);
	/* alarm(0) cancels */
	alarm(10);
	say("cancel returns", alarm(0));
	struct itimerval cur;
	getitimer(ITIMER_REAL, &cur);
	say("disarmed", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);
	return 0;
}`},
		{"setitimer_periodic", `
static volatile int ticks;
static void h(int s) { ticks++; }
int main(void) {
	signal(SIGALRM, h);
	struct itimerval it = {{0, 20000}, {0, 20000}}, cur, old;
	say("bad which", setitimer(99, &it, 0) == -1 && errno == EINVAL);
	struct itimerval bad = {{0, 0}, {0, 1000000}};
	say("bad usec", setitimer(ITIMER_REAL, &bad, 0) == -1 && errno == EINVAL);
	setitimer(ITIMER_REAL, &it, 0);
	getitimer(ITIMER_REAL, &cur);
	say("interval", cur.it_interval.tv_usec);
	say("value in range", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 20000);
	while (ticks < 3) wait_signal();
	struct itimerval zero = {0};
	setitimer(ITIMER_REAL, &zero, &old);
	say("ticks", ticks);
	say("old interval", old.it_interval.tv_usec);
	getitimer(ITIMER_REAL, &cur);
	say("disarmed", cur.it_value.tv_usec == 0 && cur.it_interval.tv_usec == 0);
	return 0;
}`},
		{"posix_timers", `
static pid_t target_tid;
static volatile int thread_got;
static void *waiter(void *arg) {
	target_tid = gettid();
	sigset_t s; sigemptyset(&s); sigaddset(&s, SIGRTMIN + 1);
	siginfo_t si;
	int sig = sigwaitinfo(&s, &si);
	thread_got = sig == SIGRTMIN + 1 && si.si_code == SI_TIMER && si.si_value.sival_int == 7;
	return 0;
}
static volatile int cb_ran;
static void cb(union sigval v) { cb_ran = v.sival_int; }
int main(void) {
	sigset_t s; sigemptyset(&s); sigaddset(&s, SIGRTMIN); sigaddset(&s, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &s, 0);
	/* SIGEV_SIGNAL, one shot */
	struct sigevent ev = {0};
	ev.sigev_notify = SIGEV_SIGNAL; ev.sigev_signo = SIGRTMIN; ev.sigev_value.sival_int = 42;
	timer_t tm;
	say("create", timer_create(CLOCK_MONOTONIC, &ev, &tm));
	struct itimerspec its = {{0, 0}, {0, 20000000}}, cur;
	say("settime", timer_settime(tm, 0, &its, 0));
	timer_gettime(tm, &cur);
	say("gettime value in range", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 20000000);
	siginfo_t si;
	sigset_t only; sigemptyset(&only); sigaddset(&only, SIGRTMIN);
	say("sigwaitinfo", sigwaitinfo(&only, &si) == SIGRTMIN);
	say("si_code is SI_TIMER", si.si_code == SI_TIMER);
	say("si_value", si.si_value.sival_int);
	say("si_overrun", si.si_overrun);
	timer_gettime(tm, &cur);
	say("expired", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
	/* periodic 1 ms while blocked: overruns */
	struct itimerspec per = {{0, 1000000}, {0, 1000000}};
	timer_settime(tm, 0, &per, 0);
	struct timespec nap = {0, 60000000};
	nanosleep(&nap, 0);
	sigwaitinfo(&only, &si);
	say("overrun >= 10", si.si_overrun >= 10);
	int ov = timer_getoverrun(tm);
	say("getoverrun matches", ov == si.si_overrun);
	struct itimerspec zero = {0}, old;
	timer_settime(tm, 0, &zero, &old);
	say("old interval", old.it_interval.tv_nsec);
	while (sigtimedwait(&only, &si, &(struct timespec){0, 0}) > 0) {}
	/* TIMER_ABSTIME, in the future and in the past */
	struct timespec now; clock_gettime(CLOCK_MONOTONIC, &now);
	now.tv_nsec += 10000000; if (now.tv_nsec >= 1000000000) { now.tv_sec++; now.tv_nsec -= 1000000000; }
	struct itimerspec abs = {{0, 0}, now};
	timer_settime(tm, TIMER_ABSTIME, &abs, 0);
	say("abs fired", sigwaitinfo(&only, &si) == SIGRTMIN);
	struct itimerspec past = {{0, 0}, {1, 0}};
	timer_settime(tm, TIMER_ABSTIME, &past, 0);
	say("past fired", sigwaitinfo(&only, &si) == SIGRTMIN);
	say("delete", timer_delete(tm));
	/* SIGEV_THREAD_ID */
	pthread_t th;
	pthread_create(&th, 0, waiter, 0);
	while (!target_tid) usleep(1000);
	struct sigevent tev = {0};
	tev.sigev_notify = SIGEV_THREAD_ID; tev.sigev_signo = SIGRTMIN + 1; tev.sigev_value.sival_int = 7;
	tev._sigev_un._tid = target_tid;
	timer_t tt;
	say("create thread_id", timer_create(CLOCK_REALTIME, &tev, &tt));
	struct itimerspec t10 = {{0, 0}, {0, 10000000}};
	timer_settime(tt, 0, &t10, 0);
	pthread_join(th, 0);
	say("thread got it", thread_got);
	timer_delete(tt);
	/* SIGEV_THREAD (glibc, over SIGEV_THREAD_ID) */
	struct sigevent cev = {0};
	cev.sigev_notify = SIGEV_THREAD; cev.sigev_notify_function = cb; cev.sigev_value.sival_int = 5;
	timer_t ct;
	say("create thread", timer_create(CLOCK_MONOTONIC, &cev, &ct));
	timer_settime(ct, 0, &t10, 0);
	for (int i = 0; i < 2000 && !cb_ran; i++) usleep(1000);
	say("callback", cb_ran);
	timer_delete(ct);
	/* SIGEV_NONE */
	struct sigevent nev = {0};
	nev.sigev_notify = SIGEV_NONE;
	timer_t nt;
	timer_create(CLOCK_MONOTONIC, &nev, &nt);
	struct itimerspec n1 = {{0, 0}, {5, 0}};
	timer_settime(nt, 0, &n1, 0);
	timer_gettime(nt, &cur);
	say("none pending", cur.it_value.tv_sec == 4 || cur.it_value.tv_sec == 5);
	timer_delete(nt);
	/* errors (raw system calls: glibc would interpret bad timer_t values) */
	int kid;
	say("bad clock", syscall(SYS_timer_create, 12345, 0, &kid) == -1 && errno == EINVAL);
	say("raw clock", syscall(SYS_timer_create, CLOCK_MONOTONIC_RAW, 0, &kid) == -1 ? errno : 0);
	struct sigevent badev = {0};
	badev.sigev_notify = 99;
	say("bad notify", syscall(SYS_timer_create, CLOCK_MONOTONIC, &badev, &kid) == -1 && errno == EINVAL);
	badev.sigev_notify = SIGEV_SIGNAL; badev.sigev_signo = 0;
	say("bad signo", syscall(SYS_timer_create, CLOCK_MONOTONIC, &badev, &kid) == -1 && errno == EINVAL);
	badev.sigev_notify = SIGEV_THREAD_ID; badev.sigev_signo = SIGUSR1; badev._sigev_un._tid = 999999;
	say("bad tid", syscall(SYS_timer_create, CLOCK_MONOTONIC, &badev, &kid) == -1 && errno == EINVAL);
	say("delete unknown", syscall(SYS_timer_delete, 12345) == -1 && errno == EINVAL);
	say("gettime unknown", syscall(SYS_timer_gettime, 12345, &cur) == -1 && errno == EINVAL);
	say("getoverrun unknown", syscall(SYS_timer_getoverrun, 12345) == -1 && errno == EINVAL);
	struct itimerspec badts = {{0, 0}, {0, 1000000000}};
	say("create default", syscall(SYS_timer_create, CLOCK_MONOTONIC, 0, &kid));
	say("bad timespec", syscall(SYS_timer_settime, kid, 0, &badts, 0) == -1 && errno == EINVAL);
	return 0;
}`},
		{"cpu_clocks", `
static volatile int prof, virt, ptimer;
static void hp(int s) { prof++; }
static void hv(int s) { virt++; }
static void ht(int s) { ptimer++; }
int main(void) {
	clockid_t pc, tc;
	say("getcpuclockid", clock_getcpuclockid(0, &pc));
	say("pthread_getcpuclockid", pthread_getcpuclockid(pthread_self(), &tc));
	long p0 = cpu_now(CLOCK_PROCESS_CPUTIME_ID), t0 = cpu_now(CLOCK_THREAD_CPUTIME_ID);
	long d0 = cpu_now(pc), e0 = cpu_now(tc);
	burn_ms(100);
	long t1 = cpu_now(CLOCK_THREAD_CPUTIME_ID);
	long p1 = cpu_now(CLOCK_PROCESS_CPUTIME_ID);
	long d1 = cpu_now(pc), e1 = cpu_now(tc);
	say("process advanced", p1 - p0 >= 90000000);
	say("thread advanced", t1 - t0 >= 90000000);
	say("pid clock advanced", d1 - d0 >= 90000000);
	say("tid clock advanced", e1 - e0 >= 90000000);
	say("process >= thread", p1 >= t1);
	struct timespec nap = {0, 100000000};
	nanosleep(&nap, 0);
	long p2 = cpu_now(CLOCK_PROCESS_CPUTIME_ID);
	say("sleep is not CPU time", p2 - p1 < 50000000);
	struct timespec res;
	clock_getres(CLOCK_PROCESS_CPUTIME_ID, &res);
	say("res", res.tv_nsec);
	clock_getres(pc, &res);
	say("pid clock res", res.tv_nsec);
	struct timespec ts;
	say("unknown pid clock", clock_gettime(((~(clockid_t)999999) << 3) | 2, &ts) == -1 && errno == EINVAL);
	say("bad clock type", clock_gettime(((~(clockid_t)0) << 3) | 3, &ts) == -1 && errno == EINVAL);
	/* ITIMER_PROF and ITIMER_VIRTUAL fire on CPU time */
	signal(SIGPROF, hp); signal(SIGVTALRM, hv);
	struct itimerval it = {{0, 0}, {0, 30000}}, cur;
	setitimer(ITIMER_PROF, &it, 0);
	getitimer(ITIMER_PROF, &cur);
	say("prof armed", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 && cur.it_value.tv_usec <= 40000);
	setitimer(ITIMER_VIRTUAL, &it, 0);
	for (int i = 0; i < 200 && !(prof && virt); i++) burn_ms(10);
	say("prof fired", prof);
	say("virtual fired", virt);
	/* a POSIX timer on the process CPU clock */
	signal(SIGUSR1, ht);
	struct sigevent ev = {0};
	ev.sigev_notify = SIGEV_SIGNAL; ev.sigev_signo = SIGUSR1;
	timer_t tm;
	say("cpu timer", timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &tm));
	struct itimerspec its = {{0, 0}, {0, 30000000}};
	timer_settime(tm, 0, &its, 0);
	for (int i = 0; i < 200 && !ptimer; i++) burn_ms(10);
	say("cpu timer fired", ptimer);
	timer_t tt;
	say("thread cpu timer", timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, &tt));
	ptimer = 0;
	timer_settime(tt, 0, &its, 0);
	for (int i = 0; i < 200 && !ptimer; i++) burn_ms(10);
	say("thread cpu timer fired", ptimer);
	/* clock_nanosleep on the own thread's CPU clock is EINVAL */
	say("nanosleep thread clock", clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &nap, 0));
	return 0;
}`},
		{"rusage", `
int main(void) {
	burn_ms(200);
	struct tms tm;
	clock_t c0 = times(&tm);
	say("times ok", c0 != (clock_t)-1);
	say("tms_utime+stime >= 10 ticks", tm.tms_utime + tm.tms_stime >= 10);
	struct rusage ru;
	say("getrusage self", getrusage(RUSAGE_SELF, &ru));
	long us = ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec;
	say("self >= 150ms", us >= 150000);
	say("maxrss > 0", ru.ru_maxrss > 0);
	say("getrusage thread", getrusage(RUSAGE_THREAD, &ru));
	us = ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec;
	say("thread >= 150ms", us >= 150000);
	say("getrusage children", getrusage(RUSAGE_CHILDREN, &ru));
	say("no children time", ru.ru_utime.tv_sec == 0 && ru.ru_utime.tv_usec == 0);
	say("bad who", getrusage(99, &ru) == -1 && errno == EINVAL);
	pid_t p = fork();
	if (p == 0) { burn_ms(150); _exit(0); }
	waitpid(p, 0, 0);
	getrusage(RUSAGE_CHILDREN, &ru);
	us = ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec;
	say("children >= 100ms", us >= 100000);
	times(&tm);
	say("cutime+cstime >= 10 ticks", tm.tms_cutime + tm.tms_cstime >= 10);
	struct timespec nap = {0, 50000000};
	nanosleep(&nap, 0);
	clock_t c1 = times(0);
	say("times advances", c1 - c0 >= 4);
	struct sysinfo si;
	say("sysinfo", sysinfo(&si));
	say("totalram > 0", (unsigned long long)si.totalram * si.mem_unit > 0);
	say("freeram <= totalram", si.freeram <= si.totalram);
	say("procs >= 1", si.procs >= 1);
	say("uptime >= 0", si.uptime >= 0);
	return 0;
}`},
		{"prctl", `
static volatile int got;
static void h(int s) { got = s; }
int main(void) {
	char name[32] = {0};
	say("set name", prctl(PR_SET_NAME, "a-very-long-thread-name", 0, 0, 0));
	prctl(PR_GET_NAME, name, 0, 0, 0);
	printf("name %s\n", name);
	prctl(PR_SET_NAME, "short", 0, 0, 0);
	prctl(PR_GET_NAME, name, 0, 0, 0);
	printf("name %s\n", name);
	say("get name efault", prctl(PR_GET_NAME, (char *)8, 0, 0, 0) == -1 && errno == EFAULT);
	say("dumpable", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	say("dumpable after clear", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	say("dumpable bad", prctl(PR_SET_DUMPABLE, 5, 0, 0, 0) == -1 && errno == EINVAL);
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	int sig = -1;
	prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0);
	say("pdeathsig", sig);
	say("pdeathsig bad", prctl(PR_SET_PDEATHSIG, 65, 0, 0, 0) == -1 && errno == EINVAL);
	prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0);
	prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0);
	say("pdeathsig set", sig);
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	say("no_new_privs", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	say("no_new_privs bad", prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0) == -1 && errno == EINVAL);
	say("keepcaps", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
	say("capbset 0", prctl(PR_CAPBSET_READ, 0, 0, 0, 0));
	say("capbset bad", prctl(PR_CAPBSET_READ, 1000, 0, 0, 0) == -1 && errno == EINVAL);
	say("seccomp", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	say("timerslack", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	prctl(PR_SET_TIMERSLACK, 1000, 0, 0, 0);
	say("timerslack set", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0);
	say("timerslack reset", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	say("mce kill", prctl(PR_MCE_KILL_GET, 0, 0, 0, 0));
	say("unknown option", prctl(0x7fff, 0, 0, 0, 0) == -1 && errno == EINVAL);
	int sub = -1;
	prctl(PR_GET_CHILD_SUBREAPER, &sub, 0, 0, 0);
	say("subreaper", sub);
	/* PR_SET_PDEATHSIG fires when the parent exits; the orphan comes to
	   us, the subreaper. */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	prctl(PR_GET_CHILD_SUBREAPER, &sub, 0, 0, 0);
	say("subreaper set", sub);
	pid_t me = getpid();
	int ready[2]; pipe(ready);
	pid_t mid = fork();
	if (mid == 0) {
		pid_t c = fork();
		if (c == 0) {
			signal(SIGUSR1, h);
			prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0);
			write(ready[1], "x", 1);
			while (!got) wait_signal();
			_exit(getppid() == me ? 42 : 43);
		}
		char b; read(ready[0], &b, 1);
		_exit(0);
	}
	int st;
	waitpid(mid, &st, 0);
	say("middle exited", WEXITSTATUS(st));
	pid_t w = waitpid(-1, &st, 0);
	say("orphan reaped by subreaper", w > 0);
	say("orphan status", WEXITSTATUS(st));
	/* no_new_privs is sticky */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	say("no_new_privs set", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	return 0;
}`},
		{"sched", `
int main(void) {
	cpu_set_t set;
	CPU_ZERO(&set);
	say("getaffinity", sched_getaffinity(0, sizeof set, &set));
	say("count == online", CPU_COUNT(&set) == sysconf(_SC_NPROCESSORS_ONLN));
	long raw = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
	say("raw returns a size", raw > 0 && raw % 8 == 0 && raw <= (long)sizeof set);
	say("raw small len", syscall(SYS_sched_getaffinity, 0, 4, &set) == -1 && errno == EINVAL);
	int first = -1;
	for (int i = 0; i < CPU_SETSIZE; i++) if (CPU_ISSET(i, &set)) { first = i; break; }
	cpu_set_t one; CPU_ZERO(&one); CPU_SET(first, &one);
	say("setaffinity", sched_setaffinity(0, sizeof one, &one));
	cpu_set_t got; CPU_ZERO(&got);
	sched_getaffinity(0, sizeof got, &got);
	say("count after set", CPU_COUNT(&got));
	unsigned cpu = 999, node = 999;
	syscall(SYS_getcpu, &cpu, &node, 0);
	say("getcpu in mask", cpu == (unsigned)first);
	say("node", node);
	cpu_set_t none; CPU_ZERO(&none);
	say("empty mask", sched_setaffinity(0, sizeof none, &none) == -1 && errno == EINVAL);
	sched_setaffinity(0, sizeof set, &set);
	say("getaffinity esrch", sched_getaffinity(999999, sizeof set, &set) == -1 && errno == ESRCH);
	say("scheduler", sched_getscheduler(0));
	struct sched_param sp = {0};
	say("getparam", sched_getparam(0, &sp));
	say("priority", sp.sched_priority);
	say("max fifo", sched_get_priority_max(SCHED_FIFO));
	say("min fifo", sched_get_priority_min(SCHED_FIFO));
	say("max other", sched_get_priority_max(SCHED_OTHER));
	say("max bad", sched_get_priority_max(42) == -1 && errno == EINVAL);
	say("set batch", sched_setscheduler(0, SCHED_BATCH, &sp));
	say("scheduler batch", sched_getscheduler(0));
	sp.sched_priority = 5;
	say("batch with priority", sched_setscheduler(0, SCHED_BATCH, &sp) == -1 && errno == EINVAL);
	sp.sched_priority = 0;
	say("fifo priority 0", sched_setscheduler(0, SCHED_FIFO, &sp) == -1 && errno == EINVAL);
	say("bad policy", sched_setscheduler(0, 42, &sp) == -1 && errno == EINVAL);
	say("negative pid", sched_getscheduler(-1) == -1 && errno == EINVAL);
	say("set other", sched_setscheduler(0, SCHED_OTHER, &sp));
	errno = 0;
	say("nice", getpriority(PRIO_PROCESS, 0));
	say("raw getpriority", syscall(SYS_getpriority, PRIO_PROCESS, 0));
	say("setpriority", setpriority(PRIO_PROCESS, 0, 5));
	say("nice now", getpriority(PRIO_PROCESS, 0));
	pid_t p = fork();
	if (p == 0) { _exit(getpriority(PRIO_PROCESS, 0)); }
	int st; waitpid(p, &st, 0);
	say("child inherits nice", WEXITSTATUS(st));
	say("bad which", getpriority(42, 0) == -1 && errno == EINVAL);
	say("no such process", getpriority(PRIO_PROCESS, 999999) == -1 && errno == ESRCH);
	setpriority(PRIO_PROCESS, 0, 0);
	return 0;
}`},
		{"fork_exec", `
int main(int argc, char **argv) {
	if (argc > 1) {
		/* after execve: the alarm survives, POSIX timers do not */
		unsigned left = alarm(0);
		say("alarm survives exec", left >= 95 && left <= 100);
		struct itimerspec cur;
		say("posix timer gone", syscall(SYS_timer_gettime, atoi(argv[1]), &cur) == -1 && errno == EINVAL);
		return 0;
	}
	alarm(100);
	pid_t p = fork();
	if (p == 0) {
		struct itimerval cur;
		getitimer(ITIMER_REAL, &cur);
		_exit(cur.it_value.tv_sec == 0 && alarm(0) == 0 ? 0 : 1);
	}
	int st; waitpid(p, &st, 0);
	say("fork child has no alarm", WEXITSTATUS(st) == 0);
	int kid = -1;
	syscall(SYS_timer_create, CLOCK_MONOTONIC, 0, &kid);
	char id[16]; snprintf(id, sizeof id, "%d", kid);
	fflush(stdout);
	execl("/proc/self/exe", argv[0], id, (char *)0);
	perror("exec");
	return 1;
}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bin := buildTimerProg(t, c.name, timerCommon+c.src)
			differential(t, "/", 0, bin)
		})
	}
}

func TestTimersPython(t *testing.T) {
	if _, err := os.Stat(python); err != nil {
		t.Skip("python3.11 is absent")
	}
	// Deterministic: wait for exactly three ticks.
	differential(t, "/", 0, python, "-c", `
import signal
n = 0
def h(*a):
    global n
    n += 1
    print("tick", flush=True)
signal.signal(signal.SIGALRM, h)
signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05)
while n < 3:
    signal.pause()
signal.setitimer(signal.ITIMER_REAL, 0)
print(signal.getitimer(signal.ITIMER_REAL))`)

	// The command, timing-sensitive: compare tick counts loosely.
	t.Run("sleep_ticks", func(t *testing.T) {
		argv := []string{python, "-c", `import signal,time; signal.signal(signal.SIGALRM, lambda *a: print("tick")); signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05); time.sleep(0.17)`}
		native, err := run(t, "/", argv...)
		if err != nil {
			t.Fatal(err)
		}
		sandboxed := runSandboxed(t, "/", argv...)
		count := func(r result) int { return strings.Count(string(r.stdout), "tick\n") }
		nc, sc := count(native), count(sandboxed)
		if sandboxed.status != native.status || sc < 2 || sc > 4 || nc < 2 || nc > 4 {
			t.Errorf("native: %d ticks, status %d; sandbox: %d ticks, status %d (%s)", nc, native.status, sc, sandboxed.status, strconv.Quote(string(sandboxed.stderr)))
		}
	})
}
