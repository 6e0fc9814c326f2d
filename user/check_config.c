// SPDX-License-Identifier: GPL-2.0
/* config.mailcow_conf: was mailcow.conf read, and is every line of it sound? */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

static void check_mailcow_conf(struct mx_ctx *ctx, struct mx_result *r)
{
	const struct mx_mailcow_conf *mc = &ctx->cfg->mc;
	const char *host, *net;
	json_object *errs;
	int i;

	if (!mc->present) {
		mx_result_set(r, MX_SKIP,
			      "no mailcow.conf (not installed yet, or give --mailcow-conf)");
		return;
	}
	mx_data_str(r, "path", mc->path);
	mx_data_int(r, "variables", mc->nvars);
	errs = json_object_new_array();
	for (i = 0; i < mc->nerrors; i++) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "line", json_object_new_int(mc->errors[i].line));
		json_object_object_add(e, "message", json_object_new_string(mc->errors[i].msg));
		json_object_array_add(errs, e);
	}
	json_object_object_add(mx_result_data(r), "errors", errs);
	if (mc->skip_clamd >= 0)
		mx_data_bool(r, "skip_clamd", mc->skip_clamd);
	if (mc->skip_fts >= 0)
		mx_data_bool(r, "skip_fts", mc->skip_fts);
	if (mc->enable_ipv6 >= 0)
		mx_data_bool(r, "enable_ipv6", mc->enable_ipv6);
	host = mx_mc_get(mc, "MAILCOW_HOSTNAME");
	mx_data_str(r, "mailcow_hostname", host);

	if (mc->nerrors) {
		mx_result_set(r, MX_FAIL, "%s:%d: %s%s", mc->path, mc->errors[0].line,
			      mc->errors[0].msg,
			      mc->nerrors > 1 ? " (and more: see data.errors)" : "");
		mx_result_remedy(
		    r, "fix the line(s) named; mxprobe ignored them, docker compose would not");
		return;
	}
	/* mailcow needs a fully qualified name: it becomes the TLS certificate's
	 * name and the SMTP greeting. */
	if (!host || !*host) {
		mx_result_set(r, MX_FAIL, "%s: MAILCOW_HOSTNAME is not set", mc->path);
		mx_result_remedy(
		    r, "set MAILCOW_HOSTNAME to the mail server's FQDN, e.g. mail.example.org");
		return;
	}
	if (!strchr(host, '.') || host[strlen(host) - 1] == '.') {
		mx_result_set(r, MX_FAIL,
			      "%s:%d: MAILCOW_HOSTNAME '%s' is not a fully qualified name",
			      mc->path, mx_mc_line(mc, "MAILCOW_HOSTNAME"), host);
		mx_result_remedy(r, "use the FQDN (mail.example.org) without a trailing dot");
		return;
	}
	net = mx_mc_get(mc, "IPV4_NETWORK");
	if (net && *net) {
		char full[32];
		unsigned char a[4];

		/* mailcow takes the first three octets ("172.22.1"). */
		snprintf(full, sizeof(full), "%s.0", net);
		if (inet_pton(AF_INET, full, a) != 1) {
			mx_result_set(r, MX_FAIL,
				      "%s:%d: IPV4_NETWORK '%s' is not three octets like 172.22.1",
				      mc->path, mx_mc_line(mc, "IPV4_NETWORK"), net);
			return;
		}
	}
	if (mc->skip_fts_from_solr) {
		mx_result_set(
		    r, MX_WARN,
		    "%s: SKIP_SOLR is obsolete since mailcow replaced Solr with Flatcurve (2025)",
		    mc->path);
		mx_result_remedy(r, "rename SKIP_SOLR to SKIP_FTS (mxprobe honours both)");
		return;
	}
	mx_result_set(r, MX_PASS, "%s: %d variables, hostname %s", mc->path, mc->nvars, host);
}

static const struct mx_check config_checks[] = {
    {"config.mailcow_conf", "mailcow.conf", check_mailcow_conf, NULL, 0},
};

MX_GROUP(mx_group_config, "config", "Configuration", config_checks);
