// SPDX-License-Identifier: GPL-2.0
/* One traced packet as text or a JSON line: its hooks in path order, the
 * rules that decided at each, the DNAT conntrack did, and where it ended. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "cli.h"
#include "trace.h"
#include "trace_names.h"
#include "trace_render.h"

#define IPS_DST_NAT (1u << 5)

const char *const mx_trace_hook_names[MX_NHOOKS] = {"PREROUTING", "INPUT", "FORWARD", "OUTPUT",
						    "POSTROUTING"};
/* Path order: PREROUTING, then INPUT or FORWARD, OUTPUT, POSTROUTING. */
const int mx_trace_path_order[MX_NHOOKS] = {MX_HOOK_PRE, MX_HOOK_IN, MX_HOOK_FWD, MX_HOOK_OUT,
					    MX_HOOK_POST};

const char *mx_trace_fmt_ep(int family, const uint8_t *addr, uint16_t port_be, char *buf,
			    size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, a, sizeof(a));
	snprintf(buf, len, family == 6 ? "[%s]:%u" : "%s:%u", a, ntohs(port_be));
	return buf;
}

const char *mx_trace_fmt_addr(int family, const uint8_t *addr, char *buf, size_t len)
{
	inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, buf, len);
	return buf;
}

static void tcp_flags(uint8_t f, char *buf)
{
	static const char letters[] = "FSRPAUEC";
	int i, n = 0;

	for (i = 0; i < 8; i++)
		if (f & (1 << i))
			buf[n++] = letters[i];
	buf[n] = 0;
}

const char *mx_trace_verdict_name(const struct mx_nft_decision *d, char *buf, size_t len)
{
	switch (d->verdict) {
	case NF_ACCEPT:
		return "ACCEPT";
	case NF_DROP:
		return "DROP";
	case NF_QUEUE:
		return "QUEUE";
	case NF_STOLEN:
		return "STOLEN";
	case NFT_CONTINUE:
		return "continue";
	case NFT_RETURN:
		return "return";
	case NFT_JUMP:
		snprintf(buf, len, "jump %s", d->target);
		return buf;
	case NFT_GOTO:
		snprintf(buf, len, "goto %s", d->target);
		return buf;
	case NFT_BREAK:
		return "break";
	}
	snprintf(buf, len, "verdict %d", d->verdict);
	return buf;
}

double mx_trace_wall(const struct mx_trace_run *t, uint64_t ns)
{
	return ns / 1e9 + t->mono_to_real;
}

static void fmt_time(double w, char *buf, size_t len)
{
	time_t s = (time_t)w;
	struct tm tm;

	localtime_r(&s, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%06d", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)((w - s) * 1e6));
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

static uint64_t mix_str(uint64_t h, const char *s)
{
	while (*s)
		h = mix(h, (unsigned char)*s++);
	return h;
}

static void resolve(struct mx_trace_run *t, struct mx_nft_decision *dec, size_t n,
		    struct mx_trace_line *lines)
{
	char cur_base[64] = "";
	int cur_hook = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		struct mx_trace_line *l = &lines[i];
		int h = t->rules ? mx_rules_chain_hook(t->rules, dec[i].family, dec[i].table,
						       dec[i].chain, NULL)
				 : -2;

		l->d = &dec[i];
		/* Falling off the end of a base chain (older kernels say so
		 * before the policy event) decides nothing. */
		if (h >= 0 && dec[i].type == NFT_TRACETYPE_RETURN) {
			l->hook = -1;
			continue;
		}
		if (h >= 0) {
			cur_hook = h;
			snprintf(cur_base, sizeof(cur_base), "%s", dec[i].chain);
		}
		l->hook = cur_hook;
		snprintf(l->base, sizeof(l->base), "%s", h >= 0 ? "" : cur_base);
		l->pos = 0;
		l->text[0] = 0;
		if (dec[i].type == NFT_TRACETYPE_RULE && t->rules &&
		    mx_rules_describe(t->rules, dec[i].family, dec[i].table, dec[i].chain,
				      dec[i].handle, &l->pos, l->text, sizeof(l->text)))
			snprintf(l->text, sizeof(l->text), "(rule handle %llu, since removed)",
				 (unsigned long long)dec[i].handle);
	}
}

void mx_trace_line_text(const struct mx_trace_line *l, char *buf, size_t len)
{
	const struct mx_nft_decision *d = l->d;
	char where[256], vb[96];

	if (l->base[0])
		snprintf(where, sizeof(where), "%s %s → %s", d->table, l->base, d->chain);
	else
		snprintf(where, sizeof(where), "%s %s", d->table, d->chain);
	switch (d->type) {
	case NFT_TRACETYPE_RULE:
		snprintf(buf, len, "%s rule %d: %s → %s", where, l->pos, l->text,
			 mx_trace_verdict_name(d, vb, sizeof(vb)));
		break;
	case NFT_TRACETYPE_RETURN:
		snprintf(buf, len, "%s: end of chain → return", where);
		break;
	case NFT_TRACETYPE_POLICY:
		snprintf(buf, len, "%s: policy %s", where,
			 mx_trace_verdict_name(d, vb, sizeof(vb)));
		break;
	default:
		snprintf(buf, len, "%s: trace type %u", where, d->type);
	}
}

/* Where the packet ended, in words (and facts for JSON). */
static void describe_end(struct mx_trace_run *t, const struct mx_trace_event *ev, char *buf,
			 size_t len, json_object *j)
{
	char a[96], b[96], name[160], rs[64], ks[128];
	int fam = ev->family, h, last = -1, i;

	switch (ev->end) {
	case MX_END_FORWARDED:
		mx_trace_fmt_ep(fam, ev->last.daddr, ev->last.dport, a, sizeof(a));
		if (mx_container_by_addr(fam, ev->last.daddr, name, sizeof(name)) == 0) {
			snprintf(buf, len, "delivered to container %s (%s) via %s", name, a,
				 ev->out_name);
			json_object_object_add(j, "kind", json_object_new_string("container"));
			json_object_object_add(j, "container", json_object_new_string(name));
		} else {
			snprintf(buf, len, "forwarded to %s out %s", a, ev->out_name);
			json_object_object_add(j, "kind", json_object_new_string("forwarded"));
		}
		json_object_object_add(j, "to", json_object_new_string(a));
		json_object_object_add(j, "out", json_object_new_string(ev->out_name));
		return;
	case MX_END_LOCAL_IN:
		mx_trace_fmt_ep(fam, ev->last.daddr, ev->last.dport, a, sizeof(a));
		if (mx_local_socket(fam, ev->proto, ev->last.daddr, ntohs(ev->last.dport),
				    ev->last.saddr, ntohs(ev->last.sport),
				    ev->proto == 6 && (ev->tcp_flags & 0x12) == 0x02, b,
				    sizeof(b)) == 0) {
			snprintf(buf, len, "delivered to a host socket: %s", b);
			json_object_object_add(j, "kind", json_object_new_string("host_socket"));
			json_object_object_add(j, "socket", json_object_new_string(b));
		} else {
			snprintf(buf, len,
				 "passed INPUT to %s; no socket found there (none listens, or the "
				 "connection closed since)",
				 a);
			json_object_object_add(j, "kind",
					       json_object_new_string("local_no_socket"));
		}
		json_object_object_add(j, "to", json_object_new_string(a));
		return;
	case MX_END_LOCAL_OUT:
		snprintf(buf, len, "sent by this host out %s", ev->out_name);
		json_object_object_add(j, "kind", json_object_new_string("sent"));
		json_object_object_add(j, "out", json_object_new_string(ev->out_name));
		return;
	}
	/* A drop: after which observation point? */
	for (i = 0; i < MX_NHOOKS; i++) {
		h = mx_trace_path_order[i];
		if (ev->seen & (MX_SEEN(h, 0) | MX_SEEN(h, 1)))
			last = h;
	}
	snprintf(rs, sizeof(rs), "%s", mx_drop_reason_name(ev->drop_reason, a, sizeof(a)));
	mx_ksym(ev->drop_location, ks, sizeof(ks));
	json_object_object_add(j, "kind", json_object_new_string("dropped"));
	json_object_object_add(j, "reason", json_object_new_string(rs));
	json_object_object_add(j, "location", json_object_new_string(ks));
	if (ev->end == MX_END_LATE_DROP) {
		snprintf(buf, len, "passed netfilter, then dropped by the kernel: %s at %s", rs,
			 ks);
		json_object_object_add(j, "after_netfilter", json_object_new_boolean(1));
		return;
	}
	if (last < 0) {
		snprintf(buf, len, "dropped before netfilter's decisive tables: %s at %s", rs, ks);
		return;
	}
	json_object_object_add(j, "hook", json_object_new_string(mx_trace_hook_names[last]));
	if (!(ev->seen & MX_SEEN(last, 1))) {
		if (t->hooks == MX_TRACE_NFLINK)
			snprintf(buf, len,
				 "DROPPED in %s between priority %d and %d (%s table): %s at %s",
				 mx_trace_hook_names[last], mx_trace_prios[last].before,
				 mx_trace_prios[last].after,
				 last == MX_HOOK_PRE	? "nat"
				 : last == MX_HOOK_POST ? "nat"
							: "filter",
				 rs, ks);
		else
			snprintf(buf, len, "DROPPED in %s: %s at %s", mx_trace_hook_names[last], rs,
				 ks);
	} else {
		snprintf(buf, len, "DROPPED after %s (later table or routing): %s at %s",
			 mx_trace_hook_names[last], rs, ks);
	}
}

static struct mx_trace_flow *flow_slot(struct mx_trace_run *t, const struct mx_trace_event *ev,
				       uint64_t *key)
{
	const struct mx_flow *f = ev->has_ct ? &ev->ct_orig : &ev->first;
	/* The hooks passed belong to the key: over loopback one packet is
	 * sent (OUTPUT) and received (PREROUTING) under the same tuple. */
	uint64_t k = mix(mix(mix(ev->family, ev->proto), ev->ct_dir), ev->seen);
	size_t i;

	for (i = 0; i < sizeof(*f); i++)
		k = mix(k, ((const uint8_t *)f)[i]);
	*key = k;
	return &t->flows[k % MX_TRACE_NFLOWS];
}

static void print_repeats(struct mx_trace_run *t, struct mx_trace_flow *fl)
{
	if (!fl->repeats)
		return;
	if (t->json) {
		json_object *j = mx_trace_json_event("repeat");

		json_object_object_add(j, "flow", json_object_new_string(fl->label));
		json_object_object_add(j, "like_packet", json_object_new_int64(fl->first_id));
		json_object_object_add(j, "packets", json_object_new_int64(fl->repeats));
		fprintf(t->out, "%s\n",
			json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
	} else {
		fprintf(t->out, "   … %llu more packet%s of %s took the same path as #%llu\n",
			(unsigned long long)fl->repeats, fl->repeats == 1 ? "" : "s", fl->label,
			(unsigned long long)fl->first_id);
	}
	fl->repeats = 0;
}

void mx_trace_flush_repeats(struct mx_trace_run *t)
{
	size_t i;

	for (i = 0; i < MX_TRACE_NFLOWS; i++)
		print_repeats(t, &t->flows[i]);
	fflush(t->out);
}

void mx_trace_render(struct mx_trace_run *t, const struct mx_trace_event *ev,
		     struct mx_nft_decision *dec, size_t ndec)
{
	struct mx_trace_line lines[MX_TRACE_MAX_DEC];
	struct mx_legacy_hit hits[8];
	int nhits = 0;
	char src[96], dst[96], fl[16] = "", tb[32], endtxt[512], lt[1024], a[96], b[96];
	json_object *endj;
	struct mx_trace_flow *flow;
	uint64_t key, sig, sig_rules;
	size_t i;
	int k, h;

	if (ndec > MX_TRACE_MAX_DEC)
		ndec = MX_TRACE_MAX_DEC;
	if (ev->end == MX_END_DROP || ev->end == MX_END_LATE_DROP)
		t->drops++;
	mx_trace_fmt_ep(ev->family, ev->first.saddr, ev->first.sport, src, sizeof(src));
	mx_trace_fmt_ep(ev->family, ev->first.daddr, ev->first.dport, dst, sizeof(dst));

	/* Repeats (same flow, same path) are counted before any costly
	 * naming. Rules are part of the path when the packet was traced by
	 * nftables (established packets are sampled, see trace_nft.c). */
	sig =
	    mix(mix(mix(ev->seen, ev->end), ev->drop_reason), mix(ev->in_ifindex, ev->out_ifindex));
	sig_rules = sig;
	for (i = 0; i < ndec; i++)
		sig_rules =
		    mix(mix_str(mix_str(mix(sig_rules, dec[i].handle), dec[i].table), dec[i].chain),
			(uint32_t)dec[i].verdict + 100 * dec[i].type);
	flow = flow_slot(t, ev, &key);
	/* Repeats the kernel counted belong to this flow's last path. */
	if (flow->key == key)
		flow->repeats += ev->repeats;
	if (!t->every && flow->key == key && flow->sig == sig &&
	    (!ndec || flow->sig_rules == sig_rules)) {
		flow->repeats++;
		return;
	}
	if (flow->key != key || flow->sig != sig)
		print_repeats(t, flow);
	else if (ndec && flow->sig_rules != sig_rules)
		print_repeats(t, flow);
	flow->key = key;
	flow->sig = sig;
	if (ndec || flow->first_id == 0 || !flow->sig_rules)
		flow->sig_rules = ndec ? sig_rules : flow->sig_rules;
	flow->first_id = ev->id;
	snprintf(flow->label, sizeof(flow->label), "%s %s → %s", ev->proto == 6 ? "tcp" : "udp",
		 src, dst);
	t->printed++;

	endj = json_object_new_object();
	resolve(t, dec, ndec, lines);
	describe_end(t, ev, endtxt, sizeof(endtxt), endj);
	/* iptables-legacy cannot trace: the rule whose counter moved did it. */
	if (t->legacy && t->rules && ev->end == MX_END_DROP && !ndec)
		nhits = mx_rules_legacy_drops(t->rules, ev->family == 6 ? 10 : 2, hits, 8);

	/* The self-test's verdict: its client's first packet. */
	if (t->st_active && !t->st_seen && nhits && ev->family == t->st_family &&
	    !memcmp(ev->first.saddr, t->st_addr, ev->family == 4 ? 4 : 16)) {
		snprintf(lt, sizeof(lt), "legacy %s %s rule %d: %s", hits[0].table, hits[0].chain,
			 hits[0].pos, hits[0].text);
		t->st_seen = 1;
		t->st_end = ev->end;
		snprintf(t->st_summary, sizeof(t->st_summary), "%.500s; by %.1000s", endtxt, lt);
	}
	if (t->st_active && !t->st_seen && ev->family == t->st_family &&
	    !memcmp(ev->first.saddr, t->st_addr, ev->family == 4 ? 4 : 16)) {
		t->st_seen = 1;
		t->st_end = ev->end;
		snprintf(t->st_summary, sizeof(t->st_summary), "%s", endtxt);
		for (i = 0; i < ndec; i++)
			if (lines[i].d->type == NFT_TRACETYPE_RULE &&
			    (lines[i].d->verdict == NF_DROP)) {
				mx_trace_line_text(&lines[i], lt, sizeof(lt));
				snprintf(t->st_summary, sizeof(t->st_summary), "%.500s; by %.1000s",
					 endtxt, lt);
			}
	}

	if (ev->proto == 6)
		tcp_flags(ev->tcp_flags, fl);
	if (!t->json) {
		FILE *f = t->out;

		fmt_time(mx_trace_wall(t, ev->ts_ns), tb, sizeof(tb));
		fprintf(f, "#%llu %s %s %s → %s", (unsigned long long)ev->id, tb,
			ev->proto == 6 ? "tcp" : "udp", src, dst);
		if (fl[0])
			fprintf(f, " [%s]", fl);
		fprintf(f, " len %u\n", ev->len);
		for (k = 0; k < MX_NHOOKS; k++) {
			int any;

			h = mx_trace_path_order[k];
			any = !!(ev->seen & (MX_SEEN(h, 0) | MX_SEEN(h, 1)));
			for (i = 0; i < ndec; i++)
				any |= lines[i].hook == h;
			if (!any)
				continue;
			fprintf(f, "  %-11s", mx_trace_hook_names[h]);
			if ((h == MX_HOOK_PRE || h == MX_HOOK_IN || h == MX_HOOK_FWD) &&
			    ev->in_name[0])
				fprintf(f, " in %s", ev->in_name);
			if ((h == MX_HOOK_FWD || h == MX_HOOK_OUT || h == MX_HOOK_POST) &&
			    ev->out_name[0] && (ev->end != MX_END_DROP || h != MX_HOOK_PRE))
				fprintf(f, " out %s", ev->out_name);
			fputc('\n', f);
			for (i = 0; i < ndec; i++)
				if (lines[i].hook == h) {
					mx_trace_line_text(&lines[i], lt, sizeof(lt));
					fprintf(f, "      %s\n", lt);
				}
			if ((h == MX_HOOK_PRE || h == MX_HOOK_OUT) && ev->has_ct &&
			    (ev->ct_status & IPS_DST_NAT) && (ev->seen & MX_SEEN(h, 1))) {
				if (!ev->ct_dir)
					fprintf(f, "      DNAT %s → %s (conntrack)\n",
						mx_trace_fmt_ep(ev->family, ev->ct_orig.daddr,
								ev->ct_orig.dport, a, sizeof(a)),
						mx_trace_fmt_ep(ev->family, ev->ct_reply.saddr,
								ev->ct_reply.sport, b, sizeof(b)));
				else
					fprintf(f,
						"      reply of a DNAT'ed connection: source %s "
						"becomes %s in POSTROUTING\n",
						mx_trace_fmt_ep(ev->family, ev->ct_reply.saddr,
								ev->ct_reply.sport, a, sizeof(a)),
						mx_trace_fmt_ep(ev->family, ev->ct_orig.daddr,
								ev->ct_orig.dport, b, sizeof(b)));
			}
		}
		for (i = 0; i < (size_t)nhits; i++)
			fprintf(f,
				"      legacy %s %s rule %d: %s → %s (its counter moved by %llu)\n",
				hits[i].table, hits[i].chain, hits[i].pos, hits[i].text,
				hits[i].reject ? "REJECT" : "DROP",
				(unsigned long long)hits[i].packets);
		fprintf(f, "  ⇒ %s\n", endtxt);
		json_object_put(endj);
		return;
	}

	mx_trace_packet_json(t, &(struct mx_trace_pkt){.ev = ev,
						       .lines = lines,
						       .nlines = ndec,
						       .hits = hits,
						       .nhits = nhits,
						       .endtxt = endtxt,
						       .endj = endj,
						       .src = src,
						       .dst = dst,
						       .flags = fl});
}

void mx_trace_mechanisms(struct mx_trace_run *t, char *buf, size_t len)
{
	char hooks[192];

	if (t->hooks == MX_TRACE_NFLINK)
		snprintf(hooks, sizeof(hooks),
			 "netfilter link observers (PREROUTING %d/%d, INPUT/FORWARD/OUTPUT %d/%d, "
			 "POSTROUTING %d/%d)",
			 mx_trace_prios[0].before, mx_trace_prios[0].after,
			 mx_trace_prios[1].before, mx_trace_prios[1].after,
			 mx_trace_prios[4].before, mx_trace_prios[4].after);
	else
		snprintf(hooks, sizeof(hooks), "%s", mx_trace_hooks_name(t->hooks));
	snprintf(buf, len, "%s; %s%s%s; %s%s", hooks,
		 t->nft ? "nftables trace (table inet " : "no nftables trace",
		 t->nft ? mx_nftrace_table(t->nft) : "", t->nft ? ")" : "",
		 t->kfree ? "skb:kfree_skb drop reasons" : "no drop reasons",
		 t->legacy ? "; iptables-legacy rule counters" : "");
}
