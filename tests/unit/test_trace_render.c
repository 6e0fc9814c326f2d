// SPDX-License-Identifier: GPL-2.0
/* trace_render.c on synthetic packet records: DNAT from the conntrack
 * tuples, the hook where a drop happened, repeats of a flow counted, the
 * JSON event. (The live paths are tested in tests/integration/live/trace-*.sh;
 * here the renderer alone, with no kernel, ruleset or Docker.) */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdio.h>

#include "unit.h"
#include "trace.h"

#define IPS_DST_NAT (1u << 5)

static struct mx_trace_run run;

static void addr4(uint8_t *a, const char *s)
{
	memset(a, 0, 16);
	assert_int_equal(inet_pton(AF_INET, s, a), 1);
}

/* A forwarded SYN from 203.0.113.7:40000 to 192.0.2.1:25, DNAT'ed to
 * 172.22.1.25:25. */
static void syn(struct mx_trace_event *e, uint64_t id)
{
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->family = 4;
	e->proto = 6;
	e->tcp_flags = 0x02;
	e->len = 60;
	addr4(e->first.saddr, "203.0.113.7");
	addr4(e->first.daddr, "192.0.2.1");
	e->first.sport = htons(40000);
	e->first.dport = htons(25);
	e->last = e->first;
	addr4(e->last.daddr, "172.22.1.25");
	e->has_ct = 1;
	e->ct_status = IPS_DST_NAT;
	e->ct_orig = e->first;
	addr4(e->ct_reply.saddr, "172.22.1.25");
	addr4(e->ct_reply.daddr, "203.0.113.7");
	e->ct_reply.sport = htons(25);
	e->ct_reply.dport = htons(40000);
	e->seen = MX_SEEN(MX_HOOK_PRE, 0) | MX_SEEN(MX_HOOK_PRE, 1) | MX_SEEN(MX_HOOK_FWD, 0) |
		  MX_SEEN(MX_HOOK_FWD, 1) | MX_SEEN(MX_HOOK_POST, 0) | MX_SEEN(MX_HOOK_POST, 1);
	e->end = MX_END_FORWARDED;
	e->in_ifindex = 2;
	e->out_ifindex = 3;
	snprintf(e->in_name, sizeof(e->in_name), "eth0");
	snprintf(e->out_name, sizeof(e->out_name), "br-mailcow");
}

static char *render(int json, void (*fill)(void))
{
	char *buf = NULL;
	size_t len = 0;

	memset(&run, 0, sizeof(run));
	run.hooks = MX_TRACE_NFLINK;
	run.json = json;
	run.out = open_memstream(&buf, &len);
	assert_non_null(run.out);
	fill();
	mx_trace_flush_repeats(&run);
	fclose(run.out);
	return buf;
}

static void fill_forwarded(void)
{
	struct mx_trace_event e;

	syn(&e, 1);
	mx_trace_render(&run, &e, NULL, 0);
	syn(&e, 2); /* the same path again: counted, not printed */
	e.tcp_flags = 0x10;
	mx_trace_render(&run, &e, NULL, 0);
}

static void test_forwarded_text(void **state)
{
	char *s = render(0, fill_forwarded);

	(void)state;
	assert_non_null(strstr(s, "#1 "));
	assert_non_null(strstr(s, "tcp 203.0.113.7:40000 → 192.0.2.1:25 [S] len 60"));
	assert_non_null(strstr(
	    s, "  PREROUTING  in eth0\n      DNAT 192.0.2.1:25 → 172.22.1.25:25 (conntrack)\n"));
	assert_non_null(strstr(s, "  FORWARD     in eth0 out br-mailcow\n"));
	assert_non_null(strstr(s, "  ⇒ forwarded to 172.22.1.25:25 out br-mailcow\n"));
	assert_null(strstr(s, "#2 "));
	assert_non_null(strstr(
	    s, "… 1 more packet of tcp 203.0.113.7:40000 → 192.0.2.1:25 took the same path as #1"));
	assert_int_equal(run.printed, 1);
	free(s);
}

static void fill_drop(void)
{
	struct mx_trace_event e;

	syn(&e, 7);
	e.seen = MX_SEEN(MX_HOOK_PRE, 0) | MX_SEEN(MX_HOOK_PRE, 1) | MX_SEEN(MX_HOOK_FWD, 0);
	e.end = MX_END_DROP;
	e.drop_reason = 100000; /* no kernel has it: shown as a number */
	mx_trace_render(&run, &e, NULL, 0);
}

static void test_drop_text(void **state)
{
	char *s = render(0, fill_drop);

	(void)state;
	assert_non_null(strstr(
	    s,
	    "⇒ DROPPED in FORWARD between priority -1 and 1 (filter table): reason 100000 at 0x0"));
	assert_null(strstr(s, "POSTROUTING"));
	assert_int_equal(run.drops, 1);
	free(s);
}

static void test_drop_json(void **state)
{
	char *s = render(1, fill_drop), *line;
	json_object *j, *end, *v;

	(void)state;
	assert_non_null(strchr(s, '\n'));
	line = strndup(s, strcspn(s, "\n"));
	j = json_tokener_parse(line);
	free(line);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "event", &v));
	assert_string_equal(json_object_get_string(v), "packet");
	assert_true(json_object_object_get_ex(j, "end", &end));
	assert_true(json_object_object_get_ex(end, "kind", &v));
	assert_string_equal(json_object_get_string(v), "dropped");
	assert_true(json_object_object_get_ex(end, "hook", &v));
	assert_string_equal(json_object_get_string(v), "FORWARD");
	assert_true(json_object_object_get_ex(j, "dnat", &v));
	assert_true(json_object_object_get_ex(v, "to", &v));
	assert_string_equal(json_object_get_string(v), "172.22.1.25:25");
	json_object_put(j);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_forwarded_text),
	    cmocka_unit_test(test_drop_text),
	    cmocka_unit_test(test_drop_json),
	};

	unsetenv("DOCKER_HOST");
	/* No Docker socket under a sysroot that does not exist. */
	mx_sysroot_set("tests/unit/fixtures/none");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
