/* SPDX-License-Identifier: GPL-2.0 */
/* Global options (../shared/cli.md) and the command table. */
#ifndef MX_CLI_H
#define MX_CLI_H

#include <getopt.h>
#include <stddef.h>

#include "config.h"

enum mx_format { MX_FMT_TEXT, MX_FMT_JSON, MX_FMT_PROM };

struct mx_opts {
	enum mx_format format;
	const char *output;	  /* -o FILE, or NULL for stdout */
	const char *mailcow_conf; /* explicit --mailcow-conf, or NULL */
	const char *config;
	const char *sysroot;
	const char *netns;
	double timeout_s;  /* per-probe timeout */
	double duration_s; /* live commands: stop after this, 0 = until SIGINT */
	int color;	   /* resolved: 1 only on a TTY without NO_COLOR/--no-color */
	int no_color;
	int verbose;
	int quiet;
	const char *domain;	   /* --domain: the mail domain for the DNS checks */
	const char *public_ip[2];  /* --public-ip (v4 and/or v6), else found by outbound */
	const char *resolver;	   /* --resolver ADDR for the DNS checks */
	const char *dkim_selector; /* --dkim-selector (mailcow's default: "dkim") */
	const char *targets[MX_MAX_TARGETS]; /* --target NAME=HOST[:PORT] */
	int ntargets;
	/* Positional arguments after the command (mtu HOST, dns DOMAIN). */
	int argc;
	char **argv;
};

/* Exit codes (Nagios plugin convention). */
#define MX_EXIT_OK 0
#define MX_EXIT_WARN 1
#define MX_EXIT_FAIL 2
#define MX_EXIT_UNKNOWN 3

/* A command's own options, parsed together with the global ones. Its handler
 * returns 0, or -1 after printing an error. */
struct mx_cmd_opts {
	const struct option *opts; /* terminated by an all-zero entry */
	const char *shortopts;	   /* extra short options, or NULL */
	int (*handle)(int opt, const char *arg, void *state);
	void *state;
	const char *usage; /* one line per option, for --help */
	const char *args;  /* positional arguments for the synopsis: "[HOST]" */
};

struct mx_cmd {
	const char *name;
	const char *summary;
	/* One-shot commands that only run check groups list them here. */
	const char *const *groups;
	/* Otherwise (or to take options), a function. Returns an exit code. */
	int (*run)(struct mx_opts *o, struct mx_config *cfg, int argc, char **argv);
	int live;
};

extern const struct mx_cmd mx_commands[];
extern const size_t mx_ncommands;

/* Parses argv (after the command name) into o, with the command's extra
 * options. Returns 0, 1 when --help was printed, or -1 on bad usage. */
int mx_parse_args(struct mx_opts *o, int argc, char **argv, const char *cmd,
		  const struct mx_cmd_opts *extra);
/* Loads defaults, --config, mailcow.conf and --target overrides into cfg;
 * returns 0 or -1 after printing the cause. */
int mx_setup_config(struct mx_opts *o, struct mx_config *cfg);
/* Runs the check groups of a one-shot command and renders the report.
 * Returns the exit code. */
int mx_run_oneshot(struct mx_opts *o, struct mx_config *cfg, const char *const *groups);
/* Joins network namespace NAME (as ip netns does); 0 or -1 with a message. */
int mx_enter_netns(const char *name);
/* Parses a positive number of seconds; 0 or -1. */
int mx_parse_seconds(const char *s, double *out);

#endif
