// SPDX-License-Identifier: GPL-2.0
/* The rendering of `mxprobe binds` events (user/binds_out.c): the JSON line
 * is valid JSON with the fields of the text line, also for a command name
 * with quotes and control bytes; the text line shows the requested address,
 * the port a port-0 bind got, the errno name and the holder. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <json-c/json.h>

#include "unit.h"
#include "binds.h"

static struct mx_bind_event event(int family, const char *addr, uint16_t port, int ret)
{
	struct mx_bind_event e;

	memset(&e, 0, sizeof(e));
	e.ts_ns = 1000000000ULL;
	e.pid = e.tid = 4242;
	e.netns = 4026531840u;
	e.kind = MX_BIND_EV_BIND;
	e.family = e.sa_family = family;
	e.proto = IPPROTO_TCP;
	e.port = port;
	e.ret = ret;
	e.bound_port = ret ? 0 : port;
	assert_int_equal(inet_pton(family, addr, e.addr), 1);
	memcpy(e.comm, "exim4", 6);
	return e;
}

static char *render(const struct mx_bind_event *e, const struct mx_binds_extra *x, bool json)
{
	struct mx_binds_out o = {.json = json, .header_done = true};
	char *buf = NULL;
	size_t len = 0;

	o.f = open_memstream(&buf, &len);
	assert_non_null(o.f);
	mx_binds_print(&o, e, x);
	fclose(o.f);
	return buf;
}

static void test_json_failed_bind_with_holder(void **state)
{
	struct mx_bind_event e = event(AF_INET, "0.0.0.0", 25, -EADDRINUSE);
	struct mx_binds_extra x;
	json_object *j, *v, *h;
	char *s;

	(void)state;
	memset(&x, 0, sizeof(x));
	/* A command name is any 15 bytes: quotes, backslash, control bytes. */
	memcpy(e.comm, "a\"b\\c\x01\x7f", 8);
	x.nholders = 1;
	x.holders[0].pid = 999;
	snprintf(x.holders[0].comm, sizeof(x.holders[0].comm), "master");
	snprintf(x.holders[0].container, sizeof(x.holders[0].container), "mailcow-postfix-1");
	snprintf(x.holders[0].addr, sizeof(x.holders[0].addr), "127.0.0.1");
	x.holders[0].port = 25;
	snprintf(x.netns_name, sizeof(x.netns_name), "host");
	s = render(&e, &x, true);
	assert_non_null(strchr(s, '\n'));
	j = json_tokener_parse(s);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "comm", &v));
	assert_string_equal(json_object_get_string(v), "a\"b\\c\x01\x7f");
	assert_true(json_object_object_get_ex(j, "event", &v));
	assert_string_equal(json_object_get_string(v), "bind");
	assert_true(json_object_object_get_ex(j, "ts", &v));
	assert_string_equal(json_object_get_string(v) + 19, ".000000Z");
	assert_true(json_object_object_get_ex(j, "address", &v));
	assert_string_equal(json_object_get_string(v), "0.0.0.0");
	assert_true(json_object_object_get_ex(j, "port", &v));
	assert_int_equal(json_object_get_int(v), 25);
	assert_true(json_object_object_get_ex(j, "result", &v));
	assert_string_equal(json_object_get_string(v), "EADDRINUSE");
	assert_true(json_object_object_get_ex(j, "errno", &v));
	assert_int_equal(json_object_get_int(v), EADDRINUSE);
	assert_true(json_object_object_get_ex(j, "netns_name", &v));
	assert_string_equal(json_object_get_string(v), "host");
	assert_true(json_object_object_get_ex(j, "container", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(j, "holders", &v));
	assert_int_equal(json_object_array_length(v), 1);
	h = json_object_array_get_idx(v, 0);
	assert_true(json_object_object_get_ex(h, "pid", &v));
	assert_int_equal(json_object_get_int(v), 999);
	assert_true(json_object_object_get_ex(h, "container", &v));
	assert_string_equal(json_object_get_string(v), "mailcow-postfix-1");
	assert_true(json_object_object_get_ex(h, "address", &v));
	assert_string_equal(json_object_get_string(v), "127.0.0.1");
	json_object_put(j);
	free(s);
}

static void test_json_listen_v6_ok(void **state)
{
	struct mx_bind_event e = event(AF_INET6, "::1", 993, 0);
	struct mx_binds_extra x;
	json_object *j, *v;
	char *s;

	(void)state;
	memset(&x, 0, sizeof(x));
	e.kind = MX_BIND_EV_LISTEN;
	e.backlog = 128;
	e.flags = MX_BIND_F_V6ONLY | MX_BIND_F_REUSEADDR;
	s = render(&e, &x, true);
	j = json_tokener_parse(s);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "event", &v));
	assert_string_equal(json_object_get_string(v), "listen");
	assert_true(json_object_object_get_ex(j, "family", &v));
	assert_string_equal(json_object_get_string(v), "ipv6");
	assert_true(json_object_object_get_ex(j, "address", &v));
	assert_string_equal(json_object_get_string(v), "::1");
	assert_true(json_object_object_get_ex(j, "backlog", &v));
	assert_int_equal(json_object_get_int(v), 128);
	assert_true(json_object_object_get_ex(j, "v6only", &v));
	assert_true(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(j, "reuseport", &v));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(j, "errno", &v));
	assert_null(v);
	assert_false(json_object_object_get_ex(j, "holders", &v));
	json_object_put(j);
	free(s);
}

static void test_text_line(void **state)
{
	struct mx_bind_event e = event(AF_INET6, "::", 25, -EADDRINUSE);
	struct mx_binds_extra x;
	char *s;

	(void)state;
	memset(&x, 0, sizeof(x));
	x.nholders = 1;
	x.holders[0].pid = 77;
	snprintf(x.holders[0].comm, sizeof(x.holders[0].comm), "master");
	snprintf(x.holders[0].addr, sizeof(x.holders[0].addr), "::1");
	x.holders[0].port = 25;
	s = render(&e, &x, false);
	assert_non_null(strstr(s, " bind "));
	assert_non_null(strstr(s, "[::]:25 "));
	assert_non_null(strstr(s, "EADDRINUSE"));
	assert_non_null(strstr(s, "held by pid 77 master on [::1]:25"));
	assert_non_null(strstr(s, " 4026531840"));
	free(s);

	/* A bind to port 0 shows the port the kernel picked. */
	e = event(AF_INET, "127.0.0.1", 0, 0);
	e.bound_port = 43521;
	memset(&x, 0, sizeof(x));
	s = render(&e, &x, false);
	assert_non_null(strstr(s, "127.0.0.1:0->43521"));
	assert_non_null(strstr(s, " ok "));
	assert_null(strstr(s, "held by"));
	free(s);

	/* The lookup failed: said, not hidden. */
	e = event(AF_INET, "0.0.0.0", 80, -EADDRINUSE);
	x.nholders = -1;
	snprintf(x.holder_err, sizeof(x.holder_err), "network namespace 123 is gone");
	s = render(&e, &x, false);
	assert_non_null(strstr(s, "holder unknown: network namespace 123 is gone"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_failed_bind_with_holder),
	    cmocka_unit_test(test_json_listen_v6_ok),
	    cmocka_unit_test(test_text_line),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
