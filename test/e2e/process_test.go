package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Differential tests for processes, threads, signals and waiting (issue 5).

const python = "/usr/bin/python3.11"

// buildProcessProg compiles a C program into a temporary directory.
func buildProcessProg(t *testing.T, name, src string) string {
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
	if out, err := exec.Command(gcc, "-O2", "-pthread", "-o", bin, c).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	return bin
}

func TestProcessShell(t *testing.T) {
	requireBusybox(t)
	cases := []struct {
		name   string
		status int
		script string
	}{
		{"pipeline", 0, "seq 1 100000 | grep 7 | sort -n | tail -3"},
		{"spawn_200", 0, "i=0; while [ $i -lt 200 ]; do /bin/true; i=$((i+1)); done; echo $i"},
		{"background_wait", 0, "/bin/busybox sleep 0.2 & echo started; wait; echo waited $?"},
		{"exit_status", 3, "/bin/busybox sh -c 'exit 3'"},
		{"subshell_kill", -1, "/bin/busybox sh -c 'kill -TERM $$'; echo status $?"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			differential(t, "/", c.status, "/bin/busybox", "sh", "-c", c.script)
		})
	}
}

func TestProcessTimeout(t *testing.T) {
	requireBusybox(t)
	start := time.Now()
	differential(t, "/", 143, "/bin/busybox", "timeout", "1", "sleep", "5")
	if d := time.Since(start); d > 6*time.Second {
		t.Errorf("timeout took %v (the sandboxed sleep was not killed after 1 s)", d)
	}
}

func TestProcessPython(t *testing.T) {
	if _, err := os.Stat(python); err != nil {
		t.Skip("python3.11 is absent")
	}
	cases := map[string]string{
		"threads_lock": `
import threading
lock = threading.Lock()
n = 0
def f():
    global n
    for i in range(1000):
        with lock:
            n += 1
ts = [threading.Thread(target=f) for _ in range(50)]
[t.start() for t in ts]
[t.join() for t in ts]
print(n)`,
		"subprocess": `
import subprocess
r = subprocess.run(["/bin/echo", "hi"], capture_output=True)
print(r.returncode, r.stdout)`,
		"fork_waitpid": `
import os
p = os.fork()
if p == 0:
    os._exit(7)
_, st = os.waitpid(p, 0)
print(os.WIFEXITED(st), os.WEXITSTATUS(st))`,
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			differential(t, "/", 0, python, "-c", src)
		})
	}
}

func TestProcessCPrograms(t *testing.T) {
	cases := []struct {
		name   string
		status int
		src    string
	}{
		{"thread_fault", 139, `
#include <pthread.h>
#include <unistd.h>
static void *bad(void *a) { *(volatile int *)0 = 1; return a; }
int main() { pthread_t t; pthread_create(&t, 0, bad, 0); pthread_join(t, 0); sleep(5); return 0; }
`},
		{"mutexes", 0, `
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <errno.h>
static pthread_mutex_t mu, rob;
static long counter;
static void *work(void *a) { for (int i = 0; i < 20000; i++) { pthread_mutex_lock(&mu); counter++; pthread_mutex_unlock(&mu);} return a; }
static void *die(void *a) { pthread_mutex_lock(&rob); return a; }
int main() {
  pthread_mutexattr_t at; pthread_mutexattr_init(&at); pthread_mutexattr_setprotocol(&at, PTHREAD_PRIO_INHERIT);
  pthread_mutex_init(&mu, &at);
  pthread_t t[4];
  for (int i = 0; i < 4; i++) pthread_create(&t[i], 0, work, 0);
  for (int i = 0; i < 4; i++) pthread_join(t[i], 0);
  printf("counter=%ld\n", counter);
  pthread_mutexattr_t ra; pthread_mutexattr_init(&ra); pthread_mutexattr_setrobust(&ra, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&rob, &ra);
  pthread_t d; pthread_create(&d, 0, die, 0); pthread_join(d, 0);
  printf("robust: %s\n", pthread_mutex_lock(&rob) == EOWNERDEAD ? "EOWNERDEAD" : "other");
  return 0;
}
`},
		{"job_control", 0, `
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
int main() {
  pid_t p = fork();
  if (p == 0) { for (;;) pause(); }
  kill(p, SIGSTOP);
  int st; pid_t r = waitpid(p, &st, WUNTRACED);
  printf("stopped=%d sig=%d\n", r == p && WIFSTOPPED(st), WSTOPSIG(st));
  kill(p, SIGCONT);
  r = waitpid(p, &st, WCONTINUED);
  printf("continued=%d\n", r == p && WIFCONTINUED(st));
  kill(p, SIGTERM);
  r = waitpid(p, &st, 0);
  printf("killed=%d sig=%d\n", WIFSIGNALED(st), WTERMSIG(st));
  return 0;
}
`},
		{"signal_handler", 0, `
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
static volatile int got;
static void h(int s, siginfo_t *si, void *uc) { got = s + si->si_signo * 100; }
int main() {
  struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_sigaction = h; sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, 0);
  kill(getpid(), SIGUSR1);
  printf("got=%d\n", got);
  double d = 1.5; for (int i = 0; i < 3; i++) d *= 2.25; // FP state survives handlers
  raise(SIGUSR1);
  printf("fp=%.4f got=%d\n", d, got);
  sigset_t s; sigemptyset(&s); sigaddset(&s, SIGUSR2); sigprocmask(SIG_BLOCK, &s, 0);
  raise(SIGUSR2);
  sigset_t p; sigpending(&p);
  printf("pending=%d\n", sigismember(&p, SIGUSR2));
  int sig; sigwait(&s, &sig);
  printf("sigwait=%d\n", sig);
  return 0;
}
`},
		{"fork_cow", 0, `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
int main() {
  char *heap = malloc(1 << 20); memset(heap, 'a', 1 << 20);
  int *shared = mmap(0, 4096, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0);
  *shared = 1;
  pid_t p = fork();
  if (p == 0) { heap[5] = 'b'; *shared = 42; _exit(heap[5] == 'b' ? 0 : 1); }
  int st; waitpid(p, &st, 0);
  printf("child=%d parent_heap=%c shared=%d\n", WEXITSTATUS(st), heap[5], *shared);
  return 0;
}
`},
		{"vfork_exec", 0, `
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
extern char **environ;
int main() {
  pid_t p; char *argv[] = {"/bin/true", 0};
  int r = posix_spawn(&p, "/bin/true", 0, 0, argv, environ);
  int st; waitpid(p, &st, 0);
  char *bad[] = {"/nonexistent", 0};
  int r2 = posix_spawn(&p, "/nonexistent", 0, 0, bad, environ);
  printf("spawn=%d status=%d missing=%d\n", r, WEXITSTATUS(st), r2);
  return 0;
}
`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bin := buildProcessProg(t, c.name, c.src)
			differential(t, "/", c.status, bin)
		})
	}
}

// TestProcessGo runs a static Go program with 100 goroutines, timers and an
// os/exec child.
func TestProcessGo(t *testing.T) {
	requireBusybox(t)
	dir := t.TempDir()
	src := `package main

import (
	"fmt"
	"os/exec"
	"sync"
	"time"
)

func main() {
	var wg sync.WaitGroup
	ch := make(chan int, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			time.Sleep(time.Millisecond * time.Duration(i%10))
			ch <- i
		}(i)
	}
	wg.Wait()
	close(ch)
	sum := 0
	for v := range ch {
		sum += v
	}
	fmt.Println("sum", sum)
	out, err := exec.Command("/bin/busybox", "echo", "child").Output()
	fmt.Printf("exec: %q %v\n", out, err)
}
`
	os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644)
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module gop\ngo 1.22\n"), 0o644)
	bin := filepath.Join(dir, "gop")
	cmd := exec.Command(goTool(), "build", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	differential(t, "/", 0, bin)
}

// TestProcessSignalForwarding: runsc passes SIGINT on to the sandboxed
// program, which blocks it and collects it with sigwait.
func TestProcessSignalForwarding(t *testing.T) {
	bin := buildProcessProg(t, "sigint", `
#include <signal.h>
#include <stdio.h>
int main() {
  sigset_t s; sigemptyset(&s); sigaddset(&s, SIGINT); sigprocmask(SIG_BLOCK, &s, 0);
  printf("ready\n"); fflush(stdout);
  int sig; sigwait(&s, &sig);
  printf("got %d\n", sig);
  return 0;
}
`)
	argv := append(append(append([]string{}, sandbox(t)...), "do"), bin)
	cmd := exec.Command(argv[0], argv[1:]...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := out.Read(buf); err != nil || string(buf) != "ready\n" {
		t.Fatalf("no ready line: %q %v", buf, err)
	}
	cmd.Process.Signal(syscall.SIGINT)
	rest := make([]byte, 64)
	n, _ := out.Read(rest)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("runsc: %v", err)
	}
	if got := strings.TrimSpace(string(rest[:n])); got != "got 2" {
		t.Fatalf("sandboxed program printed %q, want \"got 2\"", got)
	}
}

func TestProcessMultiprocessingPool(t *testing.T) {
	if _, err := os.Stat(python); err != nil {
		t.Skip("python3.11 is absent")
	}
	differential(t, "/", 0, python, "-c", `
import multiprocessing
def sq(x): return x*x
if __name__ == "__main__":
    with multiprocessing.Pool(4) as p:
        print(sum(p.map(sq, range(100))))`)
}

// TestProcessMakeParallel builds a small generated C project with make -j2
// inside the sandbox (make forks gcc, which forks cc1, as and ld).
func TestProcessMakeParallel(t *testing.T) {
	for _, tool := range []string{"gcc", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is absent", tool)
		}
	}
	dir := t.TempDir()
	main := "#include <stdio.h>\n"
	sum := ""
	objs := "main.o"
	for i := 1; i <= 6; i++ {
		name := filepath.Join(dir, "f"+string(rune('0'+i))+".c")
		os.WriteFile(name, []byte("int f"+string(rune('0'+i))+"(void){return "+string(rune('0'+i))+";}\n"), 0o644)
		main += "int f" + string(rune('0'+i)) + "(void);\n"
		if sum != "" {
			sum += "+"
		}
		sum += "f" + string(rune('0'+i)) + "()"
		objs += " f" + string(rune('0'+i)) + ".o"
	}
	main += "int main(void){printf(\"%d\\n\"," + sum + ");return 0;}\n"
	os.WriteFile(filepath.Join(dir, "main.c"), []byte(main), 0o644)
	mk := "OBJS=" + objs + "\nprog: $(OBJS)\n\tgcc -o $@ $(OBJS)\n%.o: %.c\n\tgcc -O2 -c $< -o $@\n"
	os.WriteFile(filepath.Join(dir, "Makefile"), []byte(mk), 0o644)
	r := runSandboxed(t, dir, "/bin/sh", "-c", "make -j2 -s && ./prog")
	if r.status != 0 || strings.TrimSpace(string(r.stdout)) != "21" {
		t.Fatalf("make -j2 in the sandbox: %v, stdout %q", r, r.stdout)
	}
	// The build happened in the sandbox's memory layer: nothing on the host.
	if _, err := os.Stat(filepath.Join(dir, "prog")); err == nil {
		t.Fatal("the sandboxed build wrote to the host")
	}
}

// TestProcessOrphanedStoppedGroup: a stopped process whose group becomes
// orphaned gets SIGHUP and SIGCONT, as natively.
func TestProcessOrphanedStoppedGroup(t *testing.T) {
	bin := buildTestdata(t, "orphan_pgrp")
	differential(t, "/", 0, bin)
}
