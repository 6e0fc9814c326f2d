// SPDX-License-Identifier: GPL-2.0
/* Benchmark load for tests/bench/ports.sh: N processes, each holding a TCP
 * listener on its own port, a bound UDP socket and an unbound TCP socket,
 * then sleeping; plus a few fds of other kinds so the /proc walk sees a
 * realistic mix. It makes its own network namespace (unnamed: it goes away
 * with the last of these processes); the parent dies with its caller and
 * every child with the parent (PR_SET_PDEATHSIG), so nothing outlives the
 * benchmark, even a SIGKILL of it. Join the namespace through
 * /proc/PID/ns/net of the parent.
 *   sockhold NPROC BASEPORT */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int hold(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0);

	if (t < 0 || u < 0 || bind(t, (void *)&a, sizeof(a)) || listen(t, 4) ||
	    bind(u, (void *)&a, sizeof(a)))
		return -1;
	socket(AF_INET6, SOCK_STREAM, 0);
	open("/dev/null", O_RDONLY);
	open("/", O_RDONLY | O_DIRECTORY);
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000, base = argc > 2 ? atoi(argv[2]) : 20000, i;
	int ready[2];
	char c;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (unshare(CLONE_NEWNET)) {
		perror("unshare(CLONE_NEWNET)");
		return 1;
	}
	if (pipe(ready))
		return 1;
	for (i = 0; i < n; i++) {
		pid_t p = fork();

		if (p < 0) {
			perror("fork");
			return 1;
		}
		if (p == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == 1)
				_exit(0);
			close(ready[0]);
			if (hold(base + i))
				_exit(1);
			close(ready[1]);
			pause();
			_exit(0);
		}
	}
	close(ready[1]);
	/* Every child closes its end when its sockets are in place. */
	while (read(ready[0], &c, 1) > 0)
		;
	printf("ready %d\n", n);
	fflush(stdout);
	pause();
	return 0;
}
