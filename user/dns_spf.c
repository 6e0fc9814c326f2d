// SPDX-License-Identifier: GPL-2.0
/* The SPF parser: RFC 7208 section 12 (ABNF) applied term by term, with the
 * permerror causes of sections 4.6 and 6 spelled out. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns_spf.h"

static const char *const kind_names[] = {
    [MX_SPF_ALL] = "all",
    [MX_SPF_INCLUDE] = "include",
    [MX_SPF_A] = "a",
    [MX_SPF_MX] = "mx",
    [MX_SPF_PTR] = "ptr",
    [MX_SPF_IP4] = "ip4",
    [MX_SPF_IP6] = "ip6",
    [MX_SPF_EXISTS] = "exists",
    [MX_SPF_REDIRECT] = "redirect",
    [MX_SPF_EXP] = "exp",
    [MX_SPF_UNKNOWN_MOD] = "modifier",
};

const char *mx_spf_kind_name(enum mx_spf_kind k)
{
	return k <= MX_SPF_UNKNOWN_MOD ? kind_names[k] : "?";
}

int mx_spf_counts_lookup(enum mx_spf_kind k)
{
	/* RFC 7208 4.6.4: include, a, mx, ptr, exists and redirect. */
	return k == MX_SPF_INCLUDE || k == MX_SPF_A || k == MX_SPF_MX || k == MX_SPF_PTR ||
	       k == MX_SPF_EXISTS || k == MX_SPF_REDIRECT;
}

int mx_spf_is_record(const char *txt)
{
	return !strncasecmp(txt, "v=spf1", 6) && (txt[6] == ' ' || txt[6] == 0);
}

int mx_spf_is_delim(char c)
{
	return c && strchr(".-+,/_=", c) != NULL;
}

static int macro_letter_ok(char c, int exp_ok)
{
	if (!c)
		return 0; /* strchr() would find the terminating NUL */
	c = tolower((unsigned char)c);
	if (strchr("slodiphv", c))
		return 1;
	return exp_ok && strchr("crt", c);
}

/* Validates a macro-string; *ends_with_macro tells whether the last token was
 * a macro-expand (then it can end a domain-spec). */
static int check_macro_string(const char *s, int exp_ok, int *ends_with_macro, char *err,
			      size_t errlen)
{
	int last_macro = 0;

	while (*s) {
		if (*s == '%') {
			if (s[1] == '%' || s[1] == '_' || s[1] == '-') {
				s += 2;
				last_macro = 1;
				continue;
			}
			if (s[1] != '{') {
				snprintf(err, errlen,
					 "'%%' must be followed by {, %%, _ or - (at '%.10s')", s);
				return -1;
			}
			s += 2;
			if (!macro_letter_ok(*s, exp_ok)) {
				snprintf(err, errlen, "unknown macro letter '%c'%s", *s ? *s : '?',
					 strchr("crtCRT", *s ? *s : 'x') ? " (only allowed in exp)"
									 : "");
				return -1;
			}
			s++;
			if (isdigit((unsigned char)*s)) {
				long n = strtol(s, NULL, 10);

				if (n == 0) {
					snprintf(err, errlen,
						 "macro transformer digit must be nonzero");
					return -1;
				}
				while (isdigit((unsigned char)*s))
					s++;
			}
			if (*s == 'r' || *s == 'R')
				s++;
			while (mx_spf_is_delim(*s))
				s++;
			if (*s != '}') {
				snprintf(err, errlen,
					 "unterminated or malformed macro (expected '}')");
				return -1;
			}
			s++;
			last_macro = 1;
			continue;
		}
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e) {
			snprintf(err, errlen, "character 0x%02x not allowed", (unsigned char)*s);
			return -1;
		}
		last_macro = 0;
		s++;
	}
	*ends_with_macro = last_macro;
	return 0;
}

static int toplabel_ok(const char *l, size_t len)
{
	size_t i;
	int alpha = 0;

	if (!len || len > 63)
		return 0;
	if (l[0] == '-' || l[len - 1] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		if (isalpha((unsigned char)l[i]))
			alpha = 1;
		else if (!isdigit((unsigned char)l[i]) && l[i] != '-')
			return 0;
	}
	/* All digits is a number, not a top label; digits with a hyphen are. */
	return alpha || memchr(l, '-', len) != NULL;
}

int mx_spf_check_domain_spec(const char *s, int exp_ok, char *err, size_t errlen)
{
	int ends_macro = 0;
	size_t len = strlen(s);
	const char *end, *dot;

	if (!len) {
		snprintf(err, errlen, "empty domain");
		return -1;
	}
	if (check_macro_string(s, exp_ok, &ends_macro, err, errlen))
		return -1;
	if (ends_macro)
		return 0;
	end = s + len;
	if (end[-1] == '.')
		end--;
	for (dot = end; dot > s && dot[-1] != '.'; dot--)
		;
	if (dot == s) {
		snprintf(err, errlen, "'%s' is not a fully qualified domain", s);
		return -1;
	}
	if (!toplabel_ok(dot, end - dot)) {
		snprintf(err, errlen, "'%s' does not end in a valid top label", s);
		return -1;
	}
	/* Literal labels must fit DNS (the whole name is checked after expansion). */
	for (const char *p = s; p < end;) {
		const char *q = memchr(p, '.', end - p);
		size_t l = q ? (size_t)(q - p) : (size_t)(end - p);

		if (l == 0) {
			snprintf(err, errlen, "'%s' has an empty label", s);
			return -1;
		}
		if (l > 63 && !memchr(p, '%', l)) {
			snprintf(err, errlen, "'%s' has a label longer than 63 characters", s);
			return -1;
		}
		p += l + 1;
		if (!q)
			break;
	}
	return 0;
}

/* "0" or 1-3 digits without a leading zero, at most max. */
static int parse_cidr(const char *s, size_t len, int max)
{
	int v = 0;
	size_t i;

	if (!len || len > 3 || (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

static int all_digits(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return 0;
	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int fail(struct mx_spf *spf, const char *term, const char *fmt, const char *detail)
{
	char buf[150];

	snprintf(buf, sizeof(buf), fmt, detail ? detail : "");
	snprintf(spf->error, sizeof(spf->error), "'%.40s': %s", term, buf);
	return -1;
}

/* a and mx: [":" domain-spec] [dual-cidr-length]. */
static int parse_a_mx(struct mx_spf *spf, struct mx_spf_term *t, const char *rest)
{
	char buf[300], err[128];
	size_t len;
	char *p;

	snprintf(buf, sizeof(buf), "%s", rest);
	len = strlen(buf);
	p = NULL;
	/* ip6-cidr-length "//N" at the very end. */
	for (size_t i = len; i >= 2; i--)
		if (buf[i - 1] == '/' && buf[i - 2] == '/') {
			p = &buf[i - 2];
			break;
		}
	if (p && all_digits(p + 2, strlen(p + 2))) {
		t->cidr6 = parse_cidr(p + 2, strlen(p + 2), 128);
		if (t->cidr6 < 0)
			return fail(spf, t->text,
				    "ip6 prefix length must be 0-128 without leading zeros%s",
				    NULL);
		*p = 0;
	} else if (p && !*(p + 2)) {
		return fail(spf, t->text, "empty ip6 prefix length%s", NULL);
	}
	p = strrchr(buf, '/');
	if (p && all_digits(p + 1, strlen(p + 1))) {
		t->cidr4 = parse_cidr(p + 1, strlen(p + 1), 32);
		if (t->cidr4 < 0)
			return fail(spf, t->text,
				    "ip4 prefix length must be 0-32 without leading zeros%s", NULL);
		*p = 0;
	}
	if (!buf[0])
		return 0;
	if (buf[0] != ':')
		return fail(spf, t->text, "unexpected text after the mechanism name%s", NULL);
	if (mx_spf_check_domain_spec(buf + 1, 0, err, sizeof(err)))
		return fail(spf, t->text, "%s", err);
	snprintf(t->domain, sizeof(t->domain), "%s", buf + 1);
	return 0;
}

static int parse_ip(struct mx_spf *spf, struct mx_spf_term *t, const char *rest, int v6)
{
	char buf[128];
	char *slash;
	int max = v6 ? 128 : 32;

	if (rest[0] != ':')
		return fail(spf, t->text, "needs ':' and a network%s", NULL);
	snprintf(buf, sizeof(buf), "%s", rest + 1);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = 0;
		int c = parse_cidr(slash + 1, strlen(slash + 1), max);

		if (c < 0)
			return fail(spf, t->text,
				    v6 ? "prefix length must be 0-128 without leading zeros%s"
				       : "prefix length must be 0-32 without leading zeros%s",
				    NULL);
		if (v6)
			t->cidr6 = c;
		else
			t->cidr4 = c;
	}
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, t->ip) != 1)
		return fail(spf, t->text,
			    v6 ? "'%s' is not an IPv6 address" : "'%s' is not an IPv4 address",
			    buf);
	return 0;
}

static int parse_term(struct mx_spf *spf, struct mx_spf_term *t, const char *term)
{
	static const struct {
		const char *name;
		enum mx_spf_kind kind;
	} mechs[] = {
	    {"all", MX_SPF_ALL}, {"include", MX_SPF_INCLUDE}, {"a", MX_SPF_A},
	    {"mx", MX_SPF_MX},	 {"ptr", MX_SPF_PTR},	      {"ip4", MX_SPF_IP4},
	    {"ip6", MX_SPF_IP6}, {"exists", MX_SPF_EXISTS},
	};
	const char *p = term, *name;
	char err[128];
	size_t nlen, i;

	memset(t, 0, sizeof(*t));
	t->cidr4 = t->cidr6 = -1;
	snprintf(t->text, sizeof(t->text), "%s", term);
	/* A modifier: name "=" with name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ). */
	if (isalpha((unsigned char)*p)) {
		const char *q = p + 1;

		while (isalnum((unsigned char)*q) || *q == '-' || *q == '_' || *q == '.')
			q++;
		if (*q == '=') {
			nlen = q - p;
			if (nlen == 8 && !strncasecmp(p, "redirect", 8))
				t->kind = MX_SPF_REDIRECT;
			else if (nlen == 3 && !strncasecmp(p, "exp", 3))
				t->kind = MX_SPF_EXP;
			else
				t->kind = MX_SPF_UNKNOWN_MOD;
			q++;
			if (t->kind == MX_SPF_UNKNOWN_MOD) {
				int em;

				if (check_macro_string(q, 0, &em, err, sizeof(err)))
					return fail(spf, term, "%s", err);
				return 0;
			}
			if (mx_spf_check_domain_spec(q, t->kind == MX_SPF_EXP, err, sizeof(err)))
				return fail(spf, term, "%s", err);
			snprintf(t->domain, sizeof(t->domain), "%s", q);
			return 0;
		}
	}
	t->qualifier = '+';
	if (*p && strchr("+-~?", *p))
		t->qualifier = *p++;
	name = p;
	while (isalnum((unsigned char)*p))
		p++;
	nlen = p - name;
	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
		if (strlen(mechs[i].name) == nlen && !strncasecmp(name, mechs[i].name, nlen))
			break;
	if (i == sizeof(mechs) / sizeof(mechs[0])) {
		char n[40];

		snprintf(n, sizeof(n), "%.*s", (int)(nlen > 30 ? 30 : nlen), name);
		return fail(spf, term,
			    nlen ? "unknown mechanism '%s'" : "not a mechanism or modifier%s",
			    nlen ? n : NULL);
	}
	t->kind = mechs[i].kind;
	switch (t->kind) {
	case MX_SPF_ALL:
		if (*p)
			return fail(spf, term, "'all' takes no argument%s", NULL);
		return 0;
	case MX_SPF_INCLUDE:
	case MX_SPF_EXISTS:
		if (*p != ':')
			return fail(spf, term, "needs ':' and a domain%s", NULL);
		if (mx_spf_check_domain_spec(p + 1, 0, err, sizeof(err)))
			return fail(spf, term, "%s", err);
		snprintf(t->domain, sizeof(t->domain), "%s", p + 1);
		return 0;
	case MX_SPF_PTR:
		if (!*p)
			return 0;
		if (*p != ':')
			return fail(spf, term, "unexpected text after 'ptr'%s", NULL);
		if (mx_spf_check_domain_spec(p + 1, 0, err, sizeof(err)))
			return fail(spf, term, "%s", err);
		snprintf(t->domain, sizeof(t->domain), "%s", p + 1);
		return 0;
	case MX_SPF_A:
	case MX_SPF_MX:
		return parse_a_mx(spf, t, p);
	case MX_SPF_IP4:
		return parse_ip(spf, t, p, 0);
	case MX_SPF_IP6:
		return parse_ip(spf, t, p, 1);
	default:
		return -1;
	}
}

int mx_spf_parse(const char *txt, struct mx_spf *spf)
{
	const char *p;
	int cap = 16;

	memset(spf, 0, sizeof(*spf));
	spf->redirect = spf->exp = spf->all = -1;
	if (!mx_spf_is_record(txt)) {
		snprintf(spf->error, sizeof(spf->error), "does not start with 'v=spf1'");
		return -1;
	}
	spf->terms = calloc(cap, sizeof(*spf->terms));
	if (!spf->terms) {
		snprintf(spf->error, sizeof(spf->error), "out of memory");
		return -1;
	}
	p = txt + 6;
	while (*p) {
		char term[300];
		const char *s;
		size_t len;

		if (*p != ' ') {
			/* Only SP separates terms (RFC 7208 12): tabs and other
			 * whitespace make the record invalid. */
			snprintf(spf->error, sizeof(spf->error),
				 "character 0x%02x where a space or a term was expected",
				 (unsigned char)*p);
			return -1;
		}
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		s = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			p++;
		len = p - s;
		if (len >= sizeof(term)) {
			snprintf(spf->error, sizeof(spf->error), "term '%.30s...' is too long", s);
			return -1;
		}
		memcpy(term, s, len);
		term[len] = 0;
		if (spf->n == cap) {
			struct mx_spf_term *nt;

			if (cap >= 1024) {
				snprintf(spf->error, sizeof(spf->error), "more than 1024 terms");
				return -1;
			}
			nt = realloc(spf->terms, 2 * cap * sizeof(*nt));
			if (!nt) {
				snprintf(spf->error, sizeof(spf->error), "out of memory");
				return -1;
			}
			spf->terms = nt;
			cap *= 2;
		}
		if (parse_term(spf, &spf->terms[spf->n], term))
			return -1;
		switch (spf->terms[spf->n].kind) {
		case MX_SPF_REDIRECT:
			if (spf->redirect >= 0) {
				snprintf(spf->error, sizeof(spf->error),
					 "'redirect' appears twice");
				return -1;
			}
			spf->redirect = spf->n;
			break;
		case MX_SPF_EXP:
			if (spf->exp >= 0) {
				snprintf(spf->error, sizeof(spf->error), "'exp' appears twice");
				return -1;
			}
			spf->exp = spf->n;
			break;
		case MX_SPF_ALL:
			if (spf->all < 0)
				spf->all = spf->n;
			break;
		default:
			break;
		}
		spf->n++;
	}
	return 0;
}

void mx_spf_free(struct mx_spf *spf)
{
	free(spf->terms);
	spf->terms = NULL;
	spf->n = 0;
}
