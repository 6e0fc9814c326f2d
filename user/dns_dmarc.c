// SPDX-License-Identifier: GPL-2.0
/* DMARC record parser. Grammar: RFC 7489 6.4 on top of the DKIM tag-list
 * (dns_tagval.c); tag semantics from 6.3. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns_dmarc.h"
#include "dns_tagval.h"

static void msg(char (*arr)[160], int *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void msg(char (*arr)[160], int *n, const char *fmt, ...)
{
	va_list ap;

	if (*n >= MX_DMARC_MAX_MSGS)
		return;
	va_start(ap, fmt);
	vsnprintf(arr[*n], 160, fmt, ap);
	va_end(ap);
	(*n)++;
}

#define ERR(d, ...) msg((d)->errors, &(d)->nerrors, __VA_ARGS__)
#define WARN(d, ...) msg((d)->warnings, &(d)->nwarnings, __VA_ARGS__)

int mx_dmarc_is_record(const char *txt)
{
	while (*txt == ' ' || *txt == '\t')
		txt++;
	if (strncmp(txt, "v", 1))
		return 0;
	txt++;
	while (*txt == ' ' || *txt == '\t')
		txt++;
	if (*txt++ != '=')
		return 0;
	while (*txt == ' ' || *txt == '\t')
		txt++;
	return !strncmp(txt, "DMARC1", 6) &&
	       (txt[6] == 0 || txt[6] == ';' || txt[6] == ' ' || txt[6] == '\t');
}

static int policy_ok(const char *v)
{
	return !strcmp(v, "none") || !strcmp(v, "quarantine") || !strcmp(v, "reject");
}

static int all_digits(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* A mailto: address: local@domain, domain with at least one dot. */
static int mailto_domain(const char *addr, char *dom, size_t len)
{
	const char *at = strrchr(addr, '@');
	const char *p;

	if (!at || at == addr || !at[1] || !strchr(at + 1, '.'))
		return -1;
	for (p = at + 1; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
			return -1;
	if (at[1] == '.' || at[1] == '-' || p[-1] == '-')
		return -1;
	snprintf(dom, len, "%s", at + 1);
	for (char *q = dom; *q; q++)
		*q = tolower((unsigned char)*q);
	{
		size_t l = strlen(dom);

		if (l && dom[l - 1] == '.')
			dom[l - 1] = 0;
	}
	return 0;
}

/* dmarc-uri *(*WSP "," *WSP dmarc-uri); dmarc-uri = URI [ "!" 1*DIGIT [ "k"/"m"/"g"/"t" ] ] */
static void parse_uris(struct mx_dmarc *d, const char *tag, const char *val,
		       struct mx_dmarc_uri *out, int *n)
{
	char buf[1024];
	char *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", val);
	if (!*buf) {
		ERR(d, "%s= is empty", tag);
		return;
	}
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct mx_dmarc_uri u = {0};
		char *bang, *e;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		e = tok + strlen(tok);
		while (e > tok && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = 0;
		if (!*tok) {
			ERR(d, "%s= has an empty address in its list", tag);
			continue;
		}
		bang = strrchr(tok, '!');
		if (bang) {
			char *q = bang + 1;

			snprintf(u.limit, sizeof(u.limit), "%s", bang);
			while (isdigit((unsigned char)*q))
				q++;
			if (q == bang + 1 || (*q && (strchr("kmgt", *q) == NULL || q[1]))) {
				ERR(d,
				    "%s=: size limit '%s' is not digits with an optional k/m/g/t",
				    tag, bang);
				continue;
			}
			*bang = 0;
		}
		{
			size_t tl = strnlen(tok, sizeof(u.uri) - 1);

			memcpy(u.uri, tok, tl);
			u.uri[tl] = 0;
		}
		if (!strncasecmp(tok, "mailto:", 7)) {
			if (strpbrk(tok + 7, " \t<>\""))
				ERR(d, "%s=: '%s' is not a valid mailto: URI", tag, tok);
			else if (mailto_domain(tok + 7, u.domain, sizeof(u.domain)))
				ERR(d, "%s=: '%s' is not a mail address with a domain", tag, tok);
		} else if (!strncasecmp(tok, "https:", 6) || !strncasecmp(tok, "http:", 5)) {
			WARN(d, "%s=: '%s': few receivers send reports to web URIs", tag, tok);
		} else if (strchr(tok, '@') && !strchr(tok, ':')) {
			ERR(d, "%s=: '%s' lacks the 'mailto:' scheme", tag, tok);
			continue;
		} else {
			ERR(d, "%s=: '%s' is not a URI receivers can use", tag, tok);
			continue;
		}
		if (*n < MX_DMARC_MAX_URIS)
			out[(*n)++] = u;
	}
}

int mx_dmarc_parse(const char *txt, struct mx_dmarc *d)
{
	struct mx_taglist tl;
	const char *v;
	int i;

	memset(d, 0, sizeof(*d));
	d->adkim = d->aspf = 'r';
	d->pct = 100;
	d->ri = 86400;
	if (mx_taglist_parse(txt, &tl)) {
		ERR(d, "%s", tl.error);
		/* Tags before the error are still what a lenient receiver sees. */
	}
	if (tl.n == 0 || strcmp(tl.tags[0].name, "v") || strcmp(tl.tags[0].value, "DMARC1")) {
		if (tl.n && !strcasecmp(tl.tags[0].name, "v") &&
		    !strcasecmp(tl.tags[0].value, "DMARC1"))
			ERR(d,
			    "'%s=%s' must be written exactly 'v=DMARC1' (receivers ignore the "
			    "record)",
			    tl.tags[0].name, tl.tags[0].value);
		else
			ERR(d, "the first tag must be v=DMARC1 (receivers ignore the record)");
		mx_taglist_free(&tl);
		return -1;
	}
	d->valid = 1;
	for (i = 1; i < tl.n; i++) {
		const char *n = tl.tags[i].name;

		v = tl.tags[i].value;
		if (!strcmp(n, "p") || !strcmp(n, "sp") || !strcmp(n, "np")) {
			char *dst = n[0] == 'p' ? d->p : n[0] == 's' ? d->sp : d->np;

			if (!policy_ok(v))
				ERR(d, "%s=%s is not none, quarantine or reject", n, v);
			else
				snprintf(dst, 16, "%s", v);
			if (!strcmp(n, "p") && i != 1)
				WARN(d, "p= should directly follow v=DMARC1 (RFC 7489 6.3)");
		} else if (!strcmp(n, "adkim") || !strcmp(n, "aspf")) {
			if (strcmp(v, "r") && strcmp(v, "s"))
				ERR(d, "%s=%s is not r or s", n, v);
			else if (n[1] == 'd')
				d->adkim = v[0];
			else
				d->aspf = v[0];
		} else if (!strcmp(n, "pct")) {
			if (!all_digits(v) || strlen(v) > 3 || atoi(v) > 100)
				ERR(d, "pct=%s is not a number 0-100", v);
			else
				d->pct = atoi(v);
		} else if (!strcmp(n, "ri")) {
			if (!all_digits(v) || strlen(v) > 10 || strtoul(v, NULL, 10) > 4294967295UL)
				ERR(d, "ri=%s is not a number of seconds", v);
			else
				d->ri = strtol(v, NULL, 10);
		} else if (!strcmp(n, "fo")) {
			char buf[64], *save = NULL, *t;

			snprintf(d->fo, sizeof(d->fo), "%s", v);
			snprintf(buf, sizeof(buf), "%s", v);
			for (t = strtok_r(buf, ":", &save); t; t = strtok_r(NULL, ":", &save))
				if (strcmp(t, "0") && strcmp(t, "1") && strcmp(t, "d") &&
				    strcmp(t, "s"))
					ERR(d, "fo=%s: '%s' is not 0, 1, d or s", v, t);
		} else if (!strcmp(n, "rf")) {
			if (strcasecmp(v, "afrf"))
				ERR(d, "rf=%s: the only report format is afrf", v);
		} else if (!strcmp(n, "rua")) {
			parse_uris(d, "rua", v, d->rua, &d->nrua);
		} else if (!strcmp(n, "ruf")) {
			parse_uris(d, "ruf", v, d->ruf, &d->nruf);
		} else if (!strcmp(n, "v")) {
			ERR(d, "v= appears again");
		} else if (!strcmp(n, "t") || !strcmp(n, "psd")) {
			WARN(d, "%s= is from DMARCbis (draft): most receivers ignore it", n);
		} else {
			WARN(d, "unknown tag '%s' (ignored by receivers; a typo?)", n);
		}
	}
	mx_taglist_free(&tl);
	if (!d->p[0]) {
		/* RFC 7489 6.6.3: without a valid p=, a record with a valid rua=
		 * is taken as p=none; otherwise there is no policy at all. */
		if (d->nrua) {
			ERR(d, "no valid p= tag: receivers apply p=none");
			snprintf(d->p, sizeof(d->p), "none");
		} else {
			ERR(d, "no valid p= tag: receivers ignore the record");
			return -1;
		}
	}
	if (d->fo[0] && !d->nruf)
		WARN(d, "fo= without ruf= has no effect");
	return 0;
}
