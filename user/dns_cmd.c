// SPDX-License-Identifier: GPL-2.0
/* The "dns" check group and `mxprobe dns [DOMAIN]`. */
#include <ctype.h>
#include <string.h>

#include "dns_checks.h"
#include "dns_cmd.h"
#include "log.h"

#define DNS_FLAGS (MX_CHECK_LIVE | MX_CHECK_NET)

/* dns.domain waits for the outbound probe's public address; every other
 * check reads dns.domain's findings. */
static const struct mx_check dns_checks[] = {
    {"dns.domain", "mail domain", mx_dns_check_domain, "outbound.public_ip", DNS_FLAGS},
    {"dns.host_address", "host A/AAAA", mx_dns_check_host_address, "dns.domain", DNS_FLAGS},
    {"dns.mx", "MX", mx_dns_check_mx, "dns.domain", DNS_FLAGS},
    {"dns.ptr_ipv4", "PTR IPv4", mx_dns_check_ptr4, "dns.domain", DNS_FLAGS},
    {"dns.ptr_ipv6", "PTR IPv6", mx_dns_check_ptr6, "dns.domain", DNS_FLAGS},
    {"dns.spf", "SPF", mx_dns_check_spf, "dns.domain", DNS_FLAGS},
    {"dns.dmarc", "DMARC", mx_dns_check_dmarc, "dns.domain", DNS_FLAGS},
    {"dns.dkim", "DKIM", mx_dns_check_dkim, "dns.domain", DNS_FLAGS},
    {"dns.wildcard_spf", "wildcard SPF", mx_dns_check_wildcard_spf, "dns.domain", DNS_FLAGS},
    {"dns.autodiscover", "autodiscover", mx_dns_check_autodiscover, "dns.domain", DNS_FLAGS},
    {"dns.autoconfig", "autoconfig", mx_dns_check_autoconfig, "dns.domain", DNS_FLAGS},
    {"dns.autodiscover_srv", "autodiscover SRV", mx_dns_check_autodiscover_srv, "dns.domain",
     DNS_FLAGS},
    {"dns.mta_sts", "MTA-STS", mx_dns_check_mta_sts, "dns.domain", DNS_FLAGS},
    {"dns.tlsrpt", "TLSRPT", mx_dns_check_tlsrpt, "dns.domain", DNS_FLAGS},
    {"dns.tlsa", "TLSA (DANE)", mx_dns_check_tlsa, "dns.domain", DNS_FLAGS},
    {"dns.caa", "CAA", mx_dns_check_caa, "dns.domain", DNS_FLAGS},
};

MX_GROUP(mx_group_dns, "dns", "DNS", dns_checks);

/* A host name as DNS allows it: labels of letters, digits, '-' and '_'. */
static int name_ok(const char *s)
{
	size_t len = strlen(s), lab = 0;

	if (!len || len > 253 || s[0] == '.' || !strchr(s, '.'))
		return 0;
	for (; *s; s++) {
		if (*s == '.') {
			if (!lab)
				return 0;
			lab = 0;
		} else if (isalnum((unsigned char)*s) || *s == '-' || *s == '_') {
			if (++lab > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return 1;
}

enum { OPT_HOSTNAME = 0x200 };

static const struct option dns_opts[] = {
    {"hostname", required_argument, NULL, OPT_HOSTNAME},
    {NULL, 0, NULL, 0},
};

static int handle(int opt, const char *arg, void *state)
{
	if (opt != OPT_HOSTNAME)
		return -1;
	if (!name_ok(arg)) {
		mx_err("dns: --hostname: '%s' is not a fully qualified host name", arg);
		return -1;
	}
	mx_dns_hostname_override = arg;
	return 0;
}

int mx_cmd_dns(struct mx_opts *o, struct mx_config *cfg, int argc, char **argv)
{
	static const char *const groups[] = {"dns", NULL};
	const struct mx_cmd_opts extra = {
	    .opts = dns_opts,
	    .handle = handle,
	    .usage =
		"  DOMAIN                   the mail domain (default: --domain, else from\n"
		"                           MAILCOW_HOSTNAME: its nearest parent with MX)\n"
		"      --hostname NAME      the mail server's name (default: MAILCOW_HOSTNAME,\n"
		"                           else the domain's best MX)\n",
	};
	int r = mx_parse_args(o, argc, argv, "dns", &extra);

	if (r)
		return r > 0 ? MX_EXIT_OK : MX_EXIT_UNKNOWN;
	if (o->argc > 1) {
		mx_err("dns: unexpected argument '%s' (one DOMAIN at most)", o->argv[1]);
		return MX_EXIT_UNKNOWN;
	}
	if (o->argc == 1) {
		if (!name_ok(o->argv[0])) {
			const char *c = o->argv[0];

			while (*c && !(*c & 0x80))
				c++;
			mx_err("dns: '%s' is not a domain name%s", o->argv[0],
			       *c ? " (give an internationalized name in its xn-- form)" : "");
			return MX_EXIT_UNKNOWN;
		}
		o->domain = o->argv[0];
	}
	if (mx_setup_config(o, cfg))
		return MX_EXIT_UNKNOWN;
	{
		const char *mh = mx_mc_get(&cfg->mc, "MAILCOW_HOSTNAME");

		/* Asked for DNS checks with nothing to check: a usage error here,
		 * while `check` reports the group as skipped. */
		if (!o->domain && !mx_dns_hostname_override && !(mh && *mh)) {
			mx_err("dns: no mail domain: give DOMAIN, --domain, or a mailcow.conf with "
			       "MAILCOW_HOSTNAME (--mailcow-conf FILE)");
			return MX_EXIT_UNKNOWN;
		}
	}
	return mx_run_oneshot(o, cfg, groups);
}
