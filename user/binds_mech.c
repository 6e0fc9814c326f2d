// SPDX-License-Identifier: GPL-2.0
/* The mechanism of `mxprobe binds`, by real load/attach probes: fexit is the
 * cheapest and sees the kernel's copy of the address and the result in one
 * program; kprobes need a table between entry and return; the syscall
 * tracepoints work everywhere but find the socket through the fd table and
 * miss binds that do not come from bind(2) (io_uring, kernel sockets). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "binds.skel.h"
#include "binds_mech.h"
#include "feature_probe.h"

static void why_not(char *buf, size_t len, enum mx_feature f)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s: %s", n ? "; " : "", mx_feature_name(f),
		 mx_feature_result(f)->detail);
}

/* MX_BINDS_TP_EXIT needs task storage and bpf_task_pt_regs from tracepoint
 * programs (5.15) and the syscall number of listen() for this architecture:
 * load and attach its three real programs to find out. 0 or a
 * negative errno; why says what failed. */
static int probe_listen_state(char *why, size_t len)
{
	struct binds_bpf *skel;
	struct bpf_program *p;
	int err;

	skel = binds_bpf__open();
	if (!skel) {
		err = -errno;
		snprintf(why, len, "open: %s", strerror(-err));
		return err;
	}
	if (!skel->rodata->listen_state_arch) {
		err = -EOPNOTSUPP;
		snprintf(why, len, "no syscall number of listen() for this architecture");
		goto out;
	}
	bpf_object__for_each_program(p, skel->obj) bpf_program__set_autoload(p, false);
	bpf_program__set_autoload(skel->progs.tp_exit_bind_regs, true);
	bpf_program__set_autoload(skel->progs.btf_listen_state, true);
	bpf_program__set_autoload(skel->progs.tp_exit_listen_mark, true);
	bpf_map__set_max_entries(skel->maps.events_perf, 1);
	err = binds_bpf__load(skel);
	if (err) {
		snprintf(why, len, "load: %s", strerror(-err));
		goto out;
	}
	err = binds_bpf__attach(skel);
	if (err)
		snprintf(why, len, "attach: %s", strerror(-err));
out:
	binds_bpf__destroy(skel);
	return err;
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
	/* Task storage (5.11) came after the ring buffer (5.8): without a ring
	 * buffer the listen-state variant cannot load anyway. */
	if (mx_feature(MX_FEAT_TP_BTF) && c->ringbuf) {
		char err[200] = "";

		if (probe_listen_state(err, sizeof(err)) == 0) {
			c->mech = MX_BINDS_TP_EXIT;
			snprintf(c->name, sizeof(c->name),
				 "tracepoints syscalls:sys_exit_{bind,listen} + tp_btf "
				 "inet_sock_set_state, %s",
				 buf);
			return;
		}
		snprintf(c->why + strlen(c->why), sizeof(c->why) - strlen(c->why),
			 "; syscall exits only: %s", err);
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
