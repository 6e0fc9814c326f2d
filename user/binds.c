// SPDX-License-Identifier: GPL-2.0
/* `mxprobe binds`: streams every bind() and listen() on TCP and UDP sockets,
 * in every network namespace, from eBPF (bpf/binds.bpf.c). A failed bind on a
 * watched port is printed with the current holder of that port.
 * Open, configure (filters as read-only data), load, attach; then read the
 * ring buffer until --duration, SIGINT or SIGTERM. The links are held by our
 * file descriptors only: nothing stays attached after we exit, even killed. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "binds.h"
#include "binds.skel.h"
#include "binds_mech.h"
#include "cli.h"
#include "log.h"
#include "report.h"

#define MAX_PIDS 16 /* MX_BIND_MAX_PIDS in bpf/binds.bpf.c */
#define POLL_MS 50
#define LOST_REPORT_S 5.0

struct binds_opts {
	uint64_t ports[65536 / 64];
	int nports;
	bool all;
	bool failed;
	uint32_t pids[MAX_PIDS];
	int npids;
};

struct binds_run {
	struct mx_binds_out out;
	uint64_t events;
	uint64_t lost_user; /* perf buffer: samples the kernel dropped */
	bool write_failed;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

enum { OPT_PORT = 'p', OPT_ALL = 0x200, OPT_PID, OPT_FAILED };

static const struct option binds_options[] = {
    {"port", required_argument, NULL, OPT_PORT},
    {"all", no_argument, NULL, OPT_ALL},
    {"pid", required_argument, NULL, OPT_PID},
    {"failed", no_argument, NULL, OPT_FAILED},
    {NULL, 0, NULL, 0},
};

static void port_set(struct binds_opts *b, unsigned p)
{
	if (!(b->ports[p / 64] & (1ULL << (p % 64))))
		b->nports++;
	b->ports[p / 64] |= 1ULL << (p % 64);
}

static int parse_num(const char *s, size_t len, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (!len || len > 10)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* "25", "25,465,587" or "8000-8100". */
static int parse_ports(struct binds_opts *b, const char *arg)
{
	const char *p = arg;

	while (*p) {
		size_t n = strcspn(p, ","), dash;
		unsigned long lo, hi, v;

		dash = strcspn(p, "-");
		if (dash < n) {
			if (parse_num(p, dash, 65535, &lo) ||
			    parse_num(p + dash + 1, n - dash - 1, 65535, &hi) || lo > hi)
				return -1;
		} else if (parse_num(p, n, 65535, &lo)) {
			return -1;
		} else {
			hi = lo;
		}
		for (v = lo; v <= hi; v++)
			port_set(b, v);
		p += n;
		if (*p == ',' && *++p == 0)
			return -1;
	}
	return p == arg ? -1 : 0;
}

static int handle_opt(int opt, const char *arg, void *state)
{
	struct binds_opts *b = state;
	unsigned long v;

	switch (opt) {
	case OPT_PORT:
		if (parse_ports(b, arg)) {
			mx_err("binds: --port: '%s' is not a port, list or range (0-65535)", arg);
			return -1;
		}
		return 0;
	case OPT_ALL:
		b->all = true;
		return 0;
	case OPT_FAILED:
		b->failed = true;
		return 0;
	case OPT_PID:
		if (parse_num(arg, strlen(arg), 0x7fffffff, &v) || !v) {
			mx_err("binds: --pid: '%s' is not a process id", arg);
			return -1;
		}
		if (b->npids >= MAX_PIDS) {
			mx_err("binds: --pid: more than %d given", MAX_PIDS);
			return -1;
		}
		b->pids[b->npids++] = v;
		return 0;
	}
	return -1;
}

static const char *hint_for(const struct mx_bind_event *e)
{
	switch (-e->ret) {
	case EACCES:
		return "ports below net.ipv4.ip_unprivileged_port_start need CAP_NET_BIND_SERVICE";
	case EADDRNOTAVAIL:
		return "the address is on no interface of this namespace: ip_nonlocal_bind=0, "
		       "or an IPv6 address still tentative";
	case EPERM:
		return "refused by a security module or a cgroup BPF program";
	case EINVAL:
		return e->kind == MX_BIND_EV_BIND ? "socket already bound" : NULL;
	}
	return NULL;
}

static void mono_offset(struct mx_binds_out *o)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	o->mono_to_real_ns = ((int64_t)r.tv_sec - m.tv_sec) * 1000000000 + (r.tv_nsec - m.tv_nsec);
}

static void handle(struct binds_run *run, const struct mx_bind_event *e)
{
	struct mx_binds_extra x;

	memset(&x, 0, sizeof(x));
	mx_binds_container(e->pid, e->cgroup_id, x.container, sizeof(x.container));
	mx_binds_netns_name(e->netns, x.netns_name, sizeof(x.netns_name));
	x.hint = hint_for(e);
	if (e->ret == -EADDRINUSE)
		mx_binds_find_holders(e, &x);
	mx_binds_print(&run->out, e, &x);
	run->events++;
	if (ferror(run->out.f))
		run->write_failed = true;
}

static int on_ring_event(void *ctx, void *data, size_t len)
{
	struct mx_bind_event e;

	if (len < sizeof(e))
		return 0;
	memcpy(&e, data, sizeof(e));
	handle(ctx, &e);
	return 0;
}

static void on_perf_event(void *ctx, int cpu, void *data, __u32 len)
{
	(void)cpu;
	on_ring_event(ctx, data, len);
}

static void on_perf_lost(void *ctx, int cpu, __u64 n)
{
	struct binds_run *run = ctx;

	(void)cpu;
	run->lost_user += n;
}

static void read_lost(struct binds_bpf *skel, uint64_t lost[MX_BIND_LOST_MAX])
{
	int ncpu = libbpf_num_possible_cpus(), fd = bpf_map__fd(skel->maps.lost), c;
	__u64 *v;
	__u32 k;

	if (ncpu <= 0)
		return;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return;
	for (k = 0; k < MX_BIND_LOST_MAX; k++) {
		lost[k] = 0;
		if (bpf_map_lookup_elem(fd, &k, v) == 0)
			for (c = 0; c < ncpu; c++)
				lost[k] += v[c];
	}
	free(v);
}

/* IPv6 may be a module that is not loaded: then no IPv6 socket exists and
 * the inet6_bind programs are left out instead of failing the attach. */
static bool kernel_has_func(const char *name)
{
	struct btf *vm = btf__load_vmlinux_btf(), *mod;
	bool found = false;

	if (!vm)
		return true; /* no BTF: let the attach say what is wrong */
	found = btf__find_by_name_kind(vm, name, BTF_KIND_FUNC) > 0;
	if (!found) {
		mod = btf__parse_split("/sys/kernel/btf/ipv6", vm);
		if (mod) {
			found = btf__find_by_name_kind(mod, name, BTF_KIND_FUNC) > 0;
			btf__free(mod);
		}
	}
	btf__free(vm);
	return found;
}

static void select_programs(struct binds_bpf *skel, enum mx_binds_mech m)
{
	struct bpf_program *p;
	bool v6 = true;

	bpf_object__for_each_program(p, skel->obj) bpf_program__set_autoload(p, false);
	switch (m) {
	case MX_BINDS_FEXIT:
		v6 = kernel_has_func("inet6_bind");
		bpf_program__set_autoload(skel->progs.fx_inet_bind, true);
		bpf_program__set_autoload(skel->progs.fx_inet6_bind, v6);
		bpf_program__set_autoload(skel->progs.fx_inet_listen, true);
		break;
	case MX_BINDS_KPROBE:
		v6 = kernel_has_func("inet6_bind");
		bpf_program__set_autoload(skel->progs.kp_inet_bind, true);
		bpf_program__set_autoload(skel->progs.kr_inet_bind, true);
		bpf_program__set_autoload(skel->progs.kp_inet6_bind, v6);
		bpf_program__set_autoload(skel->progs.kr_inet6_bind, v6);
		bpf_program__set_autoload(skel->progs.kp_inet_listen, true);
		bpf_program__set_autoload(skel->progs.kr_inet_listen, true);
		break;
	case MX_BINDS_TP_EXIT:
		bpf_program__set_autoload(skel->progs.tp_exit_bind_regs, true);
		bpf_program__set_autoload(skel->progs.btf_listen_state, true);
		bpf_program__set_autoload(skel->progs.tp_exit_listen_mark, true);
		break;
	case MX_BINDS_TP_BTF:
	case MX_BINDS_TRACEPOINT:
		bpf_program__set_autoload(skel->progs.tp_enter_bind, true);
		bpf_program__set_autoload(skel->progs.tp_exit_bind, true);
		bpf_program__set_autoload(skel->progs.tp_enter_listen, true);
		bpf_program__set_autoload(skel->progs.tp_exit_listen, true);
		bpf_program__set_autoload(m == MX_BINDS_TP_BTF ? skel->progs.btf_sock_state
							       : skel->progs.tp_sock_state,
					  true);
		break;
	default:
		break;
	}
	/* Task storage (5.11+) only where it is used: older kernels cannot
	 * create it. */
	bpf_map__set_autocreate(skel->maps.listen_mark, m == MX_BINDS_TP_EXIT);
	if (!v6)
		mx_info("binds: no inet6_bind in this kernel (IPv6 not loaded): IPv4 only");
}

static const char *perm_hint(int err)
{
	err = err < 0 ? -err : err;
	if (err != EPERM && err != EACCES)
		return "";
	return geteuid() ? " (needs CAP_BPF and CAP_PERFMON, or root)"
			 : " (refused by this kernel)";
}

static double elapsed(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) + (now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void describe(const struct binds_opts *b, const struct mx_binds_choice *ch, bool netns)
{
	char list[200] = "";
	size_t n = 0;
	unsigned p;
	int shown = 0;

	if (b->all) {
		snprintf(list, sizeof(list), "every port");
	} else {
		for (p = 0; p < 65536 && shown < 24; p++)
			if (b->ports[p / 64] & (1ULL << (p % 64))) {
				n += snprintf(list + n, sizeof(list) - n, "%s%u",
					      shown ? "," : "ports ", p);
				shown++;
			}
		if (b->nports > shown)
			snprintf(list + n, sizeof(list) - n, ",... (%d)", b->nports);
	}
	/* Said on stderr unless -q: a live command that is silent until the
	 * first event leaves people wondering whether it works. */
	if (mx_log_enabled(MX_LOG_WARN))
		fprintf(stderr, "binds: tracing bind/listen on %s%s%s, %s, via %s\n", list,
			b->failed ? ", failures only" : "", b->npids ? ", selected pids" : "",
			netns ? "this network namespace" : "every network namespace", ch->name);
}

static int run_loop(struct mx_opts *o, struct binds_bpf *skel, struct binds_run *run,
		    const struct mx_binds_choice *ch)
{
	struct ring_buffer *rb = NULL;
	struct perf_buffer *pb = NULL;
	uint64_t lost[MX_BIND_LOST_MAX] = {0}, reported = 0, total;
	struct timespec t0;
	double last_report = 0, t;
	int err = 0;

	if (ch->ringbuf)
		rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_ring_event, run, NULL);
	else
		pb = perf_buffer__new(bpf_map__fd(skel->maps.events_perf), 256, on_perf_event,
				      on_perf_lost, run, NULL);
	if (!rb && !pb) {
		err = -errno;
		mx_err("binds: open %s: %s", ch->ringbuf ? "ring buffer" : "perf buffer",
		       strerror(-err));
		return err;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!stop && !run->write_failed) {
		err = rb ? ring_buffer__poll(rb, POLL_MS) : perf_buffer__poll(pb, POLL_MS);
		if (err < 0 && err != -EINTR) {
			mx_err("binds: read events: %s", strerror(-err));
			break;
		}
		err = 0;
		fflush(run->out.f);
		t = elapsed(&t0);
		if (t - last_report >= LOST_REPORT_S) {
			last_report = t;
			mono_offset(&run->out);
			read_lost(skel, lost);
			total = lost[0] + lost[1] + run->lost_user;
			if (total > reported) {
				mx_warn("binds: %llu events lost in the last %.0f s (buffer full: "
					"%llu, "
					"in-flight table full: %llu in all)",
					(unsigned long long)(total - reported), LOST_REPORT_S,
					(unsigned long long)(lost[0] + run->lost_user),
					(unsigned long long)lost[1]);
				mx_binds_print_status(&run->out, "lost", run->events,
						      lost[0] + run->lost_user, lost[1],
						      total - reported, t);
				reported = total;
			}
		}
		if (o->duration_s && t >= o->duration_s)
			break;
	}
	/* Detach first, then drain what is already queued: nothing is lost by
	 * stopping. */
	binds_bpf__detach(skel);
	if (rb)
		ring_buffer__consume(rb);
	else
		perf_buffer__consume(pb);
	t = elapsed(&t0);
	read_lost(skel, lost);
	total = lost[0] + lost[1] + run->lost_user;
	mx_binds_print_status(&run->out, "end", run->events, lost[0] + run->lost_user, lost[1],
			      total, t);
	fflush(run->out.f);
	if (total)
		mx_warn("binds: %llu events in %.1f s, %llu lost (buffer full: %llu, in-flight "
			"table full: %llu)",
			(unsigned long long)run->events, t, (unsigned long long)total,
			(unsigned long long)(lost[0] + run->lost_user),
			(unsigned long long)lost[1]);
	else if (mx_log_enabled(MX_LOG_WARN))
		fprintf(stderr, "binds: %llu events in %.1f s, none lost\n",
			(unsigned long long)run->events, t);
	ring_buffer__free(rb);
	perf_buffer__free(pb);
	return err;
}

static int setup_skel(struct binds_bpf **out, const struct binds_opts *b,
		      const struct mx_binds_choice *ch, struct mx_opts *o)
{
	struct binds_bpf *skel;
	int err, i;

	skel = binds_bpf__open();
	if (!skel) {
		err = -errno;
		mx_err("binds: open BPF object: %s", strerror(-err));
		return err;
	}
	memcpy((void *)skel->rodata->watch_ports, b->ports, sizeof(b->ports));
	skel->rodata->all_ports = b->all;
	skel->rodata->only_failed = b->failed;
	for (i = 0; i < b->npids; i++)
		skel->rodata->filter_pids[i] = b->pids[i];
	skel->rodata->nr_pids = b->npids;
	/* -N NAME: only that namespace (we run in it now). */
	skel->rodata->filter_netns = o->netns ? mx_binds_self_netns() : 0;
	skel->rodata->use_ringbuf = ch->ringbuf;
	if (!ch->ringbuf) {
		/* The ring buffer map cannot exist here: make it a dummy that the
		 * (dead) ring buffer code may still refer to. */
		bpf_map__set_type(skel->maps.events, BPF_MAP_TYPE_ARRAY);
		bpf_map__set_key_size(skel->maps.events, 4);
		bpf_map__set_value_size(skel->maps.events, 4);
		bpf_map__set_max_entries(skel->maps.events, 1);
	} else {
		bpf_map__set_max_entries(skel->maps.events_perf, 1);
	}
	select_programs(skel, ch->mech);
	err = binds_bpf__load(skel);
	if (err) {
		mx_err("binds: load BPF programs: %s%s", strerror(-err), perm_hint(err));
		goto fail;
	}
	err = binds_bpf__attach(skel);
	if (err) {
		mx_err("binds: attach BPF programs: %s%s", strerror(-err), perm_hint(err));
		goto fail;
	}
	*out = skel;
	return 0;
fail:
	binds_bpf__destroy(skel);
	return err;
}

int mx_cmd_binds(struct mx_opts *o, struct mx_config *cfg, int argc, char **argv)
{
	static struct binds_opts b; /* 8 KiB bitmap: off the stack */
	struct mx_cmd_opts extra = {
	    .opts = binds_options,
	    .shortopts = "p:",
	    .handle = handle_opt,
	    .state = &b,
	    .usage = "  -p, --port PORT[,PORT|LO-HI]  watch these ports (repeatable; default: the\n"
		     "                           mailcow ports of mailcow.conf or the defaults)\n"
		     "      --all                every port (also binds to port 0)\n"
		     "      --pid PID            only this process (repeatable, up to 16)\n"
		     "      --failed             only binds and listens that failed\n",
	};
	struct mx_binds_choice ch;
	struct binds_bpf *skel = NULL;
	struct binds_run run;
	struct sigaction sa;
	struct mx_out out;
	int r, i;

	memset(&b, 0, sizeof(b));
	r = mx_parse_args(o, argc, argv, "binds", &extra);
	if (r)
		return r > 0 ? MX_EXIT_OK : MX_EXIT_UNKNOWN;
	if (o->argc) {
		mx_err("binds: unexpected argument '%s'", o->argv[0]);
		return MX_EXIT_UNKNOWN;
	}
	if (o->sysroot) {
		mx_err("binds: traces the running kernel; --sysroot does not apply");
		return MX_EXIT_UNKNOWN;
	}
	if (o->format == MX_FMT_PROM) {
		mx_err("binds: a live event stream has no prometheus format (use --json)");
		return MX_EXIT_UNKNOWN;
	}
	if (b.all && b.nports) {
		mx_err("binds: --all and --port exclude each other");
		return MX_EXIT_UNKNOWN;
	}
	if (mx_setup_config(o, cfg))
		return MX_EXIT_UNKNOWN;
	if (!b.all && !b.nports)
		for (i = 0; i < cfg->nports; i++)
			port_set(&b, cfg->ports[i].port);
	if (!b.all && !b.nports) {
		mx_err("binds: no port to watch (give --port or --all)");
		return MX_EXIT_UNKNOWN;
	}
	mx_binds_choose(&ch);
	if (ch.mech == MX_BINDS_NONE && strstr(ch.why, "needs CAP_BPF")) {
		mx_err("binds: not allowed to load BPF programs: run as root (needs CAP_BPF and "
		       "CAP_PERFMON)");
		return MX_EXIT_UNKNOWN;
	}
	if (ch.mech == MX_BINDS_NONE) {
		mx_err("binds: this kernel offers no way to trace binds: %s", ch.why);
		return MX_EXIT_UNKNOWN;
	}
	if (setup_skel(&skel, &b, &ch, o))
		return MX_EXIT_UNKNOWN;
	if (mx_out_open(&out, o->output)) {
		binds_bpf__destroy(skel);
		return MX_EXIT_UNKNOWN;
	}
	memset(&run, 0, sizeof(run));
	run.out.f = out.f;
	run.out.json = o->format == MX_FMT_JSON;
	run.out.color = o->color;
	mono_offset(&run.out);
	/* Full buffering to a pipe or file, flushed after every read round. */
	if (!isatty(fileno(out.f)))
		setvbuf(out.f, NULL, _IOFBF, 1 << 16);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: poll returns at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	describe(&b, &ch, o->netns != NULL);
	mx_binds_print_header(&run.out);
	fflush(run.out.f);
	r = run_loop(o, skel, &run, &ch);
	binds_bpf__destroy(skel);
	if (run.write_failed && out.f == stdout) {
		/* The reader went away (mxprobe binds | head): not an error. */
		return MX_EXIT_OK;
	}
	if (mx_out_commit(&out))
		return MX_EXIT_UNKNOWN;
	return r ? MX_EXIT_UNKNOWN : MX_EXIT_OK;
}
