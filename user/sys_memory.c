// SPDX-License-Identifier: GPL-2.0
/* system.memory and system.swap: seed "Minimum 6 GiB + 1 GiB swap (default
 * config)"; ClamAV and the full-text index are the greedy parts, switched off
 * by SKIP_CLAMD=y and SKIP_FTS=y (formerly SKIP_SOLR). */
#include <stdio.h>
#include <string.h>

#include "humanize.h"
#include "meminfo.h"
#include "sys_checks.h"

/* The RAM the configured stack needs: the seed's minimum less what the
 * mailcow.conf switches turn off. */
static unsigned long long need_ram(const struct mx_config *cfg, char *why, size_t len)
{
	unsigned long long need = cfg->th.ram_min;
	char a[32], b[32];

	why[0] = '\0';
	if (cfg->mc.skip_clamd == 1) {
		need -= cfg->th.ram_clamd;
		snprintf(why, len, "SKIP_CLAMD=y saves ~%s",
			 mx_bytes(cfg->th.ram_clamd, a, sizeof(a)));
	}
	if (cfg->mc.skip_fts == 1) {
		size_t n = strlen(why);

		need -= cfg->th.ram_fts;
		snprintf(why + n, len - n, "%s%s=y saves ~%s", n ? ", " : "",
			 cfg->mc.skip_fts_from_solr ? "SKIP_SOLR" : "SKIP_FTS",
			 mx_bytes(cfg->th.ram_fts, b, sizeof(b)));
	}
	return need;
}

void mx_check_memory(struct mx_ctx *ctx, struct mx_result *r)
{
	const struct mx_config *cfg = ctx->cfg;
	unsigned long long total, need;
	char t[32], m[32], n[32], why[128];
	int err;

	err = mx_meminfo("MemTotal", &total);
	if (err) {
		mx_result_set(r, MX_ERROR, "cannot read MemTotal from /proc/meminfo: %s",
			      strerror(-err));
		return;
	}
	need = need_ram(cfg, why, sizeof(why));
	mx_data_int(r, "mem_total_bytes", total);
	mx_data_int(r, "required_bytes", cfg->th.ram_min);
	mx_data_int(r, "required_with_skips_bytes", need);
	mx_data_int(r, "slack_bytes", cfg->th.ram_slack);
	if (cfg->mc.skip_clamd >= 0)
		mx_data_bool(r, "skip_clamd", cfg->mc.skip_clamd);
	if (cfg->mc.skip_fts >= 0)
		mx_data_bool(r, "skip_fts", cfg->mc.skip_fts);
	mx_bytes(total, t, sizeof(t));
	mx_bytes(cfg->th.ram_min, m, sizeof(m));
	/* MemTotal misses what firmware and kernel reserve: allow that slack. */
	if (total + cfg->th.ram_slack >= cfg->th.ram_min) {
		mx_result_set(r, MX_PASS, "%s RAM (the seed asks for %s)", t, m);
		return;
	}
	if (need < cfg->th.ram_min && total + cfg->th.ram_slack >= need) {
		mx_result_set(r, MX_WARN,
			      "%s RAM: below the seed's %s, enough for the reduced stack (%s; ~%s)",
			      t, m, why, mx_bytes(need, n, sizeof(n)));
		mx_result_remedy(r, "fine for a small install; ActiveSync and many IMAP users need "
				    "more (seed: 16 GiB for 15 phones)");
		return;
	}
	mx_result_set(r, MX_FAIL, "%s RAM: below the %s minimum%s%s", t, m,
		      why[0] ? " even with " : "", why);
	if (cfg->mc.skip_clamd != 1)
		mx_result_remedy(
		    r, "add RAM (clamd is OOM-killed on 4 GiB hosts), or set SKIP_CLAMD=y and "
		       "SKIP_FTS=y in mailcow.conf to drop ClamAV and full-text search");
	else
		mx_result_remedy(
		    r, "add RAM: mailcow needs %s, about %s with the greedy parts switched off", m,
		    mx_bytes(need, n, sizeof(n)));
}

void mx_check_swap(struct mx_ctx *ctx, struct mx_result *r)
{
	const struct mx_config *cfg = ctx->cfg;
	unsigned long long swap, total = 0;
	char s[32], m[32];
	int err;

	err = mx_meminfo("SwapTotal", &swap);
	if (err) {
		mx_result_set(r, MX_ERROR, "cannot read SwapTotal from /proc/meminfo: %s",
			      strerror(-err));
		return;
	}
	mx_meminfo("MemTotal", &total);
	mx_data_int(r, "swap_total_bytes", swap);
	mx_data_int(r, "required_bytes", cfg->th.swap_min);
	mx_bytes(swap, s, sizeof(s));
	mx_bytes(cfg->th.swap_min, m, sizeof(m));
	if (swap >= cfg->th.swap_min) {
		mx_result_set(r, MX_PASS, "%s swap (the seed asks for %s)", s, m);
		return;
	}
	/* Spare RAM does what the swap is for: absorbing peaks. */
	if (total + cfg->th.ram_slack >= cfg->th.ram_min + cfg->th.swap_min) {
		mx_result_set(r, MX_WARN, "%s swap, below the seed's %s; spare RAM covers it", s,
			      m);
		mx_result_remedy(
		    r, "optional: add a swap file (fallocate -l 1G /swapfile && chmod 600 "
		       "/swapfile && mkswap /swapfile && swapon /swapfile; add it to /etc/fstab)");
		return;
	}
	mx_result_set(r, MX_FAIL, "%s swap: the seed asks for %s on top of the RAM", s, m);
	mx_result_remedy(r, "add a swap file: fallocate -l 1G /swapfile && chmod 600 /swapfile && "
			    "mkswap /swapfile && swapon /swapfile, and add it to /etc/fstab");
}
