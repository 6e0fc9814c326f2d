// SPDX-License-Identifier: GPL-2.0
/* The workload of tests/bench/binds.sh: socket(), bind(), listen(), close()
 * on one TCP port, N times, in a network namespace of its own (so port 25 is
 * free and nothing on the host is touched), optionally paced to RATE binds a
 * second. Prints one line: iterations, failures, seconds, rate, CPU seconds.
 *   bindloop -n N [-r RATE] [-p PORT] [-6]     (root: unshare(CLONE_NEWNET)) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static double tv(struct timeval t)
{
	return t.tv_sec + t.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	long n = 100000, i, failed = 0;
	double rate = 0, t0, t;
	int port = 25, v6 = 0, c;
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT};
	struct sockaddr_in a4 = {.sin_family = AF_INET};
	struct rusage ru;

	while ((c = getopt(argc, argv, "n:r:p:6")) != -1) {
		switch (c) {
		case 'n':
			n = atol(optarg);
			break;
		case 'r':
			rate = atof(optarg);
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case '6':
			v6 = 1;
			break;
		default:
			fprintf(stderr, "usage: bindloop -n N [-r RATE] [-p PORT] [-6]\n");
			return 2;
		}
	}
	if (unshare(CLONE_NEWNET) < 0) {
		perror("bindloop: unshare(CLONE_NEWNET)");
		return 1;
	}
	a4.sin_port = a6.sin6_port = htons(port);
	t0 = now();
	for (i = 0; i < n; i++) {
		int s = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);

		if (s < 0) {
			perror("bindloop: socket");
			return 1;
		}
		if (rate > 0)
			while (now() - t0 < i / rate)
				; /* spin: sleeping is far coarser than 10 us */
		if ((v6 ? bind(s, (struct sockaddr *)&a6, sizeof(a6))
			: bind(s, (struct sockaddr *)&a4, sizeof(a4))) < 0 ||
		    listen(s, 1) < 0)
			failed++;
		close(s);
	}
	t = now() - t0;
	getrusage(RUSAGE_SELF, &ru);
	printf("iterations %ld failed %ld seconds %.6f rate %.0f user %.3f sys %.3f\n", n, failed,
	       t, n / t, tv(ru.ru_utime), tv(ru.ru_stime));
	return 0; /* failures are counted: the bench reports them */
}
