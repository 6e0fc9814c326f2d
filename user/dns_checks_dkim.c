// SPDX-License-Identifier: GPL-2.0
/* dns.dkim: the key at <selector>._domainkey.<domain> (dns_dkim.c decodes it). */
#include <stdio.h>
#include <string.h>

#include "dns_checks.h"
#include "dns_dkim.h"

void mx_dns_check_dkim(struct mx_ctx *ctx, struct mx_result *r)
{
	struct mx_dns_env env;
	struct mx_rrset txt;
	struct mx_dkim_key key;
	const char *sel = ctx->opts && ctx->opts->dkim_selector ? ctx->opts->dkim_selector : "dkim";
	char name[400];
	int i, n = 0, idx = -1;

	if (mx_dns_begin(ctx, r, &env))
		return;
	snprintf(name, sizeof(name), "%s._domainkey.%s", sel, env.domain);
	mx_data_str(r, "selector", sel);
	mx_data_str(r, "name", name);
	mx_dns_lookup(&env.dns, name, MX_T_TXT, &txt);
	if (mx_dns_lookup_failed(r, &txt, "TXT", name))
		return;
	/* Any TXT here is meant as the key (v= is optional). */
	for (i = 0; i < txt.n; i++)
		if (strstr(txt.rr[i].text, "p=")) {
			n++;
			idx = i;
		}
	if (n == 0) {
		mx_result_set(r, MX_FAIL,
			      "no DKIM key at %s (%s): receivers cannot verify "
			      "signatures",
			      name, mx_rr_status_name(txt.status));
		mx_result_remedy(r,
				 "publish the key from the mailcow UI (Configuration → ARC/DKIM "
				 "keys) as %s TXT; a different selector: --dkim-selector",
				 name);
		mx_rrset_free(&txt);
		return;
	}
	if (n > 1) {
		mx_result_set(r, MX_FAIL, "%s has %d key records: verifiers may pick either", name,
			      n);
		mx_rrset_free(&txt);
		return;
	}
	mx_data_str(r, "record", txt.rr[idx].text);
	mx_data_int(r, "txt_strings", txt.rr[idx].nstrings);
	mx_data_bool(r, "dnssec_ad", txt.ad);
	if (mx_dkim_parse(txt.rr[idx].text, &key)) {
		mx_data_str(r, "key_type", key.type[0] ? key.type : NULL);
		mx_data_int(r, "key_bits", key.bits);
		mx_data_bool(r, "revoked", key.revoked);
		mx_result_set(r, MX_FAIL, "DKIM key %s: %s", name, key.error);
		mx_result_remedy(r,
				 "copy the whole key from the mailcow UI again (2048 bits); "
				 "a record over 255 characters must be split into several strings "
				 "of one TXT record");
		mx_rrset_free(&txt);
		return;
	}
	mx_rrset_free(&txt);
	mx_data_str(r, "key_type", key.type);
	mx_data_int(r, "key_bits", key.bits);
	mx_data_bool(r, "revoked", 0);
	mx_data_bool(r, "testing", key.testing);
	mx_data_bool(r, "pkcs1", key.pkcs1);
	if (!strcmp(key.type, "rsa") && key.bits < 2048) {
		mx_result_set(r, MX_WARN,
			      "DKIM key %s is RSA %d bits: below 2048 (RFC 8301 "
			      "recommends 2048; some receivers treat 1024 as weak)",
			      name, key.bits);
		mx_result_remedy(r, "create a 2048-bit key in the mailcow UI, publish it, then "
				    "switch");
		return;
	}
	if (key.pkcs1) {
		mx_result_set(r, MX_WARN,
			      "DKIM key %s is a bare RSAPublicKey, not the "
			      "SubjectPublicKeyInfo RFC 6376 requires: some verifiers fail",
			      name);
		return;
	}
	if (key.testing) {
		mx_result_set(r, MX_WARN,
			      "DKIM key %s has t=y (testing): receivers treat "
			      "signatures as unsigned",
			      name);
		return;
	}
	mx_result_set(r, MX_PASS, "DKIM key %s: %s %d bits", name, key.type, key.bits);
}
