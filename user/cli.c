// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf_env.h"
#include "cli.h"
#include "log.h"
#include "report.h"
#include "sysroot.h"

enum {
	OPT_FORMAT = 0x100,
	OPT_MAILCOW_CONF,
	OPT_CONFIG,
	OPT_TARGET,
	OPT_SYSROOT,
	OPT_TIMEOUT,
	OPT_DURATION,
	OPT_NO_COLOR,
	OPT_DOMAIN,
	OPT_PUBLIC_IP,
	OPT_RESOLVER,
	OPT_DKIM_SELECTOR,
};

static const struct option global_opts[] = {
    {"json", no_argument, NULL, 'j'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"output", required_argument, NULL, 'o'},
    {"mailcow-conf", required_argument, NULL, OPT_MAILCOW_CONF},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"target", required_argument, NULL, OPT_TARGET},
    {"sysroot", required_argument, NULL, OPT_SYSROOT},
    {"netns", required_argument, NULL, 'N'},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"domain", required_argument, NULL, OPT_DOMAIN},
    {"public-ip", required_argument, NULL, OPT_PUBLIC_IP},
    {"resolver", required_argument, NULL, OPT_RESOLVER},
    {"dkim-selector", required_argument, NULL, OPT_DKIM_SELECTOR},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
};
#define NGLOBAL (sizeof(global_opts) / sizeof(global_opts[0]))
#define GLOBAL_SHORT "jo:N:vqhV"

static const char global_usage[] =
    "  -j, --json               JSON on stdout (JSON Lines for live commands)\n"
    "      --format FMT         text, json or prometheus (node_exporter textfile)\n"
    "  -o, --output FILE        write the report to FILE atomically\n"
    "      --mailcow-conf FILE  read ports, binds and switches from mailcow.conf\n"
    "                           (default: /opt/mailcow-dockerized/mailcow.conf if present)\n"
    "      --config FILE        override the embedded defaults (docs/config.md)\n"
    "      --target NAME=HOST[:PORT]  point an outbound target elsewhere (repeatable)\n"
    "      --sysroot DIR        read /proc, /sys, /etc and /run from DIR\n"
    "  -N, --netns NAME         run inside network namespace NAME\n"
    "      --timeout SEC        per-probe timeout (default 5)\n"
    "      --duration SEC       live commands stop after SEC\n"
    "      --no-color           no colour (also when NO_COLOR is set)\n"
    "      --domain DOMAIN      mail domain for the DNS checks (default: from MAILCOW_HOSTNAME)\n"
    "      --public-ip ADDR     this host's public address (repeat for v4 and v6)\n"
    "      --resolver ADDR      DNS server the DNS checks ask (default: /etc/resolv.conf)\n"
    "      --dkim-selector SEL  DKIM selector (default: dkim)\n"
    "  -v, --verbose            more detail (-vv: debug, libbpf messages)\n"
    "  -q, --quiet              errors only on stderr\n"
    "  -h, --help               this help\n"
    "  -V, --version            print the version\n";

int mx_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0 || v > 86400 * 365)
		return -1;
	*out = v;
	return 0;
}

static void usage(FILE *f, const char *cmd, const struct mx_cmd_opts *extra)
{
	size_t i;

	if (!cmd) {
		fprintf(f, "usage: mxprobe [GLOBAL OPTIONS] [COMMAND] [ARGS]\n\n"
			   "Checks that this host meets the prerequisites of mailcow: dockerized.\n"
			   "With no COMMAND, runs 'check'.\n\ncommands:\n");
		for (i = 0; i < mx_ncommands; i++)
			fprintf(f, "  %-10s %s\n", mx_commands[i].name, mx_commands[i].summary);
		fprintf(f, "\nglobal options:\n%s", global_usage);
		fprintf(f,
			"\nexit codes: 0 all passed, 1 warnings, 2 failures, 3 unknown/bad usage\n"
			"'mxprobe COMMAND --help' shows a command's options; see mxprobe(8).\n");
		return;
	}
	fprintf(f, "usage: mxprobe %s [OPTIONS]%s%s\n", cmd, extra && extra->args ? " " : "",
		extra && extra->args ? extra->args : "");
	if (extra && extra->usage)
		fprintf(f, "\n%s options:\n%s", cmd, extra->usage);
	fprintf(f, "\nglobal options:\n%s", global_usage);
}

static int handle_global(struct mx_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'j':
		o->format = MX_FMT_JSON;
		return 0;
	case OPT_FORMAT:
		if (!strcmp(arg, "text"))
			o->format = MX_FMT_TEXT;
		else if (!strcmp(arg, "json"))
			o->format = MX_FMT_JSON;
		else if (!strcmp(arg, "prometheus"))
			o->format = MX_FMT_PROM;
		else {
			mx_err("--format: '%s' is not text, json or prometheus", arg);
			return -1;
		}
		return 0;
	case 'o':
		if (!*arg) {
			mx_err("--output: empty file name");
			return -1;
		}
		o->output = arg;
		return 0;
	case OPT_MAILCOW_CONF:
		o->mailcow_conf = arg;
		return 0;
	case OPT_CONFIG:
		o->config = arg;
		return 0;
	case OPT_TARGET:
		if (o->ntargets >= MX_MAX_TARGETS) {
			mx_err("--target: more than %d given", MX_MAX_TARGETS);
			return -1;
		}
		o->targets[o->ntargets++] = arg;
		return 0;
	case OPT_SYSROOT:
		o->sysroot = arg;
		return 0;
	case 'N':
		if (!*arg || strchr(arg, '/') || !strcmp(arg, ".") || !strcmp(arg, "..")) {
			mx_err("--netns: '%s' is not a namespace name", arg);
			return -1;
		}
		o->netns = arg;
		return 0;
	case OPT_TIMEOUT:
		if (mx_parse_seconds(arg, &o->timeout_s)) {
			mx_err("--timeout: '%s' is not a positive number of seconds", arg);
			return -1;
		}
		return 0;
	case OPT_DURATION:
		if (mx_parse_seconds(arg, &o->duration_s)) {
			mx_err("--duration: '%s' is not a positive number of seconds", arg);
			return -1;
		}
		return 0;
	case OPT_NO_COLOR:
		o->no_color = 1;
		return 0;
	case OPT_DOMAIN:
		if (!*arg || strlen(arg) > 253 || strchr(arg, '/') || strchr(arg, ' ')) {
			mx_err("--domain: '%s' is not a domain name", arg);
			return -1;
		}
		o->domain = arg;
		return 0;
	case OPT_PUBLIC_IP: {
		unsigned char a[16];
		int v6 = inet_pton(AF_INET6, arg, a) == 1;

		if (!v6 && inet_pton(AF_INET, arg, a) != 1) {
			mx_err("--public-ip: '%s' is not an IPv4 or IPv6 address", arg);
			return -1;
		}
		o->public_ip[v6] = arg;
		return 0;
	}
	case OPT_RESOLVER: {
		unsigned char a[16];

		if (inet_pton(AF_INET, arg, a) != 1 && inet_pton(AF_INET6, arg, a) != 1) {
			mx_err("--resolver: '%s' is not an IP address", arg);
			return -1;
		}
		o->resolver = arg;
		return 0;
	}
	case OPT_DKIM_SELECTOR:
		if (!*arg || strchr(arg, ' ') || strchr(arg, '/')) {
			mx_err("--dkim-selector: '%s' is not a selector", arg);
			return -1;
		}
		o->dkim_selector = arg;
		return 0;
	case 'v':
		o->verbose++;
		return 0;
	case 'q':
		o->quiet = 1;
		return 0;
	}
	return 1; /* not a global option */
}

int mx_parse_args(struct mx_opts *o, int argc, char **argv, const char *cmd,
		  const struct mx_cmd_opts *extra)
{
	struct option opts[64];
	char shortopts[64];
	size_t n = 0, i;
	int c;

	for (i = 0; i < NGLOBAL; i++)
		opts[n++] = global_opts[i];
	if (extra && extra->opts)
		for (i = 0; extra->opts[i].name && n < 63; i++)
			opts[n++] = extra->opts[i];
	memset(&opts[n], 0, sizeof(opts[n]));
	/* Without a command yet, stop at the first non-option: the command. */
	snprintf(shortopts, sizeof(shortopts), "%s:" GLOBAL_SHORT "%s", cmd ? "" : "+",
		 extra && extra->shortopts ? extra->shortopts : "");

	/* argv[0] is the command name (or the program name for global parsing). */
	optind = 0; /* 0, not 1: glibc then re-reads the "+" ordering flag */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		int r;

		if (c == '?') {
			if (optopt)
				mx_err("%s: unknown option '-%c' (see --help)",
				       cmd ? cmd : "mxprobe", optopt);
			else
				mx_err("%s: unknown option '%s' (see --help)",
				       cmd ? cmd : "mxprobe", argv[optind - 1]);
			return -1;
		}
		if (c == ':') {
			mx_err("%s: option '%s' needs a value", cmd ? cmd : "mxprobe",
			       argv[optind - 1]);
			return -1;
		}
		if (c == 'h') {
			usage(stdout, cmd, extra);
			return 1;
		}
		if (c == 'V') {
			printf("mxprobe %s\n", MX_VERSION);
			return 1;
		}
		r = handle_global(o, c, optarg);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		if (!extra || !extra->handle || extra->handle(c, optarg, extra->state))
			return -1;
	}
	o->argc = argc - optind;
	o->argv = argv + optind;
	return 0;
}

int mx_enter_netns(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		mx_err("netns: open %s: %s", path, strerror(errno));
		return -1;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		mx_err("netns: enter %s: %s%s", name, strerror(errno),
		       errno == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int mx_setup_config(struct mx_opts *o, struct mx_config *cfg)
{
	static const char default_mc[] = "/opt/mailcow-dockerized/mailcow.conf";
	int i, err;

	mx_log_set_level(o->verbose, o->quiet);
	o->color = !o->no_color && !getenv("NO_COLOR") && o->format == MX_FMT_TEXT && !o->output &&
		   isatty(STDOUT_FILENO);
	if (o->timeout_s == 0)
		o->timeout_s = 5;
	if (o->sysroot) {
		if (access(o->sysroot, R_OK | X_OK) < 0) {
			mx_err("sysroot: %s: %s", o->sysroot, strerror(errno));
			return -1;
		}
		if (mx_sysroot_set(o->sysroot) < 0) {
			mx_err("sysroot: %s: path too long", o->sysroot);
			return -1;
		}
	}
	if (o->netns && mx_enter_netns(o->netns))
		return -1;
	/* Before any check thread starts: it may unshare the mount namespace. */
	if (!o->sysroot)
		mx_bpf_env_prepare();
	mx_config_defaults(cfg);
	if (o->config && mx_config_load(cfg, o->config))
		return -1;
	if (o->mailcow_conf) {
		/* An explicit path is taken as given, not under --sysroot. */
		err = mx_mc_load(&cfg->mc, o->mailcow_conf, 0);
		if (err) {
			mx_err("mailcow-conf: open %s: %s", o->mailcow_conf, strerror(-err));
			return -1;
		}
	} else if (mx_exists(default_mc)) {
		err = mx_mc_load(&cfg->mc, default_mc, 1);
		if (err)
			mx_warn("mailcow-conf: open %s: %s", default_mc, strerror(-err));
	}
	mx_config_apply_mailcow(cfg);
	for (i = 0; i < o->ntargets; i++)
		if (mx_config_target(cfg, o->targets[i]))
			return -1;
	return 0;
}

int mx_run_oneshot(struct mx_opts *o, struct mx_config *cfg, const char *const *groups)
{
	struct mx_report rep;
	struct mx_host host;
	struct mx_out out;
	int progress, rc;

	progress = !o->quiet && isatty(STDERR_FILENO) &&
		   (o->output || !isatty(STDOUT_FILENO) || o->format == MX_FMT_TEXT);
	if (mx_run_checks(cfg, o, groups, &rep, progress)) {
		mx_err("check: run checks: %s", strerror(errno));
		return MX_EXIT_UNKNOWN;
	}
	mx_host_read(&host);
	if (mx_out_open(&out, o->output)) {
		mx_report_free(&rep);
		return MX_EXIT_UNKNOWN;
	}
	switch (o->format) {
	case MX_FMT_JSON: {
		json_object *doc = mx_report_json(&host, &rep);

		fputs(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE),
		      out.f);
		fputc('\n', out.f);
		json_object_put(doc);
		break;
	}
	case MX_FMT_PROM:
		mx_render_prom(out.f, &host, &rep);
		break;
	default:
		mx_render_text(out.f, &host, &rep, o->color);
	}
	rc = mx_report_exit_code(&rep);
	if (mx_out_commit(&out))
		rc = MX_EXIT_UNKNOWN;
	mx_report_free(&rep);
	return rc;
}
