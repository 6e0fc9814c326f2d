// SPDX-License-Identifier: GPL-2.0
/* The ports group: `mxprobe ports`, part of `check`. One check per mailcow
 * port (stable ids ports.<name>, the names of the port table in
 * defaults.c); all of them read one snapshot (ports_scan.c). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli.h"
#include "container.h"
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
	mx_docker_set_timeout(ctx->opts->timeout_s);
	mx_port_evaluate(mx_ports_scan_get(ctx->cfg), ctx->cfg, p, r);
}

static const char *const known[] = {"smtp",    "smtps", "submission", "imap", "imaps",
				    "pop3",    "pop3s", "sieve",      "http", "https",
				    "doveadm", "sql",	"redis",      NULL};

static int is_known(const char *name)
{
	int i;

	for (i = 0; known[i]; i++)
		if (!strcmp(known[i], name))
			return 1;
	return 0;
}

static const int sev[MX_STATUS_COUNT] = {
    [MX_PASS] = 0, [MX_SKIP] = 0, [MX_WARN] = 1, [MX_FAIL] = 2, [MX_ERROR] = 3};

/* Ports added with `port.NAME = ...` in --config: one check for all of
 * them, each evaluated like the built-in ones, the worst status wins. */
static void check_extra(struct mx_ctx *ctx, struct mx_result *r)
{
	const struct mx_ports_scan *sc = NULL;
	enum mx_status worst = MX_PASS;
	json_object *list = json_object_new_array();
	char summary[1024] = "", *remedy = NULL;
	int i, n = 0;

	for (i = 0; i < ctx->cfg->nports; i++) {
		const struct mx_port *p = &ctx->cfg->ports[i];
		struct mx_result one = {.check = r->check, .group = r->group};
		size_t len = strlen(summary);

		if (is_known(p->name) || !p->port)
			continue;
		if (!sc) {
			mx_docker_set_timeout(ctx->opts->timeout_s);
			sc = mx_ports_scan_get(ctx->cfg);
		}
		mx_port_evaluate(sc, ctx->cfg, p, &one);
		json_object_object_add(one.data, "name", json_object_new_string(p->name));
		json_object_array_add(list, json_object_get(one.data));
		if (sev[one.status] > sev[worst]) {
			worst = one.status;
			free(remedy);
			remedy = one.remedy ? strdup(one.remedy) : NULL;
		}
		snprintf(summary + len, sizeof(summary) - len, "%s%s: %s", n ? "; " : "", p->name,
			 one.summary ? one.summary : "");
		n++;
		free(one.summary);
		free(one.remedy);
		json_object_put(one.data);
	}
	json_object_object_add(mx_result_data(r), "ports", list);
	if (!n)
		mx_result_set(r, MX_SKIP, "no extra ports (add one with port.NAME in --config)");
	else
		mx_result_set(r, worst, "%s", summary);
	if (remedy)
		mx_result_remedy(r, "%s", remedy);
	free(remedy);
}

#define PORT(n, title)                                                                             \
	{                                                                                          \
		"ports." n, title, check_port, NULL, MX_CHECK_LIVE                                 \
	}

static const struct mx_check ports_checks[] = {
    PORT("smtp", "SMTP"),
    PORT("smtps", "SMTPS"),
    PORT("submission", "Submission"),
    PORT("imap", "IMAP"),
    PORT("imaps", "IMAPS"),
    PORT("pop3", "POP3"),
    PORT("pop3s", "POP3S"),
    PORT("sieve", "ManageSieve"),
    PORT("http", "HTTP"),
    PORT("https", "HTTPS"),
    PORT("doveadm", "doveadm"),
    PORT("sql", "MariaDB"),
    PORT("redis", "Redis"),
    {"ports.extra", "other ports", check_extra, NULL, MX_CHECK_LIVE},
};

MX_GROUP(mx_group_ports, "ports", "Ports", ports_checks);
