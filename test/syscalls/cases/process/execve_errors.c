/* execve of a missing file is ENOENT, of a directory EACCES, of a non-executable EACCES. */
#include "../check.h"
int main(void) {
	char *argv[] = {"x", NULL};
	char *envp[] = {NULL};
	ERR(execve("/nonexistent-stockade", argv, envp), ENOENT);
	ERR(execve("/etc", argv, envp), EACCES);
	ERR(execve("/etc/passwd", argv, envp), EACCES);
	return 0;
}
