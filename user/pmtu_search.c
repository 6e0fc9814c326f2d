// SPDX-License-Identifier: GPL-2.0
/* RFC 8899 search, see pmtu_search.h. Sizes are whole IP packets (what an
 * interface MTU limits). The state is a record per probed size; the bounds
 * are recomputed from all records after every outcome, so a late answer or
 * a lost probe that turns out to have been random loss corrects the search
 * instead of derailing it. */
#include <string.h>

#include "pmtu_search.h"

/* RFC 1191's plateaus plus the MTUs met on today's links: 1400 (some
 * VPNs), 1420 (WireGuard), 1450 (VXLAN, OpenStack), 1454 (PPPoE over
 * ATM), 1460 (GCP), 1472/1480 (IPIP, 6in4), 1492 (PPPoE), 9000/9001
 * (jumbo frames, AWS). */
const unsigned mx_pmtu_common[] = {68,	 296,  508,  576,  1006, 1280, 1400, 1420, 1450, 1454,
				   1460, 1472, 1480, 1492, 1500, 2002, 4352, 8166, 9000, 9001};
const unsigned mx_pmtu_ncommon = sizeof(mx_pmtu_common) / sizeof(mx_pmtu_common[0]);

static struct mx_pmtu_size *rec(struct mx_pmtu_search *s, unsigned size)
{
	unsigned i;

	for (i = 0; i < s->nsizes; i++)
		if (s->sizes[i].size == size)
			return &s->sizes[i];
	if (s->nsizes == MX_PMTU_MAX_SIZES)
		return NULL;
	memset(&s->sizes[s->nsizes], 0, sizeof(s->sizes[0]));
	s->sizes[s->nsizes].size = size;
	return &s->sizes[s->nsizes++];
}

static const struct mx_pmtu_size *find(const struct mx_pmtu_search *s, unsigned size)
{
	unsigned i;

	for (i = 0; i < s->nsizes; i++)
		if (s->sizes[i].size == size)
			return &s->sizes[i];
	return NULL;
}

static int is_common(unsigned size)
{
	unsigned i;

	for (i = 0; i < mx_pmtu_ncommon; i++)
		if (mx_pmtu_common[i] == size)
			return 1;
	return 0;
}

static void lower_hi(struct mx_pmtu_search *s, unsigned hi, enum mx_pmtu_bound b)
{
	/* On a tie a router's word or our own limit beats silence. */
	if (hi < s->hi || (hi == s->hi && s->hi_bound == MX_BOUND_LOSS))
		s->hi = hi, s->hi_bound = b;
}

static void update(struct mx_pmtu_search *s)
{
	const struct mx_pmtu_size *h;
	unsigned i;

	s->lo = 0;
	for (i = 0; i < s->nsizes; i++)
		if (s->sizes[i].answered && s->sizes[i].size > s->lo)
			s->lo = s->sizes[i].size;
	s->hi = s->local_mtu + 1;
	s->hi_bound = MX_BOUND_LOCAL;
	for (i = 0; i < s->nsizes; i++) {
		const struct mx_pmtu_size *z = &s->sizes[i];

		/* A loss below an answered size was random loss, not the path. */
		if (z->size <= s->lo || z->answered)
			continue;
		if (z->ptb)
			lower_hi(s, z->size, MX_BOUND_PTB);
		else if (z->lost)
			lower_hi(s, z->size, MX_BOUND_LOSS);
	}
	for (i = 0; i < s->nptb; i++)
		if (s->ptb_mtu[i] >= s->lo)
			lower_hi(s, s->ptb_mtu[i] + 1, MX_BOUND_PTB);

	s->done = 0;
	if (s->probes >= MX_PMTU_PROBE_LIMIT) {
		s->done = 1;
		s->unreachable = s->lo == 0;
		return;
	}
	if (s->lo == 0) {
		/* Nothing answered: the base size, then the smallest one. */
		const struct mx_pmtu_size *b = find(s, s->base), *m = find(s, s->min_mtu);
		int base_failed = b && (b->lost >= MX_PMTU_MAX_PROBES || b->ptb);
		int min_failed = m && m->lost >= MX_PMTU_MAX_PROBES;

		if ((base_failed || s->base == s->min_mtu) && min_failed)
			s->done = s->unreachable = 1;
		return;
	}
	if (s->hi > s->lo + 1)
		return;
	h = find(s, s->hi);
	if (s->hi_bound != MX_BOUND_LOSS || (h && h->lost >= MX_PMTU_MAX_PROBES))
		s->done = 1;
}

void mx_pmtu_init(struct mx_pmtu_search *s, int ipv6, unsigned local_mtu)
{
	memset(s, 0, sizeof(*s));
	s->min_mtu = ipv6 ? 1280 : 68;
	if (local_mtu < s->min_mtu)
		local_mtu = s->min_mtu;
	s->local_mtu = local_mtu;
	/* RFC 8899 5.1.2 suggests 1200 as BASE_PLPMTU; 1280 is IPv6's minimum
	 * and what nearly every IPv4 path carries too. */
	s->base = local_mtu < 1280 ? local_mtu : 1280;
	update(s);
}

static unsigned untried_ptb(const struct mx_pmtu_search *s)
{
	int i;

	for (i = (int)s->nptb - 1; i >= 0; i--) {
		unsigned m = s->ptb_mtu[i];

		if (m > s->lo && m < s->hi && !find(s, m))
			return m;
	}
	return 0;
}

/* How much more likely a common MTU is than any other value: each counts
 * as this many candidates when the search picks its next cut. */
#define COMMON_WEIGHT 8

/* Of the common MTUs cand[] (ascending, all inside (lo, hi)), the one that
 * best halves the remaining candidates [lo, hi - 1], a common value counting
 * COMMON_WEIGHT times. Plain halving of the table would leave the wide gap
 * below 1400 to a long byte-wise bisection; plain halving of the range
 * would spend probes on values no link has. Over every MTU 1281..1500 behind
 * a black hole this takes at most 14 probes (9 for the common ones). */
static unsigned weighted_cut(const struct mx_pmtu_search *s, const unsigned *cand, unsigned n)
{
	unsigned long long total, left;
	unsigned i, best = cand[0], below = 0, all = 0;
	long long d, bestd = -1;

	/* common values in [lo, hi - 1] */
	for (i = 0; i < mx_pmtu_ncommon; i++)
		if (mx_pmtu_common[i] >= s->lo && mx_pmtu_common[i] < s->hi)
			all++;
	total = (unsigned long long)(s->hi - s->lo) + (COMMON_WEIGHT - 1ULL) * all;
	for (i = 0; i < n; i++) {
		unsigned j;

		/* common values in [lo, cand[i] - 1] */
		for (below = 0, j = 0; j < mx_pmtu_ncommon; j++)
			if (mx_pmtu_common[j] >= s->lo && mx_pmtu_common[j] < cand[i])
				below++;
		left = (unsigned long long)(cand[i] - s->lo) + (COMMON_WEIGHT - 1ULL) * below;
		d = (long long)(2 * left) - (long long)total;
		if (d < 0)
			d = -d;
		if (bestd < 0 || d < bestd)
			bestd = d, best = cand[i];
	}
	return best;
}

unsigned mx_pmtu_next(const struct mx_pmtu_search *s)
{
	unsigned cand[32], n = 0, i, m;
	const struct mx_pmtu_size *b;

	if (s->done)
		return 0;
	m = untried_ptb(s);
	if (m)
		return m;
	if (s->lo == 0) {
		const struct mx_pmtu_size *mn = find(s, s->min_mtu);
		int base_left, min_left, b_busy, m_busy;

		b = find(s, s->base);
		base_left = !b || (b->lost < MX_PMTU_MAX_PROBES && !b->ptb);
		min_left = s->min_mtu < s->base && (!mn || mn->lost < MX_PMTU_MAX_PROBES);
		/* In flight: sent, not yet lost or answered. */
		b_busy = b && b->sent > b->lost + b->answered;
		m_busy = mn && mn->sent > mn->lost + mn->answered;
		/* Once the base went unanswered, the smallest packet too: is
		 * the peer silent, or is the path below 1280? */
		if (base_left && !b_busy &&
		    (!b || !b->lost || !min_left || m_busy || (mn && mn->lost >= b->lost)))
			return s->base;
		if (min_left && !m_busy)
			return s->min_mtu;
		return base_left && !b_busy ? s->base : 0;
	}
	/* Optimistic first: most paths carry our whole MTU, and then one
	 * probe ends the search (the prober sends it with the base). */
	if (s->hi > s->local_mtu && !find(s, s->local_mtu))
		return s->local_mtu;
	if (s->hi == s->lo + 1)
		return s->hi; /* confirm a silent loss: MAX_PROBES before we believe it */
	for (i = 0; i < mx_pmtu_ncommon && n < 32; i++)
		if (mx_pmtu_common[i] > s->lo && mx_pmtu_common[i] < s->hi)
			cand[n++] = mx_pmtu_common[i];
	if (n)
		return weighted_cut(s, cand, n);
	/* Links are usually exactly a common MTU: try one byte more first,
	 * which ends the search at once when the answer is lo. */
	if (!find(s, s->lo + 1) && (is_common(s->lo) || s->lo == s->local_mtu))
		return s->lo + 1;
	for (i = 0; i < s->nptb; i++)
		if (s->ptb_mtu[i] == s->lo && !find(s, s->lo + 1))
			return s->lo + 1;
	return s->lo + (s->hi - s->lo) / 2;
}

void mx_pmtu_sent(struct mx_pmtu_search *s, unsigned size)
{
	struct mx_pmtu_size *z = rec(s, size);

	s->probes++;
	if (z)
		z->sent++;
	update(s);
}

void mx_pmtu_answered(struct mx_pmtu_search *s, unsigned size)
{
	struct mx_pmtu_size *z = rec(s, size);

	if (z)
		z->answered++;
	update(s);
}

void mx_pmtu_lost(struct mx_pmtu_search *s, unsigned size)
{
	struct mx_pmtu_size *z = rec(s, size);

	if (z)
		z->lost++;
	update(s);
}

void mx_pmtu_refused(struct mx_pmtu_search *s, unsigned size)
{
	struct mx_pmtu_size *z = rec(s, size);

	if (z && z->lost < MX_PMTU_MAX_PROBES)
		z->lost = MX_PMTU_MAX_PROBES;
	update(s);
}

void mx_pmtu_local_limit(struct mx_pmtu_search *s, unsigned mtu)
{
	if (mtu >= s->min_mtu && mtu < s->local_mtu) {
		s->local_mtu = mtu;
		if (s->base > mtu)
			s->base = mtu;
	}
	update(s);
}

enum mx_pmtu_ptb_verdict mx_pmtu_ptb(struct mx_pmtu_search *s, unsigned size, unsigned mtu)
{
	struct mx_pmtu_size *z;

	/* RFC 1191 section 5 lets old routers send 0; RFC 8899 4.6.2 and the
	 * kernel (ip_rt_min_pmtu) do not trust such values: the probe then
	 * simply goes unanswered and the search proceeds without the hint. */
	if (mtu == 0)
		return MX_PTB_ZERO;
	if (mtu >= size)
		return MX_PTB_NOT_SMALLER;
	if (mtu < s->min_mtu)
		return MX_PTB_BELOW_MIN;
	if (mtu < s->lo)
		return MX_PTB_CONTRADICTED;
	if (s->nptb == sizeof(s->ptb_mtu) / sizeof(s->ptb_mtu[0])) {
		memmove(s->ptb_mtu, s->ptb_mtu + 1, sizeof(s->ptb_mtu) - sizeof(s->ptb_mtu[0]));
		s->nptb--;
	}
	s->ptb_mtu[s->nptb++] = mtu;
	z = rec(s, size);
	if (z)
		z->ptb = 1;
	update(s);
	return MX_PTB_USED;
}

const char *mx_pmtu_ptb_verdict_name(enum mx_pmtu_ptb_verdict v)
{
	switch (v) {
	case MX_PTB_USED:
		return "used";
	case MX_PTB_ZERO:
		return "ignored: mtu 0";
	case MX_PTB_NOT_SMALLER:
		return "ignored: mtu not smaller than the probe";
	case MX_PTB_BELOW_MIN:
		return "ignored: mtu below the protocol minimum";
	case MX_PTB_CONTRADICTED:
		return "ignored: a bigger probe was answered";
	}
	return "?";
}

const char *mx_pmtu_bound_name(enum mx_pmtu_bound b)
{
	switch (b) {
	case MX_BOUND_LOCAL:
		return "local";
	case MX_BOUND_PTB:
		return "ptb";
	case MX_BOUND_LOSS:
		return "blackhole";
	default:
		return "none";
	}
}
