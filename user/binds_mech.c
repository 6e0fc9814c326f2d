// SPDX-License-Identifier: GPL-2.0
/* The mechanism of `mxprobe binds`, by real load/attach probes: fexit is the
 * cheapest and sees the kernel's copy of the address and the result in one
 * program; kprobes need a table between entry and return; the syscall
 * tracepoints work everywhere but find the socket through the fd table and
 * miss binds that do not come from bind(2) (io_uring, kernel sockets). */
#include <stdio.h>
#include <string.h>

#include "binds_mech.h"
#include "feature_probe.h"

static void why_not(char *buf, size_t len, enum mx_feature f)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s: %s", n ? "; " : "", mx_feature_name(f),
		 mx_feature_result(f)->detail);
}

void mx_binds_choose(struct mx_binds_choice *c)
{
	const char *buf;

	memset(c, 0, sizeof(*c));
	c->ringbuf = mx_feature(MX_FEAT_RINGBUF);
	if (!c->ringbuf && !mx_feature(MX_FEAT_PERFBUF)) {
		snprintf(c->why, sizeof(c->why), "neither ring buffer (%s) nor perf buffer (%s)",
			 mx_feature_result(MX_FEAT_RINGBUF)->detail,
			 mx_feature_result(MX_FEAT_PERFBUF)->detail);
		return;
	}
	buf = c->ringbuf ? "ring buffer" : "perf buffer";
	if (mx_feature(MX_FEAT_BTF) && mx_feature(MX_FEAT_FENTRY)) {
		c->mech = MX_BINDS_FEXIT;
		snprintf(c->name, sizeof(c->name), "fexit inet_bind/inet6_bind/inet_listen, %s",
			 buf);
		snprintf(c->why, sizeof(c->why), "address, socket and result in one program");
		return;
	}
	why_not(c->why, sizeof(c->why), MX_FEAT_FENTRY);
	if (mx_feature(MX_FEAT_KPROBE)) {
		c->mech = MX_BINDS_KPROBE;
		snprintf(c->name, sizeof(c->name), "kprobe inet_bind/inet6_bind/inet_listen, %s",
			 buf);
		return;
	}
	why_not(c->why, sizeof(c->why), MX_FEAT_KPROBE);
	if (!mx_feature(MX_FEAT_TRACEPOINT)) {
		why_not(c->why, sizeof(c->why), MX_FEAT_TRACEPOINT);
		return;
	}
	if (mx_feature(MX_FEAT_TP_BTF)) {
		c->mech = MX_BINDS_TP_BTF;
		snprintf(c->name, sizeof(c->name),
			 "tracepoints syscalls:{bind,listen} + tp_btf inet_sock_set_state, %s",
			 buf);
		return;
	}
	why_not(c->why, sizeof(c->why), MX_FEAT_TP_BTF);
	c->mech = MX_BINDS_TRACEPOINT;
	snprintf(c->name, sizeof(c->name),
		 "tracepoints syscalls:{bind,listen} + sock:inet_sock_set_state, %s", buf);
}

const char *mx_binds_mechanism(const char **why)
{
	static struct mx_binds_choice c;
	static int done;

	if (!done) {
		mx_binds_choose(&c);
		done = 1;
	}
	*why = c.why;
	return c.mech == MX_BINDS_NONE ? NULL : c.name;
}
