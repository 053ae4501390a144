/* /proc/self/status has Name, Pid, PPid, Uid and Threads lines that match. */
#include "../check.h"
int main(void) {
	FILE *f = OKP(fopen("/proc/self/status", "r"));
	char line[256];
	int pid = -1, ppid = -1, threads = -1, uid = -1;
	while (fgets(line, sizeof line, f)) {
		sscanf(line, "Pid: %d", &pid);
		sscanf(line, "PPid: %d", &ppid);
		sscanf(line, "Threads: %d", &threads);
		sscanf(line, "Uid: %d", &uid);
	}
	CHECK_EQ(pid, getpid());
	CHECK_EQ(ppid, getppid());
	CHECK_EQ(threads, 1);
	CHECK_EQ(uid, getuid());
	return 0;
}
