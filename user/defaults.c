// SPDX-License-Identifier: GPL-2.0
/* The seed documents' requirements, compiled in. Sources: mailcow's
 * "Prepare your system" page (seeds 000, 002) and the Proxmox-style
 * prerequisites (seed 004); see docs/config.md for each value's origin. */
#include <stdio.h>
#include <string.h>

#include "config.h"

#define GiB (1024ULL * 1024 * 1024)
#define MiB (1024ULL * 1024)

static const struct mx_port default_ports[] = {
    {"smtp", "Postfix SMTP", "postfix-mailcow", "SMTP_PORT", MX_TCP, 25, ""},
    {"smtps", "Postfix SMTPS", "postfix-mailcow", "SMTPS_PORT", MX_TCP, 465, ""},
    {"submission", "Postfix Submission", "postfix-mailcow", "SUBMISSION_PORT", MX_TCP, 587, ""},
    {"imap", "Dovecot IMAP", "dovecot-mailcow", "IMAP_PORT", MX_TCP, 143, ""},
    {"imaps", "Dovecot IMAPS", "dovecot-mailcow", "IMAPS_PORT", MX_TCP, 993, ""},
    {"pop3", "Dovecot POP3", "dovecot-mailcow", "POP_PORT", MX_TCP, 110, ""},
    {"pop3s", "Dovecot POP3S", "dovecot-mailcow", "POPS_PORT", MX_TCP, 995, ""},
    {"sieve", "Dovecot ManageSieve", "dovecot-mailcow", "SIEVE_PORT", MX_TCP, 4190, ""},
    {"http", "HTTP", "nginx-mailcow", "HTTP_PORT", MX_TCP, 80, ""},
    /* Seed 004: 443/tcp+udp (HTTP/3). */
    {"https", "HTTPS", "nginx-mailcow", "HTTPS_PORT", MX_TCP | MX_UDP, 443, ""},
    /* mailcow.conf publishes these on the loopback address only. */
    {"doveadm", "Dovecot doveadm", "dovecot-mailcow", "DOVEADM_PORT", MX_TCP, 19991, "127.0.0.1"},
    {"sql", "MariaDB", "mysql-mailcow", "SQL_PORT", MX_TCP, 13306, "127.0.0.1"},
    {"redis", "Redis", "redis-mailcow", "REDIS_PORT", MX_TCP, 7654, "127.0.0.1"},
};

#define ROOTS "198.41.0.4 199.9.14.201 192.33.4.12 2001:503:ba3e::2:30 2801:1b8:10::b 2001:500:2::c"

static const struct mx_target default_targets[] = {
    {"clamd_rsync", "Clamd", "rsync.sanesecurity.net", 873, MX_TCP, "rsync",
     "Download ClamAV signatures", 0},
    {"sa_heinlein", "Dovecot", "spamassassin.heinlein-support.de", 443, MX_TCP, "tls",
     "Download SpamAssassin rules processed by Rspamd", 0},
    {"github_http", "mailcow", "github.com", 80, MX_TCP, "http", "Download mailcow updates", 0},
    {"github_https", "mailcow", "github.com", 443, MX_TCP, "tls", "Download mailcow updates", 0},
    {"docker_hub", "mailcow", "hub.docker.com", 443, MX_TCP, "tls",
     "Download Docker images from Docker Hub", 0},
    {"asn_check", "mailcow", "asn-check.mailcow.email", 443, MX_TCP, "asn",
     "Bad-ASN check for the Spamhaus free blocklists", 0},
    {"ip4_mailcow", "mailcow", "ip4.mailcow.email", 80, MX_TCP, "pubip4",
     "Public IPv4 address for the UI", 1},
    {"ip6_mailcow", "mailcow", "ip6.mailcow.email", 80, MX_TCP, "pubip6",
     "Public IPv6 address for the UI", 1},
    {"smtp_out", "Postfix", "gmail-smtp-in.l.google.com", 25, MX_TCP, "smtp",
     "Outgoing mail to any MX host", 0},
    {"smtps_out", "Postfix", "smtp.gmail.com", 465, MX_TCP, "smtps",
     "Outgoing mail over implicit TLS", 0},
    {"fuzzy_maps", "Rspamd", "fuzzy.mailcow.email", 80, MX_TCP, "http",
     "Download bad subject regex maps", 0},
    {"bazaar", "Rspamd", "bazaar.abuse.ch", 443, MX_TCP, "tls", "Malware MD5 checksums", 0},
    {"urlhaus", "Rspamd", "urlhaus.abuse.ch", 443, MX_TCP, "tls", "Malware download links", 0},
    {"fuzzy_mailcow", "Rspamd", "fuzzy.mailcow.email", 11445, MX_UDP, "fuzzy",
     "Global mailcow fuzzy storage", 0},
    {"fuzzy_rspamd", "Rspamd", "fuzzy1.rspamd.com fuzzy2.rspamd.com", 11335, MX_UDP, "fuzzy",
     "Global Rspamd fuzzy storage", 0},
    /* Unbound resolves recursively: it talks to the root servers directly
     * (a, b and c.root-servers.net; the IPv6 ones are probed only when the
     * host has an IPv6 default route). */
    {"dns_udp", "Unbound", ROOTS, 53, MX_UDP, "dns", "DNS resolution (recursive, DNSSEC)", 0},
    {"dns_tcp", "Unbound", ROOTS, 53, MX_TCP, "dns", "DNS resolution over TCP (large answers)", 0},
    {"ping", "Unbound", "1.1.1.1 8.8.8.8 9.9.9.9", 0, MX_ICMP, "icmp",
     "Unbound's connectivity healthcheck", 0},
    {"ntp", "system", "0.debian.pool.ntp.org", 123, MX_UDP, "ntp", "Time synchronisation", 0},
    {"razor", "Rspamd", "discovery.razor.cloudmark.com", 2703, MX_TCP, "tcp", "CloudMark Razor", 1},
    {"clamav_db", "Clamd", "database.clamav.net", 443, MX_TCP, "tls", "ClamAV database", 0},
    {"letsencrypt", "acme", "acme-v02.api.letsencrypt.org", 443, MX_TCP, "tls",
     "Let's Encrypt certificates", 0},
    {"sa_apache", "Rspamd", "spamassassin.apache.org", 443, MX_TCP, "tls",
     "SpamAssassin rule updates", 1},
};

/* Seed 000, "Supported OS" (as of December 2024). */
static const struct mx_os_row default_os[] = {
    {"debian", "Debian", "11", "12", MX_OS_FULL},
    {"ubuntu", "Ubuntu", "22.04", "", MX_OS_FULL},
    {"almalinux", "Alma Linux", "8", "9", MX_OS_FULL},
    {"rocky", "Rocky Linux", "9", "9", MX_OS_FULL},
    {"alpine", "Alpine", "3.19", "", MX_OS_LIMITED},
};

void mx_config_defaults(struct mx_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->ports, default_ports, sizeof(default_ports));
	cfg->nports = sizeof(default_ports) / sizeof(default_ports[0]);
	memcpy(cfg->targets, default_targets, sizeof(default_targets));
	cfg->ntargets = sizeof(default_targets) / sizeof(default_targets[0]);
	memcpy(cfg->os, default_os, sizeof(default_os));
	cfg->nos = sizeof(default_os) / sizeof(default_os[0]);

	/* Seed 000: "Minimum 6 GiB + 1 GiB swap", disk 20 GiB, CPU 1 GHz. */
	cfg->th.ram_min = 6 * GiB;
	cfg->th.swap_min = 1 * GiB;
	cfg->th.disk_min = 20 * GiB;
	cfg->th.ram_slack = 512 * MiB;
	/* clamd holds its signature database in memory (~1 GiB, mailcow #3761);
	 * the full-text index (Flatcurve, formerly Solr) is the other big one. */
	cfg->th.ram_clamd = 1 * GiB;
	cfg->th.ram_fts = 512 * MiB;
	cfg->th.cpu_min_mhz = 1000;
	/* A synchronised clock is within milliseconds; a second means no sync.
	 * TOTP (30 s step, ±1 step) starts failing between 30 and 60 s. */
	cfg->th.time_warn_s = 1.0;
	cfg->th.time_fail_s = 30.0;
	/* Probe starts: 32 at once, then 200/s; the default table's ~50 probes
	 * all start within 0.1 s, a --config with many hosts stays polite. */
	cfg->probe_rate = 200;
	cfg->probe_burst = 32;
	snprintf(cfg->ntp_server, sizeof(cfg->ntp_server), "pool.ntp.org");
	snprintf(cfg->docker_daemon_json, sizeof(cfg->docker_daemon_json),
		 "/etc/docker/daemon.json");
	snprintf(cfg->docker_data_root, sizeof(cfg->docker_data_root), "/var/lib/docker");
	cfg->mc.skip_clamd = cfg->mc.skip_fts = cfg->mc.enable_ipv6 = -1;
	/* a.root-servers.net: unbound talks to the roots, and they answer ping. */
	snprintf(cfg->mtu_target, sizeof(cfg->mtu_target), "198.41.0.4");
	snprintf(cfg->mtu_target6, sizeof(cfg->mtu_target6), "2001:503:ba3e::2:30");
}
