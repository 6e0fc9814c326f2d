// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

int mx_parse_size(const char *s, unsigned long long *out)
{
	unsigned long long v, mul = 1;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	while (*end == ' ')
		end++;
	switch (toupper((unsigned char)*end)) {
	case '\0':
		break;
	case 'K':
		mul = 1ULL << 10;
		break;
	case 'M':
		mul = 1ULL << 20;
		break;
	case 'G':
		mul = 1ULL << 30;
		break;
	case 'T':
		mul = 1ULL << 40;
		break;
	default:
		return -1;
	}
	if (*end) {
		end++;
		/* "G", "GB", "GiB" all mean binary units here, as in the seed. */
		if (!strcasecmp(end, "ib") || !strcasecmp(end, "b"))
			end += strlen(end);
		if (*end)
			return -1;
	}
	if (v > ~0ULL / mul)
		return -1;
	*out = v * mul;
	return 0;
}

static int parse_port_num(const char *s, uint16_t *port)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int mx_parse_bind_port(const char *s, char *bind, size_t bindlen, uint16_t *port)
{
	unsigned char addr[16];
	const char *colon;
	char ip[64];
	size_t n;

	bind[0] = '\0';
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -1;
		n = close - s - 1;
		if (n == 0 || n >= sizeof(ip) || n >= bindlen)
			return -1;
		memcpy(ip, s + 1, n);
		ip[n] = '\0';
		if (inet_pton(AF_INET6, ip, addr) != 1)
			return -1;
		if (parse_port_num(close + 2, port))
			return -1;
		snprintf(bind, bindlen, "%s", ip);
		return 0;
	}
	colon = strrchr(s, ':');
	if (!colon)
		return parse_port_num(s, port);
	n = colon - s;
	if (n == 0 || n >= sizeof(ip) || n >= bindlen)
		return -1;
	memcpy(ip, s, n);
	ip[n] = '\0';
	if (inet_pton(AF_INET, ip, addr) != 1)
		return -1;
	if (parse_port_num(colon + 1, port))
		return -1;
	snprintf(bind, bindlen, "%s", ip);
	return 0;
}

const struct mx_port *mx_config_port(const struct mx_config *cfg, const char *name)
{
	int i;

	for (i = 0; i < cfg->nports; i++)
		if (!strcmp(cfg->ports[i].name, name))
			return &cfg->ports[i];
	return NULL;
}

const struct mx_target *mx_config_target_find(const struct mx_config *cfg, const char *name)
{
	int i;

	for (i = 0; i < cfg->ntargets; i++)
		if (!strcmp(cfg->targets[i].name, name))
			return &cfg->targets[i];
	return NULL;
}

static int valid_host(const char *h)
{
	size_t n = strlen(h);

	if (n == 0 || n > 253)
		return 0;
	for (; *h; h++)
		if (!isalnum((unsigned char)*h) && !strchr(".-_:", *h))
			return 0;
	return 1;
}

int mx_config_target(struct mx_config *cfg, const char *spec)
{
	const char *eq = strchr(spec, '='), *hp;
	char name[32], host[256];
	struct mx_target *t = NULL;
	uint16_t port = 0;
	const char *colon;
	size_t n;
	int i;

	if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof(name)) {
		mx_err("target: '%s': expected NAME=HOST[:PORT]", spec);
		return -1;
	}
	memcpy(name, spec, eq - spec);
	name[eq - spec] = '\0';
	for (i = 0; i < cfg->ntargets; i++)
		if (!strcmp(cfg->targets[i].name, name))
			t = &cfg->targets[i];
	if (!t) {
		mx_err("target: unknown target '%s' (see 'mxprobe outbound --json' for the names)",
		       name);
		return -1;
	}
	hp = eq + 1;
	/* [v6]:port, v4/name:port, or a bare host (v6 without port needs brackets). */
	if (hp[0] == '[') {
		const char *close = strchr(hp, ']');

		if (!close) {
			mx_err("target: '%s': missing ']'", spec);
			return -1;
		}
		n = close - hp - 1;
		colon = close[1] == ':' ? close + 1 : NULL;
		if (close[1] && !colon) {
			mx_err("target: '%s': expected ':PORT' after ']'", spec);
			return -1;
		}
		hp++;
	} else {
		colon = strchr(hp, ':');
		if (colon && strchr(colon + 1, ':')) {
			mx_err("target: '%s': write IPv6 addresses as [ADDR]:PORT", spec);
			return -1;
		}
		n = colon ? (size_t)(colon - hp) : strlen(hp);
	}
	if (n == 0 || n >= sizeof(host)) {
		mx_err("target: '%s': empty or too long host", spec);
		return -1;
	}
	memcpy(host, hp, n);
	host[n] = '\0';
	if (!valid_host(host)) {
		mx_err("target: '%s': '%s' is not a host name or address", spec, host);
		return -1;
	}
	if (colon && parse_port_num(colon + 1, &port)) {
		mx_err("target: '%s': port must be 1-65535", spec);
		return -1;
	}
	snprintf(t->host, sizeof(t->host), "%s", host);
	if (port)
		t->port = port;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int set_port(struct mx_config *cfg, const char *name, char *val)
{
	struct mx_port *p = (struct mx_port *)mx_config_port(cfg, name);
	unsigned proto = MX_TCP;
	char *slash = strchr(val, '/');

	if (slash) {
		*slash = '\0';
		if (!strcmp(slash + 1, "tcp"))
			proto = MX_TCP;
		else if (!strcmp(slash + 1, "udp"))
			proto = MX_UDP;
		else if (!strcmp(slash + 1, "tcp+udp"))
			proto = MX_TCP | MX_UDP;
		else
			return -1;
	}
	if (!p) {
		if (cfg->nports >= MX_MAX_PORTS || strlen(name) >= sizeof(p->name))
			return -1;
		p = &cfg->ports[cfg->nports++];
		memset(p, 0, sizeof(*p));
		snprintf(p->name, sizeof(p->name), "%s", name);
		snprintf(p->service, sizeof(p->service), "%s", name);
	}
	if (mx_parse_bind_port(val, p->bind, sizeof(p->bind), &p->port))
		return -1;
	if (slash)
		p->proto = proto;
	else if (!p->proto)
		p->proto = MX_TCP;
	return 0;
}

static int parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return (errno || end == s || *end || *out < 0) ? -1 : 0;
}

static int apply_key(struct mx_config *cfg, const char *key, char *val)
{
	unsigned long long sz;
	double d;

	if (!strncmp(key, "port.", 5))
		return set_port(cfg, key + 5, val);
	if (!strncmp(key, "target.", 7)) {
		char spec[320];

		snprintf(spec, sizeof(spec), "%s=%s", key + 7, val);
		return mx_config_target(cfg, spec) ? -2 : 0;
	}
	if (!strcmp(key, "ram_min") || !strcmp(key, "swap_min") || !strcmp(key, "disk_min")) {
		if (mx_parse_size(val, &sz))
			return -1;
		if (key[0] == 'r')
			cfg->th.ram_min = sz;
		else if (key[0] == 's')
			cfg->th.swap_min = sz;
		else
			cfg->th.disk_min = sz;
		return 0;
	}
	if (!strcmp(key, "cpu_min_mhz")) {
		if (parse_double(val, &d) || d > 1e6)
			return -1;
		cfg->th.cpu_min_mhz = (unsigned)d;
		return 0;
	}
	if (!strcmp(key, "time_warn") || !strcmp(key, "time_fail")) {
		if (parse_double(val, &d))
			return -1;
		if (key[5] == 'w')
			cfg->th.time_warn_s = d;
		else
			cfg->th.time_fail_s = d;
		return 0;
	}
	if (!strcmp(key, "ntp_server")) {
		if (!valid_host(val))
			return -1;
		snprintf(cfg->ntp_server, sizeof(cfg->ntp_server), "%s", val);
		return 0;
	}
	if (!strcmp(key, "mtu_target") || !strcmp(key, "mtu_target6")) {
		if (!valid_host(val))
			return -1;
		if (key[10] == '6')
			snprintf(cfg->mtu_target6, sizeof(cfg->mtu_target6), "%s", val);
		else
			snprintf(cfg->mtu_target, sizeof(cfg->mtu_target), "%s", val);
		return 0;
	}
	if (!strcmp(key, "mailcow_dir")) {
		if (val[0] != '/' || strlen(val) >= sizeof(cfg->mailcow_dir))
			return -1;
		snprintf(cfg->mailcow_dir, sizeof(cfg->mailcow_dir), "%s", val);
		return 0;
	}
	if (!strcmp(key, "ca_file")) {
		if (val[0] != '/' || access(val, R_OK) != 0)
			return -1;
		snprintf(cfg->ca_file, sizeof(cfg->ca_file), "%s", val);
		return 0;
	}
	if (!strcmp(key, "probe_rate")) {
		if (parse_double(val, &d) || d < 1 || d > 100000)
			return -1;
		cfg->probe_rate = d;
		return 0;
	}
	if (!strcmp(key, "probe_burst")) {
		if (parse_double(val, &d) || d < 1 || d > 10000)
			return -1;
		cfg->probe_burst = (unsigned)d;
		return 0;
	}
	if (!strcmp(key, "docker_daemon_json") || !strcmp(key, "docker_data_root")) {
		if (val[0] != '/')
			return -1;
		if (!strcmp(key, "docker_daemon_json"))
			snprintf(cfg->docker_daemon_json, sizeof(cfg->docker_daemon_json), "%s",
				 val);
		else
			snprintf(cfg->docker_data_root, sizeof(cfg->docker_data_root), "%s", val);
		return 0;
	}
	return -3;
}

int mx_config_load(struct mx_config *cfg, const char *path)
{
	char line[1024];
	int lineno = 0, rc = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		mx_err("config: open %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq, *key, *val, *hash;
		int r;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			mx_err("config: %s:%d: line too long", path, lineno);
			rc = -1;
			break;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		s = trim(line);
		if (!*s)
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			mx_err("config: %s:%d: expected 'key = value'", path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		r = apply_key(cfg, key, val);
		if (r == -3) {
			mx_err("config: %s:%d: unknown key '%s'", path, lineno, key);
			rc = -1;
			break;
		} else if (r == -1) {
			mx_err("config: %s:%d: bad value '%s' for %s", path, lineno, val, key);
			rc = -1;
			break;
		} else if (r) {
			rc = -1;
			break;
		}
	}
	fclose(f);
	return rc;
}

void mx_config_apply_mailcow(struct mx_config *cfg)
{
	struct mx_mailcow_conf *mc = &cfg->mc;
	const char *http_bind;
	int i;

	if (!mc->present)
		return;
	for (i = 0; i < cfg->nports; i++) {
		struct mx_port *p = &cfg->ports[i];
		const char *v = mx_mc_get(mc, p->var);
		char bind[64];
		uint16_t port;

		if (!v || !*v)
			continue;
		if (mx_parse_bind_port(v, bind, sizeof(bind), &port)) {
			mx_mc_error(mc, mx_mc_line(mc, p->var),
				    "%s: '%s' is not PORT, IP:PORT or [IPv6]:PORT", p->var, v);
			continue;
		}
		/* Seed: "You cannot use IP:PORT bindings for HTTP_PORT and
		 * HTTPS_PORT. Please use HTTP_PORT=1234 and HTTP_BIND=1.2.3.4." */
		if (bind[0] && (!strcmp(p->name, "http") || !strcmp(p->name, "https"))) {
			mx_mc_error(
			    mc, mx_mc_line(mc, p->var),
			    "%s: IP:PORT bindings are not allowed here ('%s'); use HTTP_BIND "
			    "for the address",
			    p->var, v);
			continue;
		}
		p->port = port;
		snprintf(p->bind, sizeof(p->bind), "%s", bind);
	}
	http_bind = mx_mc_get(mc, "HTTP_BIND");
	if (http_bind && *http_bind) {
		unsigned char a[16];

		if (inet_pton(AF_INET, http_bind, a) != 1 &&
		    inet_pton(AF_INET6, http_bind, a) != 1) {
			mx_mc_error(mc, mx_mc_line(mc, "HTTP_BIND"),
				    "%s: '%s' is not an IP address", "HTTP_BIND", http_bind);
		} else {
			for (i = 0; i < cfg->nports; i++)
				if (!strcmp(cfg->ports[i].name, "http") ||
				    !strcmp(cfg->ports[i].name, "https"))
					snprintf(cfg->ports[i].bind, sizeof(cfg->ports[i].bind),
						 "%s", http_bind);
		}
	}
}
