// SPDX-License-Identifier: GPL-2.0
/* The ports group: `mxprobe ports`, part of `check`. One check per mailcow
 * port (stable ids ports.<name>, the names of the port table in
 * defaults.c); all of them read one snapshot (ports_scan.c). */
#include <string.h>

#include "check.h"
#include "ports_scan.h"

static void check_port(struct mx_ctx *ctx, struct mx_result *r)
{
	const char *name = strchr(r->check->id, '.') + 1;
	const struct mx_port *p = mx_config_port(ctx->cfg, name);

	if (!p) {
		mx_result_set(r, MX_SKIP, "no port '%s' in the configuration", name);
		return;
	}
	if (!p->port) {
		mx_result_set(r, MX_SKIP, "%s is not published (%s)", p->service, p->var);
		return;
	}
	mx_port_evaluate(mx_ports_scan_get(ctx->cfg), ctx->cfg, p, r);
}

#define PORT(n, title)                                                                             \
	{                                                                                          \
		"ports." n, title, check_port, NULL, MX_CHECK_LIVE                                 \
	}

static const struct mx_check ports_checks[] = {
    PORT("smtp", "SMTP"),   PORT("smtps", "SMTPS"),	  PORT("submission", "Submission"),
    PORT("imap", "IMAP"),   PORT("imaps", "IMAPS"),	  PORT("pop3", "POP3"),
    PORT("pop3s", "POP3S"), PORT("sieve", "ManageSieve"), PORT("http", "HTTP"),
    PORT("https", "HTTPS"), PORT("doveadm", "doveadm"),	  PORT("sql", "MariaDB"),
    PORT("redis", "Redis"),
};

MX_GROUP(mx_group_ports, "ports", "Ports", ports_checks);
