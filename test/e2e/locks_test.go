package e2e

import (
	"os"
	"testing"
)

// Advisory locks, file-change notification and the special files of
// issue 6, run natively and sandboxed with the same expected output.

// TestLocksFlockTool runs util-linux flock(1): a second, non-blocking
// taker fails while the first holds the lock; a blocking one waits.
func TestLocksFlockTool(t *testing.T) {
	if _, err := os.Stat("/usr/bin/flock"); err != nil {
		t.Skip("flock(1) is absent (util-linux)")
	}
	script := `set -e
d=$(mktemp -d /tmp/stockade-flock-XXXXXX)
f=$d/lock
flock $f -c "echo held; touch $d/held; while [ ! -e $d/go ]; do sleep 0.05; done; echo released" &
while [ ! -e $d/held ]; do sleep 0.05; done
flock -n $f -c 'echo got it' || echo "busy: $?"
flock -s -n $f -c 'echo got shared' || echo "busy shared: $?"
touch $d/go
flock $f -c 'echo waited'
wait
flock -n -x $f -c 'echo free again'
rm -rf $d`
	differential(t, "/", 0, "/bin/sh", "-c", script)
}

// TestLocksPythonLockf has a parent and a child contend for fcntl record
// locks through python's fcntl.lockf: a non-blocking attempt fails, a
// blocking one waits for the parent's unlock, byte ranges of different
// owners coexist, and a lock cycle is refused with EDEADLK.
func TestLocksPythonLockf(t *testing.T) {
	src := `
import errno, fcntl, os, tempfile, time
d = tempfile.mkdtemp(dir="/tmp")
path = os.path.join(d, "f")
with open(path, "wb") as f:
    f.write(b"0123456789")
f = open(path, "r+b")
fcntl.lockf(f, fcntl.LOCK_EX, 1, 0)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    g = open(path, "r+b")
    try:
        fcntl.lockf(g, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 0)
        print("child: locked byte 0?!")
    except OSError as e:
        print("child: byte 0 busy", errno.errorcode[e.errno] in ("EAGAIN", "EACCES"))
    fcntl.lockf(g, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 1)
    print("child: byte 1 locked", flush=True)
    os.write(w, b"x")
    fcntl.lockf(g, fcntl.LOCK_EX, 1, 0)  # waits for the parent
    print("child: byte 0 locked after wait", flush=True)
    os._exit(0)
os.read(r, 1)
# Wait until the child sleeps in its blocking lockf.
for _ in range(500):
    with open("/proc/%d/stat" % pid) as st:
        if st.read().rsplit(")", 1)[1].split()[0] == "S":
            break
    time.sleep(0.01)
time.sleep(0.05)
try:
    fcntl.lockf(f, fcntl.LOCK_EX, 1, 1)  # the child waits for us: a cycle
    print("parent: no deadlock?!")
except OSError as e:
    print("parent:", errno.errorcode[e.errno])
fcntl.lockf(f, fcntl.LOCK_UN, 1, 0)
_, st = os.waitpid(pid, 0)
print("child exit", os.WEXITSTATUS(st))
# POSIX locks go with any close of the file by the process.
fcntl.lockf(f, fcntl.LOCK_EX, 0, 0)
h = open(path, "rb")
h.close()
pid = os.fork()
if pid == 0:
    g = open(path, "r+b")
    fcntl.lockf(g, fcntl.LOCK_EX | fcntl.LOCK_NB, 0, 0)
    print("child: lock free after parent's close")
    os._exit(0)
os.waitpid(pid, 0)
os.unlink(path)
os.rmdir(d)
`
	differential(t, "/", 0, python, "-c", src)
}

// TestLocksPythonFlock checks flock(2) through python: locks belong to
// the open file description, shared by a forked child's copy of the fd.
func TestLocksPythonFlock(t *testing.T) {
	src := `
import fcntl, os, tempfile
d = tempfile.mkdtemp(dir="/tmp")
path = os.path.join(d, "f")
a = open(path, "w")
fcntl.flock(a, fcntl.LOCK_EX)
pid = os.fork()
if pid == 0:
    fcntl.flock(a, fcntl.LOCK_EX | fcntl.LOCK_NB)  # same description: fine
    b = open(path, "w")
    try:
        fcntl.flock(b, fcntl.LOCK_SH | fcntl.LOCK_NB)
        print("child: shared lock?!")
    except BlockingIOError:
        print("child: other description blocked")
    os._exit(0)
os.waitpid(pid, 0)
a.close()
b = open(path, "w")
fcntl.flock(b, fcntl.LOCK_SH | fcntl.LOCK_NB)
print("free after close")
os.unlink(path)
os.rmdir(d)
`
	differential(t, "/", 0, python, "-c", src)
}

// inotifySrc watches a directory and a file in it and prints the events
// that creating, writing, renaming and removing produce.
const inotifySrc = `
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
int main(void) {
	char d[] = "/tmp/stockade-inotify-XXXXXX";
	if (!mkdtemp(d)) return 1;
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	int wd = inotify_add_watch(in, d, IN_ALL_EVENTS);
	char p[256], q[256];
	snprintf(p, sizeof p, "%s/a", d);
	snprintf(q, sizeof q, "%s/b", d);
	int fd = open(p, O_CREAT | O_WRONLY, 0644);
	int wf = inotify_add_watch(in, p, IN_ALL_EVENTS);
	if (write(fd, "x", 1) != 1) return 1;
	close(fd);
	chmod(p, 0600);
	rename(p, q);
	char c;
	fd = open(q, O_RDONLY);
	if (read(fd, &c, 1) != 1) return 1;
	close(fd);
	unlink(q);
	mkdir(p, 0755);
	rmdir(p);
	char buf[4096];
	int n = read(in, buf, sizeof buf);
	for (char *x = buf; x < buf + n;) {
		struct inotify_event *e = (void *)x;
		printf("%s mask=%#x cookie=%s name=%s\n", e->wd == wd ? "dir" : e->wd == wf ? "file" : "?",
		       e->mask, e->cookie ? "set" : "0", e->len ? e->name : "");
		x += sizeof *e + e->len;
	}
	printf("rm_watch %d, again %d\n", inotify_rm_watch(in, wd), inotify_rm_watch(in, wd));
	rmdir(d);
	return 0;
}
`

// TestInotifyEvents compares the inotify event stream with Linux's.
func TestInotifyEvents(t *testing.T) {
	bin := buildProcessProg(t, "inotify", inotifySrc)
	differential(t, "/", 0, bin)
}
