// SPDX-License-Identifier: GPL-2.0
/* SPF macro expansion (RFC 7208 7) and address matching for mechanisms. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "dns_spf.h"

int mx_ip_in_net(int family, const unsigned char *addr, const unsigned char *net, int prefix)
{
	int bytes = family == AF_INET6 ? 16 : 4, full = prefix / 8, rem = prefix % 8;

	if (prefix < 0 || prefix > bytes * 8)
		return 0;
	if (memcmp(addr, net, full))
		return 0;
	if (rem) {
		unsigned char mask = (unsigned char)(0xff << (8 - rem));

		return (addr[full] & mask) == (net[full] & mask);
	}
	return 1;
}

/* Macro expansion (RFC 7208 7). */
static void macro_value(char letter, const struct mx_spf_macro_env *env, char *out, size_t len)
{
	const char *at = env->sender ? strrchr(env->sender, '@') : NULL;

	switch (tolower((unsigned char)letter)) {
	case 's':
		snprintf(out, len, "%s", env->sender ? env->sender : "");
		break;
	case 'l':
		if (at && at > env->sender)
			snprintf(out, len, "%.*s", (int)(at - env->sender), env->sender);
		else
			snprintf(out, len, "postmaster");
		break;
	case 'o':
		snprintf(out, len, "%s", at ? at + 1 : (env->sender ? env->sender : ""));
		break;
	case 'd':
		snprintf(out, len, "%s", env->domain ? env->domain : "");
		break;
	case 'c':
		inet_ntop(env->family, env->ip, out, len);
		break;
	case 'i':
		if (env->family == AF_INET6) {
			size_t o = 0;

			for (int i = 0; i < 16 && o + 4 < len; i++) {
				o += snprintf(out + o, len - o, "%x.%x%s", env->ip[i] >> 4,
					      env->ip[i] & 15, i < 15 ? "." : "");
			}
		} else {
			inet_ntop(AF_INET, env->ip, out, len);
		}
		break;
	case 'p':
		/* The validated name needs more lookups and is discouraged (7.3). */
		snprintf(out, len, "unknown");
		break;
	case 'v':
		snprintf(out, len, "%s", env->family == AF_INET6 ? "ip6" : "in-addr");
		break;
	case 'h':
		snprintf(out, len, "%s", env->helo ? env->helo : "");
		break;
	case 'r':
		snprintf(out, len, "unknown");
		break;
	case 't':
		snprintf(out, len, "0");
		break;
	default:
		out[0] = 0;
	}
}

/* Splits val on delims, optionally reverses, keeps the rightmost keep parts,
 * joins with '.'. */
static void transform(const char *val, const char *delims, int keep, int rev, char *out, size_t len)
{
	char *parts[128];
	char buf[1024];
	int n = 0, i, first;
	size_t o = 0;
	char *p;

	snprintf(buf, sizeof(buf), "%s", val);
	p = buf;
	parts[n++] = p;
	for (; *p && n < 128; p++)
		if (strchr(delims, *p)) {
			*p = 0;
			parts[n++] = p + 1;
		}
	if (rev)
		for (i = 0; i < n / 2; i++) {
			char *t = parts[i];

			parts[i] = parts[n - 1 - i];
			parts[n - 1 - i] = t;
		}
	first = keep > 0 && keep < n ? n - keep : 0;
	out[0] = 0;
	for (i = first; i < n && o < len; i++)
		o += snprintf(out + o, len - o, "%s%s", i > first ? "." : "", parts[i]);
}

static void url_escape(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in && o + 4 < len; in++) {
		unsigned char c = *in;

		if (isalnum(c) || strchr("-._~", c))
			out[o++] = c;
		else
			o += snprintf(out + o, len - o, "%%%02X", c);
	}
	out[o] = 0;
}

int mx_spf_expand(const char *spec, const struct mx_spf_macro_env *env, char *out, size_t outlen,
		  char *err, size_t errlen)
{
	char buf[2048];
	size_t o = 0;
	const char *s = spec;

	while (*s && o + 1 < sizeof(buf)) {
		if (*s != '%') {
			buf[o++] = *s++;
			continue;
		}
		if (s[1] == '%' || s[1] == '_' || s[1] == '-') {
			const char *rep = s[1] == '%' ? "%" : s[1] == '_' ? " " : "%20";

			o += snprintf(buf + o, sizeof(buf) - o, "%s", rep);
			s += 2;
			continue;
		}
		if (s[1] != '{' || !s[2]) {
			snprintf(err, errlen, "malformed macro at '%.10s'", s);
			return -1;
		}
		char letter = s[2], delims[16] = "", val[1024], tr[1024];
		int keep = 0, rev = 0, nd = 0;

		s += 3;
		while (isdigit((unsigned char)*s)) {
			/* More parts than a name can have: keep them all. */
			if (keep < 1000)
				keep = keep * 10 + (*s - '0');
			s++;
		}
		if (*s == 'r' || *s == 'R') {
			rev = 1;
			s++;
		}
		while (mx_spf_is_delim(*s) && nd < 15)
			delims[nd++] = *s++;
		if (*s != '}') {
			snprintf(err, errlen, "malformed macro in '%.40s'", spec);
			return -1;
		}
		s++;
		macro_value(letter, env, val, sizeof(val));
		transform(val, nd ? delims : ".", keep > 128 ? 128 : keep, rev, tr, sizeof(tr));
		if (isupper((unsigned char)letter)) {
			char esc[1024];

			url_escape(tr, esc, sizeof(esc));
			o += snprintf(buf + o, sizeof(buf) - o, "%s", esc);
		} else {
			o += snprintf(buf + o, sizeof(buf) - o, "%s", tr);
		}
		if (o >= sizeof(buf))
			o = sizeof(buf) - 1;
	}
	buf[o] = 0;
	/* Longer than 253: drop labels from the left (7.3). */
	{
		char *p = buf;
		size_t l = strlen(p);

		if (l && p[l - 1] == '.')
			p[--l] = 0;
		while (strlen(p) > 253) {
			char *dot = strchr(p, '.');

			if (!dot) {
				snprintf(err, errlen,
					 "expanded name has a label over 253 characters");
				return -1;
			}
			p = dot + 1;
		}
		snprintf(out, outlen, "%s", p);
	}
	return 0;
}
