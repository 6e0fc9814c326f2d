// SPDX-License-Identifier: GPL-2.0
/* The stub resolver against a server on loopback that misbehaves on purpose:
 * replies with the wrong id, the wrong question or no QR bit before the real
 * one; truncated UDP answers (then TCP); silence; SERVFAIL. A scripted
 * server rather than nsd/unbound because no real server sends forged or
 * mismatching replies, and those are what the validation is for. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <ldns/ldns.h>

#include "unit.h"
#include "dns_client.h"

enum mode { M_SPOOF, M_TC, M_SILENT, M_SERVFAIL, M_CNAME, M_NOEDNS, M_BOGUS };

static struct {
	int udp, tcp, stop[2];
	uint16_t port;
	enum mode mode;
	int queries;
	uint16_t ids[16];
} srv;

static ldns_pkt *answer_for(const ldns_pkt *q, const char *rrs)
{
	ldns_pkt *a = ldns_pkt_new();
	char buf[1024], *line, *save = NULL;

	ldns_pkt_set_id(a, ldns_pkt_id(q));
	ldns_pkt_set_qr(a, true);
	ldns_pkt_set_rd(a, true);
	ldns_pkt_set_ra(a, true);
	ldns_rr_list *ql = ldns_rr_list_clone(ldns_pkt_question(q));

	ldns_pkt_push_rr_list(a, LDNS_SECTION_QUESTION, ql);
	ldns_rr_list_free(ql); /* the list only: its records now belong to a */
	snprintf(buf, sizeof(buf), "%s", rrs);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		ldns_rr *rr = NULL;

		assert_int_equal(ldns_rr_new_frm_str(&rr, line, 300, NULL, NULL), LDNS_STATUS_OK);
		ldns_pkt_push_rr(a, LDNS_SECTION_ANSWER, rr);
	}
	return a;
}

static void send_pkt(int fd, const struct sockaddr_storage *to, socklen_t tl, ldns_pkt *p)
{
	uint8_t *w = NULL;
	size_t n = 0;

	assert_int_equal(ldns_pkt2wire(&w, p, &n), LDNS_STATUS_OK);
	sendto(fd, w, n, 0, (const struct sockaddr *)to, tl);
	free(w);
	ldns_pkt_free(p);
}

static void on_udp(void)
{
	uint8_t buf[4096];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(srv.udp, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	ldns_pkt *q = NULL, *a;

	if (n <= 0 || ldns_wire2pkt(&q, buf, n) != LDNS_STATUS_OK)
		return;
	if (srv.queries < 16)
		srv.ids[srv.queries] = ldns_pkt_id(q);
	srv.queries++;
	switch (srv.mode) {
	case M_SPOOF:
		a = answer_for(q, "x.test. 300 IN A 192.0.2.66");
		ldns_pkt_set_id(a, ldns_pkt_id(q) + 1);
		send_pkt(srv.udp, &from, fl, a);
		a = answer_for(q, "x.test. 300 IN A 192.0.2.66");
		{
			ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(a), 0);

			ldns_rdf_deep_free(ldns_rr_owner(qr));
			ldns_rr_set_owner(qr, ldns_dname_new_frm_str("y.test."));
		}
		send_pkt(srv.udp, &from, fl, a);
		a = answer_for(q, "x.test. 300 IN A 192.0.2.66");
		ldns_pkt_set_qr(a, false);
		send_pkt(srv.udp, &from, fl, a);
		send_pkt(srv.udp, &from, fl, answer_for(q, "x.test. 300 IN A 192.0.2.1"));
		break;
	case M_TC:
		a = answer_for(q, "");
		ldns_pkt_set_tc(a, true);
		send_pkt(srv.udp, &from, fl, a);
		break;
	case M_SERVFAIL:
		a = answer_for(q, "");
		ldns_pkt_set_rcode(a, LDNS_RCODE_SERVFAIL);
		send_pkt(srv.udp, &from, fl, a);
		break;
	case M_CNAME:
		send_pkt(srv.udp, &from, fl,
			 answer_for(q,
				    "x.test. 300 IN CNAME y.test.\ny.test. 300 IN CNAME z.test.\n"
				    "z.test. 300 IN A 192.0.2.7\nother.test. 300 IN A 192.0.2.8"));
		break;
	case M_NOEDNS:
		/* An old server: FORMERR for any query with an OPT record. */
		a = answer_for(q, "x.test. 300 IN A 192.0.2.9");
		if (ldns_pkt_edns(q)) {
			ldns_pkt_free(a);
			a = answer_for(q, "");
			ldns_pkt_set_rcode(a, LDNS_RCODE_FORMERR);
		}
		send_pkt(srv.udp, &from, fl, a);
		break;
	case M_BOGUS:
		/* A validator with a broken zone: SERVFAIL unless CD is set. */
		a = answer_for(q, "x.test. 300 IN A 192.0.2.10");
		if (!ldns_pkt_cd(q)) {
			ldns_pkt_free(a);
			a = answer_for(q, "");
			ldns_pkt_set_rcode(a, LDNS_RCODE_SERVFAIL);
		}
		send_pkt(srv.udp, &from, fl, a);
		break;
	case M_SILENT:
		break;
	}
	ldns_pkt_free(q);
}

static void on_tcp(void)
{
	int c = accept(srv.tcp, NULL, NULL);
	uint8_t hdr[2], buf[4096], *w = NULL;
	size_t len, n = 0;
	ldns_pkt *q = NULL, *a;

	if (c < 0)
		return;
	if (recv(c, hdr, 2, MSG_WAITALL) != 2)
		goto out;
	len = hdr[0] << 8 | hdr[1];
	if (recv(c, buf, len, MSG_WAITALL) != (ssize_t)len || ldns_wire2pkt(&q, buf, len))
		goto out;
	a = answer_for(q, "x.test. 300 IN TXT \"v=spf1 -all\"\nx.test. 300 IN TXT \"big\"");
	ldns_pkt2wire(&w, a, &n);
	hdr[0] = n >> 8;
	hdr[1] = n & 0xff;
	send(c, hdr, 2, 0);
	send(c, w, n, 0);
	free(w);
	ldns_pkt_free(a);
	ldns_pkt_free(q);
out:
	close(c);
}

static void *serve(void *arg)
{
	struct pollfd p[3] = {{srv.udp, POLLIN, 0}, {srv.tcp, POLLIN, 0}, {srv.stop[0], POLLIN, 0}};

	for (;;) {
		if (poll(p, 3, -1) < 0)
			continue;
		if (p[2].revents)
			return NULL;
		if (p[0].revents)
			on_udp();
		if (p[1].revents)
			on_tcp();
	}
}

static pthread_t th;

static int start(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof(a);
	int one = 1;

	srv.udp = socket(AF_INET, SOCK_DGRAM, 0);
	assert_int_equal(bind(srv.udp, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(srv.udp, (struct sockaddr *)&a, &l);
	srv.port = ntohs(a.sin_port);
	srv.tcp = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(srv.tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(srv.tcp, (struct sockaddr *)&a, sizeof(a)), 0);
	listen(srv.tcp, 4);
	assert_int_equal(pipe(srv.stop), 0);
	return pthread_create(&th, NULL, serve, NULL);
}

static int stop(void **state)
{
	assert_int_equal(write(srv.stop[1], "x", 1), 1);
	pthread_join(th, NULL);
	close(srv.udp);
	close(srv.tcp);
	return 0;
}

static void client(struct mx_dns_client *c, enum mode m)
{
	char err[128];

	srv.mode = m;
	srv.queries = 0;
	assert_int_equal(mx_dns_client_init(c, "127.0.0.1", 0.6, err, sizeof(err)), 0);
	((struct sockaddr_in *)&c->srv[0])->sin_port = htons(srv.port);
	c->log = json_object_new_array();
}

static const char *logged(struct mx_dns_client *c, const char *key)
{
	json_object *q = json_object_array_get_idx(c->log, 0), *v;

	return json_object_object_get_ex(q, key, &v) && v ? json_object_get_string(v) : "";
}

static void test_mismatching_replies_dropped(void **state)
{
	struct mx_dns_client c;
	struct mx_rrset s;

	client(&c, M_SPOOF);
	mx_dns_lookup(&c, "x.test", MX_T_A, &s);
	assert_int_equal(s.status, MX_RR_OK);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.rr[0].text, "192.0.2.1"); /* never .66 */
	assert_int_equal(c.dropped, 3);
	assert_int_equal(srv.queries, 1);
	mx_rrset_free(&s);
	json_object_put(c.log);
}

static void test_truncated_goes_tcp(void **state)
{
	struct mx_dns_client c;
	struct mx_rrset s;

	client(&c, M_TC);
	mx_dns_lookup(&c, "x.test", MX_T_TXT, &s);
	assert_int_equal(s.status, MX_RR_OK);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.rr[0].text, "v=spf1 -all");
	assert_string_equal(logged(&c, "transport"), "tcp");
	mx_rrset_free(&s);
	json_object_put(c.log);
}

static void test_silence_retries_new_ids(void **state)
{
	struct mx_dns_client c;
	struct mx_rrset s;

	client(&c, M_SILENT);
	mx_dns_lookup(&c, "x.test", MX_T_A, &s);
	assert_int_equal(s.status, MX_RR_ERROR);
	assert_non_null(strstr(s.error, "timeout (asked 127.0.0.1)"));
	assert_int_equal(srv.queries, 3);
	assert_true(srv.ids[0] != srv.ids[1] || srv.ids[1] != srv.ids[2]);
	assert_string_equal(logged(&c, "error"), s.error);
	mx_rrset_free(&s);
	json_object_put(c.log);
}

static void test_servfail_and_cname(void **state)
{
	struct mx_dns_client c;
	struct mx_rrset s;

	client(&c, M_SERVFAIL);
	mx_dns_lookup(&c, "x.test", MX_T_A, &s);
	assert_int_equal(s.status, MX_RR_ERROR);
	assert_string_equal(s.error, "SERVFAIL");
	mx_rrset_free(&s);
	json_object_put(c.log);

	/* SERVFAIL that goes away with CD: DNSSEC, not the server. */
	client(&c, M_BOGUS);
	mx_dns_lookup(&c, "x.test", MX_T_A, &s);
	assert_int_equal(s.status, MX_RR_ERROR);
	assert_true(s.bogus);
	assert_non_null(strstr(s.error, "DNSSEC validation fails"));
	assert_int_equal(srv.queries, 2);
	mx_rrset_free(&s);
	json_object_put(c.log);
	/* A plain SERVFAIL stays one. */
	client(&c, M_SERVFAIL);
	mx_dns_lookup(&c, "x.test", MX_T_A, &s);
	assert_false(s.bogus);
	json_object_put(c.log);

	client(&c, M_CNAME);
	mx_dns_lookup(&c, "X.Test.", MX_T_A, &s);
	assert_int_equal(s.status, MX_RR_OK);
	/* Name compression may carry the question's case into the answer. */
	assert_int_equal(strcasecmp(s.cname, "z.test"), 0);
	assert_int_equal(s.n, 1); /* other.test's A is not ours */
	assert_string_equal(s.rr[0].text, "192.0.2.7");
	assert_false(s.ad);
	mx_rrset_free(&s);
	json_object_put(c.log);

	client(&c, M_CNAME);
	mx_dns_lookup(&c, "bad..name", MX_T_A, &s);
	assert_int_equal(s.status, MX_RR_ERROR);
	assert_non_null(strstr(s.error, "not a valid DNS name"));
	assert_int_equal(srv.queries, 0);
	json_object_put(c.log);
}

static void test_formerr_retries_without_edns(void **state)
{
	struct mx_dns_client c;
	struct mx_rrset s;

	client(&c, M_NOEDNS);
	mx_dns_lookup(&c, "x.test", MX_T_A, &s);
	assert_int_equal(s.status, MX_RR_OK);
	assert_string_equal(s.rr[0].text, "192.0.2.9");
	assert_int_equal(srv.queries, 2);
	assert_string_equal(logged(&c, "transport"), "udp-noedns");
	mx_rrset_free(&s);
	json_object_put(c.log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mismatching_replies_dropped),
	    cmocka_unit_test(test_truncated_goes_tcp),
	    cmocka_unit_test(test_silence_retries_new_ids),
	    cmocka_unit_test(test_servfail_and_cname),
	    cmocka_unit_test(test_formerr_retries_without_edns),
	};

	return cmocka_run_group_tests_name("dns_client", tests, start, stop);
}
