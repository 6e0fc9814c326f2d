// SPDX-License-Identifier: GPL-2.0
/* `mxprobe trace --port P`: follows every packet to or from port P through
 * the netfilter hooks of this host (or of -N NAMESPACE) and says which
 * table, chain and rule decided, what DNAT did and where the packet ended.
 * Mechanisms are picked by feature probes (user/mechanism.c shows the same
 * choice); nothing we attach or add outlives the process. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <json-c/json.h>

#include "cli.h"
#include "feature_probe.h"
#include "log.h"
#include "report.h"
#include "trace.h"
#include "trace_names.h"
#include "trace_render.h"

enum {
	OPT_PORT = 0x200,
	OPT_SELFTEST,
	OPT_SELFTEST_ADDR,
	OPT_WRITE,
	OPT_FILTER,
	OPT_EVERY,
	OPT_MECH,
	OPT_NO_NFTRACE,
	OPT_RATE,
};

static const struct option trace_opts[] = {
    {"port", required_argument, NULL, 'p'},
    {"selftest", no_argument, NULL, OPT_SELFTEST},
    {"selftest-addr", required_argument, NULL, OPT_SELFTEST_ADDR},
    {"write", required_argument, NULL, 'w'},
    {"filter", required_argument, NULL, OPT_FILTER},
    {"every-packet", no_argument, NULL, OPT_EVERY},
    {"mechanism", required_argument, NULL, OPT_MECH},
    {"no-nftrace", no_argument, NULL, OPT_NO_NFTRACE},
    {"nftrace-rate", required_argument, NULL, OPT_RATE},
    {0},
};

static const char trace_usage[] =
    "  -p, --port PORT          trace packets to or from PORT (tcp and udp; required)\n"
    "      --selftest           send a test connection into this host through a veth\n"
    "                           from a throwaway namespace, trace it, then stop\n"
    "      --selftest-addr ADDR the local address the test connects to\n"
    "                           (default: the address of the default route's interface)\n"
    "  -w, --write FILE.pcap    also write the traced packets (headers) for Wireshark\n"
    "      --filter EXPR        only packets matching EXPR (pcap-filter(7) syntax)\n"
    "      --every-packet       print every packet (default: repeats of a connection\n"
    "                           along the same path are counted, not printed)\n"
    "      --mechanism M        force the hook mechanism: nflink, fentry or kprobe\n"
    "      --no-nftrace         do not add the tracing table (no rule names)\n"
    "      --nftrace-rate N     rule-trace at most N packets/s per direction besides\n"
    "                           SYN/FIN/RST, which are always traced (default 200;\n"
    "                           0: every packet, costly on a busy port)\n";

struct targs {
	long port;
	long rate;
	int selftest, every, no_nft;
	const char *st_addr, *write, *filter, *mech;
};

static int handle(int opt, const char *arg, void *state)
{
	struct targs *a = state;
	char *end;

	switch (opt) {
	case 'p':
		errno = 0;
		a->port = strtol(arg, &end, 10);
		if (errno || *end || end == arg || a->port < 1 || a->port > 65535) {
			mx_err("trace: --port: '%s' is not a port (1-65535)", arg);
			return -1;
		}
		return 0;
	case OPT_SELFTEST:
		a->selftest = 1;
		return 0;
	case OPT_SELFTEST_ADDR: {
		unsigned char buf[16];

		if (inet_pton(AF_INET, arg, buf) != 1) {
			mx_err("trace: --selftest-addr: '%s' is not an IPv4 address", arg);
			return -1;
		}
		a->st_addr = arg;
		return 0;
	}
	case 'w':
		if (!*arg) {
			mx_err("trace: --write: empty file name");
			return -1;
		}
		a->write = arg;
		return 0;
	case OPT_FILTER:
		a->filter = arg;
		return 0;
	case OPT_EVERY:
		a->every = 1;
		return 0;
	case OPT_MECH:
		if (mx_trace_hooks_parse(arg) == MX_TRACE_NONE) {
			mx_err("trace: --mechanism: '%s' is not nflink, fentry or kprobe", arg);
			return -1;
		}
		a->mech = arg;
		return 0;
	case OPT_NO_NFTRACE:
		a->no_nft = 1;
		return 0;
	case OPT_RATE:
		errno = 0;
		a->rate = strtol(arg, &end, 10);
		if (errno || *end || end == arg || a->rate < 0 || a->rate > 1000000) {
			mx_err("trace: --nftrace-rate: '%s' is not a rate (0-1000000)", arg);
			return -1;
		}
		return 0;
	}
	return -1;
}

static struct mx_trace_run *g_run;

static void on_event(const struct mx_trace_event *ev, void *ctx)
{
	static struct mx_nft_decision dec[MX_TRACE_MAX_DEC];
	struct mx_trace_run *t = ctx;
	struct pcap_pkthdr ph;
	size_t n = 0;
	double w;

	t->packets += 1 + (uint64_t)ev->repeats;
	if (t->nft) {
		n = mx_nftrace_take(t->nft, ev, dec, MX_TRACE_MAX_DEC);
		/* Packets go on while we read: this one's trace messages may
		 * have come after our last read of the socket. */
		if (!n && !t->nft_dry && mx_nftrace_read(t->nft) > 0)
			n = mx_nftrace_take(t->nft, ev, dec, MX_TRACE_MAX_DEC);
		else if (!n)
			t->nft_dry = 1; /* no more tries until the next batch */
	}
	memset(&ph, 0, sizeof(ph));
	w = ev->ts_ns / 1e9 + t->mono_to_real;
	ph.ts.tv_sec = (time_t)w;
	ph.ts.tv_usec = (suseconds_t)((w - (time_t)w) * 1e6);
	ph.caplen = ev->cap_len < ev->len ? ev->cap_len : ev->len;
	ph.len = ev->len;
	if (t->have_filter && !pcap_offline_filter(&t->filter, &ph, ev->hdr)) {
		t->filtered++;
		return;
	}
	if (t->dumper)
		pcap_dump((u_char *)t->dumper, &ph, ev->hdr);
	mx_trace_render(t, ev, dec, n);
}

/* The address a client outside would connect to: the preferred source of
 * the default route, read from the kernel's routing decision. */
static int default_local_addr(char *buf, size_t len)
{
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(9)}, src;
	socklen_t sl = sizeof(src);
	int fd, ok = -1;

	inet_pton(AF_INET, "192.0.2.1", &dst.sin_addr); /* TEST-NET-1: never sent to */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&src, &sl) == 0 && src.sin_addr.s_addr) {
		inet_ntop(AF_INET, &src.sin_addr, buf, len);
		ok = 0;
	}
	close(fd);
	return ok;
}

static void print_start(struct mx_trace_run *t)
{
	char mech[512];

	mx_trace_mechanisms(t, mech, sizeof(mech));
	if (t->json) {
		json_object *j = mx_trace_json_event("start");

		json_object_object_add(j, "port", json_object_new_int(t->port));
		json_object_object_add(j, "hooks",
				       json_object_new_string(mx_trace_hooks_name(t->hooks)));
		json_object_object_add(j, "nftrace_table",
				       t->nft ? json_object_new_string(mx_nftrace_table(t->nft))
					      : NULL);
		json_object_object_add(j, "drop_reasons", json_object_new_boolean(t->kfree));
		json_object_object_add(j, "mechanisms", json_object_new_string(mech));
		fprintf(t->out, "%s\n",
			json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
	} else {
		fprintf(t->out, "tracing tcp/udp port %u\n  mechanisms: %s\n", t->port, mech);
	}
	fflush(t->out);
}

static void print_end(struct mx_trace_run *t, const char *st_line, int st_rc)
{
	uint64_t lost = mx_trace_bpf_lost(t->bpf), over = t->nft ? mx_nftrace_overruns(t->nft) : 0;

	mx_trace_flush_repeats(t);
	if (t->nft) {
		uint64_t m, d;

		mx_nftrace_stats(t->nft, &m, &d);
		mx_info("trace: %llu nftables trace messages, %llu rule decisions",
			(unsigned long long)m, (unsigned long long)d);
	}
	if (t->json) {
		json_object *j = mx_trace_json_event("summary");

		json_object_object_add(j, "packets", json_object_new_int64(t->packets));
		json_object_object_add(j, "printed", json_object_new_int64(t->printed));
		json_object_object_add(j, "filtered", json_object_new_int64(t->filtered));
		json_object_object_add(j, "dropped", json_object_new_int64(t->drops));
		json_object_object_add(j, "records_lost", json_object_new_int64(lost));
		json_object_object_add(j, "nftrace_overruns", json_object_new_int64(over));
		if (st_line) {
			json_object *s = json_object_new_object();

			json_object_object_add(s, "result",
					       json_object_new_string(st_rc == 0   ? "connected"
								      : st_rc == 1 ? "refused"
										   : "failed"));
			json_object_object_add(s, "detail", json_object_new_string(st_line));
			json_object_object_add(s, "path", json_object_new_string(t->st_summary));
			json_object_object_add(j, "selftest", s);
		}
		fprintf(t->out, "%s\n",
			json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
	} else {
		fprintf(t->out, "trace: %llu packets (%llu shown, %llu dropped",
			(unsigned long long)t->packets, (unsigned long long)t->printed,
			(unsigned long long)t->drops);
		if (t->filtered)
			fprintf(t->out, ", %llu not matching --filter",
				(unsigned long long)t->filtered);
		fprintf(t->out, ")");
		if (lost || over)
			fprintf(t->out,
				"; %llu records and %llu trace messages lost (too fast to follow)",
				(unsigned long long)lost, (unsigned long long)over);
		fputc('\n', t->out);
		if (st_line)
			fprintf(t->out, "selftest: %s\n  first packet: %s\n", st_line,
				t->st_seen ? t->st_summary : "not seen by the trace");
	}
	fflush(t->out);
}

static int setup_pcap(struct mx_trace_run *t, const struct targs *a)
{
	t->pcap = pcap_open_dead(DLT_RAW, 65535);
	if (!t->pcap) {
		mx_err("trace: pcap: out of memory");
		return -1;
	}
	if (a->filter) {
		if (pcap_compile(t->pcap, &t->filter, a->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			mx_err("trace: --filter: %s", pcap_geterr(t->pcap));
			return -1;
		}
		t->have_filter = 1;
	}
	return 0;
}

static int open_dump(struct mx_trace_run *t, const char *path)
{
	t->dumper = pcap_dump_open(t->pcap, path);
	if (!t->dumper) {
		mx_err("trace: --write %s: %s", path, pcap_geterr(t->pcap));
		return -1;
	}
	return 0;
}

int mx_cmd_trace(struct mx_opts *o, struct mx_config *cfg, int argc, char **argv)
{
	struct targs a = {.rate = 200};
	struct mx_cmd_opts extra = {.opts = trace_opts,
				    .shortopts = "p:w:",
				    .handle = handle,
				    .state = &a,
				    .usage = trace_usage};
	static struct mx_trace_run run;
	struct mx_trace_run *t = &run;
	struct mx_trace_bpf_opts bo = {0};
	struct mx_selftest *st = NULL;
	struct epoll_event evs[4];
	struct timespec mono, real;
	const char *why = NULL;
	char st_addr[64], st_line[512] = "";
	int r, ep = -1, sfd = -1, tfd = -1, rc = MX_EXIT_UNKNOWN, st_rc = -1;
	double deadline = 0, st_grace = 0, now;
	sigset_t mask;

	r = mx_parse_args(o, argc, argv, "trace", &extra);
	if (r)
		return r > 0 ? MX_EXIT_OK : MX_EXIT_UNKNOWN;
	if (o->argc) {
		mx_err("trace: unexpected argument '%s'", o->argv[0]);
		return MX_EXIT_UNKNOWN;
	}
	if (!a.port) {
		mx_err("trace: --port is required (e.g. --port 25)");
		return MX_EXIT_UNKNOWN;
	}
	if (o->format == MX_FMT_PROM) {
		mx_err("trace: a live command has no prometheus output (use --json)");
		return MX_EXIT_UNKNOWN;
	}
	memset(t, 0, sizeof(*t));
	t->o = o;
	t->port = a.port;
	t->every = a.every;
	t->out = stdout;
	if (setup_pcap(t, &a))
		goto out;
	if (mx_setup_config(o, cfg))
		goto out;
	if (o->sysroot) {
		mx_err("trace: follows live packets; --sysroot does not apply");
		goto out;
	}
	t->json = o->format == MX_FMT_JSON;
	if (o->output) {
		/* A live stream is appended as it comes, not renamed at the end. */
		t->out = fopen(o->output, "w");
		if (!t->out) {
			mx_err("trace: --output %s: %s", o->output, strerror(errno));
			t->out = stdout;
			goto out;
		}
	}
	if (a.write && open_dump(t, a.write))
		goto out;
	if (a.selftest) {
		mx_selftest_sweep();
		if (a.st_addr)
			snprintf(st_addr, sizeof(st_addr), "%s", a.st_addr);
		else if (default_local_addr(st_addr, sizeof(st_addr)))
			st_addr[0] = 0; /* the veth's own host address */
	}

	t->hooks = a.mech ? mx_trace_hooks_parse(a.mech) : mx_trace_hooks_choose(&why);
	if (t->hooks == MX_TRACE_NONE) {
		if (geteuid() != 0)
			mx_err("trace: needs root (CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)");
		else
			mx_err("trace: %s", why);
		goto out;
	}
	t->kfree = mx_feature(MX_FEAT_KFREE_SKB_REASON);
	if (!a.no_nft && mx_feature(MX_FEAT_NFT_OWNER_TABLE) && mx_feature(MX_FEAT_NFT_TRACE)) {
		if (mx_nftrace_open(&t->nft, t->port, a.rate))
			goto out;
		if (mx_rules_open(&t->rules))
			mx_warn("trace: cannot read the ruleset: rules are shown by handle only");
	} else if (mx_rules_open(&t->rules)) {
		mx_warn("trace: cannot read the ruleset");
	}
	if (t->rules)
		t->legacy = mx_rules_legacy_present(t->rules);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	t->mono_to_real = (real.tv_sec - mono.tv_sec) + (real.tv_nsec - mono.tv_nsec) / 1e9;

	bo.hooks = t->hooks;
	bo.port = t->port;
	bo.capture = a.write || a.filter;
	bo.kfree = t->kfree;
	bo.dedupe = !a.every && !a.write && !a.filter;
	bo.cb = on_event;
	bo.ctx = t;
	if (mx_trace_bpf_open(&t->bpf, &bo))
		goto out;
	g_run = t;

	/* A background job of a script inherits SIGINT ignored, and an ignored
	 * signal never reaches a signalfd: take the default back first. */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || tfd < 0 || ep < 0) {
		mx_err("trace: event loop: %s", strerror(errno));
		goto out;
	}
	{
		struct itimerspec it = {.it_interval = {0, 50000000}, .it_value = {0, 50000000}};
		struct epoll_event e = {.events = EPOLLIN};

		timerfd_settime(tfd, 0, &it, NULL);
		e.data.u32 = 0;
		epoll_ctl(ep, EPOLL_CTL_ADD, mx_trace_bpf_fd(t->bpf), &e);
		e.data.u32 = 1;
		epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &e);
		e.data.u32 = 2;
		epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &e);
		if (t->nft) {
			e.data.u32 = 3;
			epoll_ctl(ep, EPOLL_CTL_ADD, mx_nftrace_fd(t->nft), &e);
		}
	}
	print_start(t);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	now = mono.tv_sec + mono.tv_nsec / 1e9;
	if (o->duration_s > 0)
		deadline = now + o->duration_s;
	if (a.selftest) {
		t->st_active = 1;
		if (mx_selftest_start(&st, t, st_addr[0] ? st_addr : NULL, o->timeout_s))
			goto out;
	}
	for (;;) {
		int n = epoll_wait(ep, evs, 4, -1), i, stop = 0;

		if (n < 0 && errno != EINTR) {
			mx_err("trace: epoll: %s", strerror(errno));
			goto out;
		}
		for (i = 0; i < n; i++) {
			if (evs[i].data.u32 == 1)
				stop = 1;
			if (evs[i].data.u32 == 2) {
				uint64_t x;

				if (read(tfd, &x, sizeof(x)) < 0)
					x = 0;
			}
		}
		/* Trace messages were queued before the packet's record was
		 * sent: read them first so the record finds its decisions. */
		if (t->nft)
			mx_nftrace_read(t->nft);
		t->nft_dry = 0;
		mx_trace_bpf_consume(t->bpf);
		fflush(t->out); /* once per batch, not per packet */
		clock_gettime(CLOCK_MONOTONIC, &mono);
		now = mono.tv_sec + mono.tv_nsec / 1e9;
		if (deadline && now >= deadline)
			stop = 1;
		if (st && st_rc < 0 && mx_selftest_done(st)) {
			st_rc = mx_selftest_result(st, st_line, sizeof(st_line));
			/* Let the last packets (FIN, RST) arrive. */
			st_grace = now + 1.0;
		}
		if (st_grace && now >= st_grace && !deadline)
			stop = 1;
		if (stop)
			break;
	}
	if (t->nft)
		mx_nftrace_read(t->nft);
	mx_trace_bpf_consume(t->bpf);
	t->packets += mx_trace_bpf_pending(t->bpf);
	if (st && st_rc < 0) {
		mx_selftest_stop(st);
		st_rc = mx_selftest_result(st, st_line, sizeof(st_line));
	}
	print_end(t, st ? st_line : NULL, st_rc);
	rc = MX_EXIT_OK;
	if (st)
		rc = st_rc == 0 ? MX_EXIT_OK : MX_EXIT_FAIL;
out:
	mx_selftest_stop(st);
	free(st);
	if (ep >= 0)
		close(ep);
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	mx_trace_bpf_close(t->bpf);
	mx_nftrace_close(t->nft);
	mx_rules_close(t->rules);
	if (t->dumper)
		pcap_dump_close(t->dumper);
	if (t->have_filter)
		pcap_freecode(&t->filter);
	if (t->pcap)
		pcap_close(t->pcap);
	if (t->out && t->out != stdout)
		fclose(t->out);
	mx_trace_names_free();
	return rc;
}
