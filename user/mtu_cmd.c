// SPDX-License-Identifier: GPL-2.0
/* `mxprobe mtu [HOST]` and the mtu check group (part of `check`). */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "mtu.h"

static const struct mx_check mtu_checks[] = {
    {"mtu.path", "path MTU", mx_check_mtu_path, NULL, MX_CHECK_LIVE | MX_CHECK_NET},
    {"mtu.docker", "Docker MTU", mx_check_mtu_docker, "mtu.path", MX_CHECK_LIVE},
};

MX_GROUP(mx_group_mtu, "mtu", "MTU", mtu_checks);

struct mtu_opts {
	struct mx_config *cfg;
	int family;
	const char *mailcow_dir;
};

enum { OPT_MAILCOW_DIR = 0x200 };

static const struct option mtu_long[] = {
    {"ipv4", no_argument, NULL, '4'},
    {"ipv6", no_argument, NULL, '6'},
    {"mailcow-dir", required_argument, NULL, OPT_MAILCOW_DIR},
    {0},
};

static int mtu_handle(int opt, const char *arg, void *state)
{
	struct mtu_opts *m = state;

	switch (opt) {
	case '4':
	case '6':
		m->family = opt == '4' ? 4 : 6;
		return 0;
	case OPT_MAILCOW_DIR:
		if (arg[0] != '/') {
			mx_err("mtu: --mailcow-dir: '%s' is not an absolute path", arg);
			return -1;
		}
		m->mailcow_dir = arg;
		return 0;
	}
	return -1;
}

int mx_cmd_mtu(struct mx_opts *o, struct mx_config *cfg, int argc, char **argv)
{
	static const char *const groups[] = {"mtu", NULL};
	struct mtu_opts m = {.cfg = cfg};
	struct mx_cmd_opts extra = {
	    .opts = mtu_long,
	    .shortopts = "46",
	    .handle = mtu_handle,
	    .state = &m,
	    .args = "[HOST]",
	    .usage = "  HOST                     measure the path to HOST (default: mtu_target,\n"
		     "                           mtu_target6 of --config: a root server)\n"
		     "  -4, --ipv4 / -6, --ipv6  only this address family\n"
		     "      --mailcow-dir DIR    where docker-compose(.override).yml live\n"
		     "                           (default: mailcow.conf's directory, else\n"
		     "                           /opt/mailcow-dockerized)\n",
	};
	char err[300];
	int r;

	r = mx_parse_args(o, argc, argv, "mtu", &extra);
	if (r)
		return r > 0 ? MX_EXIT_OK : MX_EXIT_UNKNOWN;
	if (o->argc > 1) {
		mx_err("mtu: unexpected argument '%s' (one HOST at most)", o->argv[1]);
		return MX_EXIT_UNKNOWN;
	}
	if (mx_setup_config(o, cfg))
		return MX_EXIT_UNKNOWN;
	cfg->mtu_family = m.family;
	if (m.mailcow_dir)
		snprintf(cfg->mailcow_dir, sizeof(cfg->mailcow_dir), "%s", m.mailcow_dir);
	if (o->argc == 1 && mx_mtu_resolve(o->argv[0], m.family, err, sizeof(err))) {
		mx_err("mtu: %s", err);
		return MX_EXIT_UNKNOWN;
	}
	return mx_run_oneshot(o, cfg, groups);
}
