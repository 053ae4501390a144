/* /proc/self/stat starts with "<pid> (<comm>) R" and has the ppid as field 4. */
#include "../check.h"
int main(void) {
	FILE *f = OKP(fopen("/proc/self/stat", "r"));
	int pid, ppid;
	char comm[64], state;
	CHECK_EQ(fscanf(f, "%d %63s %c %d", &pid, comm, &state, &ppid), 4);
	CHECK_EQ(pid, getpid());
	CHECK_EQ(ppid, getppid());
	CHECK_EQ(state, 'R');
	CHECK_EQ(comm[0], '(');
	return 0;
}
