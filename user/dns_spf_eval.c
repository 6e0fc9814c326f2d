// SPDX-License-Identifier: GPL-2.0
/* check_host() of RFC 7208 section 4-5, over an abstract lookup function. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns_spf_eval.h"

/* Beyond the limit of 10 we keep walking to report the real total, up to
 * this many lookups and this depth. */
#define WALK_CAP 60
#define DEPTH_CAP 16

static const char *const result_names[] = {
    [MX_SPF_NONE] = "none",	      [MX_SPF_NEUTRAL] = "neutral",
    [MX_SPF_PASS] = "pass",	      [MX_SPF_FAIL] = "fail",
    [MX_SPF_SOFTFAIL] = "softfail",   [MX_SPF_TEMPERROR] = "temperror",
    [MX_SPF_PERMERROR] = "permerror",
};

const char *mx_spf_result_name(enum mx_spf_result r)
{
	return r <= MX_SPF_PERMERROR ? result_names[r] : "?";
}

static void problem(struct mx_spf_eval *ev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void problem(struct mx_spf_eval *ev, const char *fmt, ...)
{
	va_list ap;

	if (ev->nproblems >= MX_SPF_MAX_PROBLEMS)
		return;
	va_start(ap, fmt);
	vsnprintf(ev->problems[ev->nproblems++], sizeof(ev->problems[0]), fmt, ap);
	va_end(ap);
}

int mx_spf_select(const struct mx_rrset *txt)
{
	int i, found = -1;

	if (txt->status != MX_RR_OK)
		return -1;
	for (i = 0; i < txt->n; i++)
		if (txt->rr[i].text && mx_spf_is_record(txt->rr[i].text)) {
			if (found >= 0)
				return -2;
			found = i;
		}
	return found;
}

/* What one record evaluation decided, and the counters at that moment. */
struct decision {
	enum mx_spf_result r;
	int decided;
	int at_lookups, at_voids;
	char qualifier;	  /* of the deciding term at this level */
	char term[300];	  /* innermost term that matched */
	char domain[256]; /* the record holding it */
};

struct walk {
	struct mx_spf_eval *ev;
	char stack[DEPTH_CAP + 1][256];
	int depth;
	const char *top;
};

static void lookup(struct walk *w, const char *name, int type, struct mx_rrset *out)
{
	memset(out, 0, sizeof(*out));
	w->ev->dns.fn(w->ev->dns.u, name, type, out);
}

/* A query that mechanisms make: counts as void when it has no answer. */
static int void_check(struct walk *w, const struct mx_rrset *s, const char *name)
{
	if (s->status == MX_RR_NODATA || s->status == MX_RR_NXDOMAIN) {
		w->ev->voids++;
		if (w->ev->voids == MX_SPF_VOID_LIMIT + 1)
			problem(w->ev, "more than %d void lookups (the 3rd: %s, %s)",
				MX_SPF_VOID_LIMIT, name, mx_rr_status_name(s->status));
		return 1;
	}
	return 0;
}

static int addr_match(struct walk *w, const struct mx_rrset *s, int c4, int c6)
{
	int i;

	if (!w->ev->family || s->status != MX_RR_OK)
		return 0;
	for (i = 0; i < s->n; i++)
		if (s->rr[i].family == w->ev->family &&
		    mx_ip_in_net(w->ev->family, w->ev->ip, s->rr[i].addr,
				 w->ev->family == AF_INET ? (c4 < 0 ? 32 : c4)
							  : (c6 < 0 ? 128 : c6)))
			return 1;
	return 0;
}

static int addr_type(struct walk *w)
{
	return w->ev->family == AF_INET6 ? MX_T_AAAA : MX_T_A;
}

static enum mx_spf_result qual_result(char q)
{
	switch (q) {
	case '-':
		return MX_SPF_FAIL;
	case '~':
		return MX_SPF_SOFTFAIL;
	case '?':
		return MX_SPF_NEUTRAL;
	default:
		return MX_SPF_PASS;
	}
}

static struct decision check_host(struct walk *w, const char *domain, const char *via);

/* Lowercase copy without the trailing dot, for comparisons. */
static void canon(const char *in, char *out, size_t len)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < len; i++)
		out[i] = tolower((unsigned char)in[i]);
	out[i] = 0;
	if (i && out[i - 1] == '.')
		out[i - 1] = 0;
}

static int on_stack(struct walk *w, const char *d)
{
	int i;

	for (i = 0; i < w->depth; i++)
		if (!strcmp(w->stack[i], d))
			return 1;
	return 0;
}

/* Follows include/redirect to target: loop detection and the recursion. */
static struct decision follow(struct walk *w, const char *target, const char *via, const char *from)
{
	struct decision d = {.r = MX_SPF_PERMERROR,
			     .decided = 1,
			     .at_lookups = w->ev->lookups,
			     .at_voids = w->ev->voids};
	char c[256];
	int i;

	canon(target, c, sizeof(c));
	if (on_stack(w, c)) {
		char path[600] = "";
		size_t o = 0;

		for (i = 0; i < w->depth && o < sizeof(path); i++)
			o += snprintf(path + o, sizeof(path) - o, "%.100s -> ", w->stack[i]);
		if (o < sizeof(path))
			snprintf(path + o, sizeof(path) - o, "%.100s", c);
		w->ev->loop = 1;
		problem(w->ev, "%s loop: %s", via, path);
		return d;
	}
	if (w->depth >= DEPTH_CAP || w->ev->lookups > WALK_CAP) {
		w->ev->truncated = 1;
		return d;
	}
	(void)from;
	return check_host(w, c, via);
}

static int expand(struct walk *w, const struct mx_spf_term *t, const char *cur, char *out,
		  size_t len)
{
	struct mx_spf_macro_env env = {.domain = cur, .helo = w->ev->helo, .family = w->ev->family};
	char sender[300], err[128];

	if (!t->domain[0]) {
		snprintf(out, len, "%s", cur);
		return 0;
	}
	snprintf(sender, sizeof(sender), "postmaster@%s", w->top);
	env.sender = w->ev->sender ? w->ev->sender : sender;
	if (env.family)
		memcpy(env.ip, w->ev->ip, 16);
	else
		env.family = AF_INET; /* count-only walk: 0.0.0.0 */
	if (mx_spf_expand(t->domain, &env, out, len, err, sizeof(err))) {
		problem(w->ev, "%s in %s: %s", t->text, cur, err);
		return -1;
	}
	return 0;
}

/* Evaluates one mechanism. Returns 1 match, 0 no match, or a negative
 * result (-MX_SPF_PERMERROR / -MX_SPF_TEMPERROR). */
static int mechanism(struct walk *w, const struct mx_spf_term *t, const char *cur,
		     struct decision *inner)
{
	struct mx_rrset s, s2;
	char target[300];
	int m = 0, i;

	switch (t->kind) {
	case MX_SPF_ALL:
		return 1;
	case MX_SPF_IP4:
		return w->ev->family == AF_INET &&
		       mx_ip_in_net(AF_INET, w->ev->ip, t->ip, t->cidr4 < 0 ? 32 : t->cidr4);
	case MX_SPF_IP6:
		return w->ev->family == AF_INET6 &&
		       mx_ip_in_net(AF_INET6, w->ev->ip, t->ip, t->cidr6 < 0 ? 128 : t->cidr6);
	default:
		break;
	}
	if (expand(w, t, cur, target, sizeof(target)))
		return -MX_SPF_PERMERROR;
	switch (t->kind) {
	case MX_SPF_INCLUDE:
		*inner = follow(w, target, "include", cur);
		switch (inner->r) {
		case MX_SPF_PASS:
			return 1;
		case MX_SPF_FAIL:
		case MX_SPF_SOFTFAIL:
		case MX_SPF_NEUTRAL:
			return 0;
		case MX_SPF_TEMPERROR:
			return -MX_SPF_TEMPERROR;
		default: /* none and permerror both make the include a permerror */
			return -MX_SPF_PERMERROR;
		}
	case MX_SPF_A:
		lookup(w, target, addr_type(w), &s);
		if (s.status == MX_RR_ERROR) {
			mx_rrset_free(&s);
			return -MX_SPF_TEMPERROR;
		}
		void_check(w, &s, target);
		m = addr_match(w, &s, t->cidr4, t->cidr6);
		mx_rrset_free(&s);
		return m;
	case MX_SPF_MX:
		lookup(w, target, MX_T_MX, &s);
		if (s.status == MX_RR_ERROR) {
			mx_rrset_free(&s);
			return -MX_SPF_TEMPERROR;
		}
		void_check(w, &s, target);
		if (s.status == MX_RR_OK && s.n > 10) {
			problem(w->ev, "%s in %s: %d MX hosts (at most 10 are looked up)", t->text,
				cur, s.n);
			mx_rrset_free(&s);
			return -MX_SPF_PERMERROR;
		}
		for (i = 0; s.status == MX_RR_OK && i < s.n; i++) {
			if (!s.rr[i].text || !s.rr[i].text[0])
				continue; /* null MX (RFC 7505) */
			lookup(w, s.rr[i].text, addr_type(w), &s2);
			if (s2.status != MX_RR_ERROR)
				void_check(w, &s2, s.rr[i].text);
			if (!m)
				m = addr_match(w, &s2, t->cidr4, t->cidr6);
			mx_rrset_free(&s2);
		}
		mx_rrset_free(&s);
		return m;
	case MX_SPF_PTR: {
		char rev[80];
		size_t o = 0;

		w->ev->ptr_used = 1;
		if (!w->ev->family)
			return 0;
		if (w->ev->family == AF_INET)
			snprintf(rev, sizeof(rev), "%u.%u.%u.%u.in-addr.arpa", w->ev->ip[3],
				 w->ev->ip[2], w->ev->ip[1], w->ev->ip[0]);
		else {
			for (i = 15; i >= 0; i--)
				o += snprintf(rev + o, sizeof(rev) - o, "%x.%x.", w->ev->ip[i] & 15,
					      w->ev->ip[i] >> 4);
			snprintf(rev + o, sizeof(rev) - o, "ip6.arpa");
		}
		lookup(w, rev, MX_T_PTR, &s);
		if (s.status == MX_RR_ERROR) {
			mx_rrset_free(&s);
			return 0; /* 5.5: a temporary error here is "no match" */
		}
		void_check(w, &s, rev);
		for (i = 0; s.status == MX_RR_OK && i < s.n && i < 10 && !m; i++) {
			char n[256], tg[300];
			size_t ln, lt;

			canon(s.rr[i].text, n, sizeof(n));
			canon(target, tg, sizeof(tg));
			ln = strlen(n);
			lt = strlen(tg);
			if (!(ln == lt && !strcmp(n, tg)) &&
			    !(ln > lt && !strcmp(n + ln - lt, tg) && n[ln - lt - 1] == '.'))
				continue;
			lookup(w, n, addr_type(w), &s2);
			m = addr_match(w, &s2, -1, -1);
			mx_rrset_free(&s2);
		}
		mx_rrset_free(&s);
		return m;
	}
	case MX_SPF_EXISTS:
		/* Always an A query, whatever the address family (5.7). */
		lookup(w, target, MX_T_A, &s);
		if (s.status == MX_RR_ERROR) {
			mx_rrset_free(&s);
			return -MX_SPF_TEMPERROR;
		}
		void_check(w, &s, target);
		m = s.status == MX_RR_OK && s.n > 0;
		mx_rrset_free(&s);
		return m;
	default:
		return 0;
	}
}

static void decide(struct walk *w, struct decision *d, enum mx_spf_result r)
{
	if (d->decided)
		return;
	d->decided = 1;
	d->r = r;
	d->at_lookups = w->ev->lookups;
	d->at_voids = w->ev->voids;
}

static struct decision check_host(struct walk *w, const char *domain, const char *via)
{
	struct mx_spf_eval *ev = w->ev;
	struct decision d = {.r = MX_SPF_NEUTRAL};
	struct mx_spf_node *node = NULL;
	struct mx_rrset txt;
	struct mx_spf spf;
	int idx, i;

	if (ev->nnodes < MX_SPF_MAX_NODES) {
		node = &ev->nodes[ev->nnodes++];
		memset(node, 0, sizeof(*node));
		node->depth = w->depth;
		snprintf(node->via, sizeof(node->via), "%s", via);
		snprintf(node->domain, sizeof(node->domain), "%s", domain);
	}
	canon(domain, w->stack[w->depth], sizeof(w->stack[0]));
	w->depth++;
	lookup(w, domain, MX_T_TXT, &txt);
	if (txt.status == MX_RR_ERROR) {
		if (node)
			snprintf(node->error, sizeof(node->error), "TXT lookup failed: %s",
				 txt.error);
		decide(w, &d, MX_SPF_TEMPERROR);
		goto out_txt;
	}
	if (*via)
		void_check(w, &txt, domain);
	idx = mx_spf_select(&txt);
	if (idx == -1) {
		if (node)
			snprintf(node->error, sizeof(node->error), "no SPF record");
		if (*via)
			problem(ev, "%s:%s has no SPF record", via, domain);
		decide(w, &d, *via ? MX_SPF_PERMERROR : MX_SPF_NONE);
		goto out_txt;
	}
	if (idx == -2) {
		if (node)
			snprintf(node->error, sizeof(node->error), "more than one SPF record");
		problem(ev, "%s has more than one SPF record", domain);
		decide(w, &d, MX_SPF_PERMERROR);
		goto out_txt;
	}
	if (node)
		snprintf(node->record, sizeof(node->record), "%s", txt.rr[idx].text);
	if (mx_spf_parse(txt.rr[idx].text, &spf)) {
		if (node)
			snprintf(node->error, sizeof(node->error), "%s", spf.error);
		problem(ev, "%s: %s", domain, spf.error);
		decide(w, &d, MX_SPF_PERMERROR);
		mx_spf_free(&spf);
		goto out_txt;
	}
	mx_rrset_free(&txt);

	for (i = 0; i < spf.n; i++) {
		const struct mx_spf_term *t = &spf.terms[i];
		struct decision inner = {0};
		int m;

		if (t->kind >= MX_SPF_REDIRECT)
			continue;
		if (mx_spf_counts_lookup(t->kind)) {
			ev->lookups++;
			if (ev->lookups == MX_SPF_LOOKUP_LIMIT + 1)
				problem(ev, "more than %d DNS lookups (the 11th: '%s' in %s)",
					MX_SPF_LOOKUP_LIMIT, t->text, domain);
			if (ev->lookups > WALK_CAP) {
				ev->truncated = 1;
				break;
			}
		}
		m = mechanism(w, t, domain, &inner);
		if (d.decided)
			continue; /* already decided: only counting from here */
		if (m > 0) {
			decide(w, &d, qual_result(t->qualifier));
			d.qualifier = t->qualifier;
			if (t->kind == MX_SPF_INCLUDE && inner.decided) {
				/* The match happened inside the include. */
				d.at_lookups = inner.at_lookups;
				d.at_voids = inner.at_voids;
				memcpy(d.term, inner.term, sizeof(d.term));
				memcpy(d.domain, inner.domain, sizeof(d.domain));
			} else {
				snprintf(d.term, sizeof(d.term), "%s", t->text);
				snprintf(d.domain, sizeof(d.domain), "%s", domain);
			}
		} else if (m < 0) {
			decide(w, &d, (enum mx_spf_result) - m);
		}
	}
	if (spf.redirect >= 0 && spf.all < 0 && !ev->truncated) {
		const struct mx_spf_term *t = &spf.terms[spf.redirect];
		char target[300];

		ev->lookups++;
		if (ev->lookups == MX_SPF_LOOKUP_LIMIT + 1)
			problem(ev, "more than %d DNS lookups (the 11th: '%s' in %s)",
				MX_SPF_LOOKUP_LIMIT, t->text, domain);
		if (expand(w, t, domain, target, sizeof(target)) == 0) {
			struct decision r = follow(w, target, "redirect", domain);

			if (!d.decided) {
				/* A redirect to a domain without SPF is a permerror (6.1). */
				d = r;
				if (r.r == MX_SPF_NONE)
					d.r = MX_SPF_PERMERROR;
			}
		} else if (!d.decided) {
			decide(w, &d, MX_SPF_PERMERROR);
		}
	}
	if (!d.decided)
		decide(w, &d, MX_SPF_NEUTRAL);
	mx_spf_free(&spf);
	w->depth--;
	return d;
out_txt:
	mx_rrset_free(&txt);
	w->depth--;
	return d;
}

enum mx_spf_result mx_spf_check_host(struct mx_spf_eval *ev, const char *domain)
{
	struct walk *w = calloc(1, sizeof(*w));
	struct decision d;

	ev->result = MX_SPF_NONE;
	ev->lookups = ev->voids = ev->nproblems = ev->nnodes = 0;
	ev->matched[0] = ev->matched_domain[0] = 0;
	ev->qualifier = 0;
	if (!w) {
		ev->result = MX_SPF_TEMPERROR;
		return ev->result;
	}
	w->ev = ev;
	w->top = domain;
	d = check_host(w, domain, "");
	free(w);
	ev->result = d.r;
	ev->qualifier = d.qualifier;
	snprintf(ev->matched, sizeof(ev->matched), "%s", d.term);
	snprintf(ev->matched_domain, sizeof(ev->matched_domain), "%s", d.domain);
	/* A receiver stops at the limits: when they were passed before the
	 * decision for this address, it gets permerror. */
	if (d.at_lookups > MX_SPF_LOOKUP_LIMIT || d.at_voids > MX_SPF_VOID_LIMIT)
		ev->result = MX_SPF_PERMERROR;
	return ev->result;
}
