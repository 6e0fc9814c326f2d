// SPDX-License-Identifier: GPL-2.0
/* The probe engine on loopback: retries resend until a peer that ignores
 * the first requests answers, silent peers end at their deadline, names go
 * through getaddrinfo_a, and many probes finish in one run. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <unistd.h>
#include "unit.h"
#include "probe_loop.h"

/* A UDP peer on 127.0.0.1 that echoes every datagram after ignoring the
 * first `ignore` ones (ignore < 0: never answers). */
struct peer {
	int fd;
	uint16_t port;
	int ignore;
	int seen;
	pthread_t th;
};

static void *peer_main(void *arg)
{
	struct peer *pe = arg;
	char buf[256];
	struct sockaddr_storage from;
	socklen_t fl;
	ssize_t n;

	for (;;) {
		fl = sizeof(from);
		n = recvfrom(pe->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return NULL;
		if (n == 4 && !memcmp(buf, "QUIT", 4))
			return NULL;
		pe->seen++;
		if (pe->ignore < 0 || pe->seen <= pe->ignore)
			continue;
		sendto(pe->fd, buf, n, 0, (struct sockaddr *)&from, fl);
	}
}

static void peer_start(struct peer *pe, int ignore)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);

	pe->ignore = ignore;
	pe->seen = 0;
	pe->fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(pe->fd >= 0);
	assert_int_equal(bind(pe->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(pe->fd, (struct sockaddr *)&a, &al), 0);
	pe->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&pe->th, NULL, peer_main, pe), 0);
}

static void peer_stop(struct peer *pe)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				.sin_port = htons(pe->port)};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	sendto(fd, "QUIT", 4, 0, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	pthread_join(pe->th, NULL);
	close(pe->fd);
}

/* The test protocol: send a random 8-byte nonce, accept only it back. */
struct echo {
	struct mx_probe p;
	uint8_t nonce[8];
	int alien;
};

static void echo_send(struct mx_probe *p)
{
	struct echo *e = p->proto;

	if (send(p->fds[0], e->nonce, sizeof(e->nonce), 0) == sizeof(e->nonce))
		p->sent++;
}

static int echo_start(struct mx_probe *p)
{
	struct echo *e = p->proto;
	int fd = socket(p->family, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	if (fd < 0 || mx_loop_watch(p, fd, EPOLLIN) < 0 ||
	    connect(fd, (struct sockaddr *)&p->addr, p->addrlen) < 0) {
		mx_probe_fail(p, errno, "setup: %s", strerror(errno));
		return -1;
	}
	mx_random(e->nonce, sizeof(e->nonce));
	echo_send(p);
	return 0;
}

static void echo_io(struct mx_probe *p, int fd, uint32_t ev)
{
	struct echo *e = p->proto;
	uint8_t buf[64];
	ssize_t n = recv(fd, buf, sizeof(buf), 0);

	if (n == sizeof(e->nonce) && !memcmp(buf, e->nonce, sizeof(e->nonce)))
		mx_probe_ok(p, "echoed");
	else if (n >= 0)
		e->alien++;
}

static const struct mx_probe_ops echo_ops = {
    .start = echo_start, .io = echo_io, .resend = echo_send};

static void setup(struct echo *e, const char *host, uint16_t port, int tries)
{
	memset(e, 0, sizeof(*e));
	e->p.ops = &echo_ops;
	e->p.proto = e;
	snprintf(e->p.host, sizeof(e->p.host), "%s", host);
	e->p.port = port;
	e->p.family = AF_INET;
	e->p.socktype = SOCK_DGRAM;
	e->p.tries = tries;
}

static void test_retry_then_answer(void **state)
{
	struct mx_loop_opts o = {.timeout_s = 1.5};
	struct peer pe;
	struct echo e;
	struct mx_loop *l;

	peer_start(&pe, 2); /* drops two requests, answers the third */
	setup(&e, "127.0.0.1", pe.port, 3);
	l = mx_loop_new(&o);
	assert_int_equal(mx_loop_add(l, &e.p), 0);
	assert_int_equal(mx_loop_run(l), 0);
	assert_int_equal(e.p.outcome, MX_OUT_OK);
	assert_int_equal(e.p.sent, 3);
	assert_string_equal(e.p.addr_str, "127.0.0.1");
	mx_loop_free(l);
	peer_stop(&pe);
}

static void test_silent_and_name(void **state)
{
	struct mx_loop_opts o = {.timeout_s = 0.5, .rate_per_s = 1000, .burst = 2};
	struct peer silent, good;
	struct echo e[10];
	struct mx_loop *l;
	int i;

	peer_start(&silent, -1);
	peer_start(&good, 0);
	l = mx_loop_new(&o);
	/* Five to the silent peer, five to the answering one by name. */
	for (i = 0; i < 10; i++) {
		if (i < 5)
			setup(&e[i], "127.0.0.1", silent.port, 2);
		else
			setup(&e[i], "localhost", good.port, 1);
		assert_int_equal(mx_loop_add(l, &e[i].p), 0);
	}
	assert_int_equal(mx_loop_run(l), 0);
	for (i = 0; i < 10; i++) {
		assert_int_equal(e[i].p.state, MX_PROBE_DONE);
		if (i < 5) {
			assert_int_equal(e[i].p.outcome, MX_OUT_FAIL);
			assert_int_equal(e[i].p.err, ETIMEDOUT);
			assert_int_equal(e[i].p.sent, 2); /* the retry went out */
		} else {
			assert_int_equal(e[i].p.outcome, MX_OUT_OK);
		}
	}
	mx_loop_free(l);
	peer_stop(&silent); /* its QUIT comes after our datagrams: all are read */
	peer_stop(&good);
	assert_int_equal(silent.seen, 10);
}

static void test_bad_name(void **state)
{
	struct mx_loop_opts o = {.timeout_s = 0.5};
	struct echo e;
	struct mx_loop *l = mx_loop_new(&o);

	/* An address literal of the other family: not applicable. */
	setup(&e, "::1", 53, 1);
	assert_int_equal(mx_loop_add(l, &e.p), 0);
	assert_int_equal(mx_loop_run(l), 0);
	assert_int_equal(e.p.outcome, MX_OUT_NA);
	mx_loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_retry_then_answer),
	    cmocka_unit_test(test_silent_and_name),
	    cmocka_unit_test(test_bad_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
