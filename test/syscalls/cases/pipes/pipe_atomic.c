/* writes of PIPE_BUF bytes from two writers never interleave. */
#include "../check.h"
int main(void) {
	int p[2];
	OK(pipe(p));
	pid_t kids[2];
	for (int k = 0; k < 2; k++) {
		kids[k] = OK(fork());
		if (kids[k] == 0) {
			char buf[PIPE_BUF];
			memset(buf, 'a' + k, sizeof buf);
			for (int i = 0; i < 16; i++)
				if (write(p[1], buf, sizeof buf) != PIPE_BUF)
					_exit(2);
			_exit(0);
		}
	}
	close(p[1]);
	char buf[PIPE_BUF];
	for (int i = 0; i < 32; i++) {
		CHECK_EQ(full_read(p[0], buf, PIPE_BUF), PIPE_BUF);
		for (int j = 1; j < PIPE_BUF; j++)
			if (buf[j] != buf[0])
				fail("chunk %d interleaved at byte %d: got '%c' want '%c'", i, j, buf[j], buf[0]);
	}
	WAIT_EXIT(kids[0], 0);
	WAIT_EXIT(kids[1], 0);
	return 0;
}
