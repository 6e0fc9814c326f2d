// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the SPF parser and macro expander on arbitrary records. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns_spf.h"
#include "dns_spf_eval.h"

/* A resolver where every name has the fuzzed record as TXT, an A, an AAAA,
 * an MX and a PTR: includes, redirects and loops of any shape. */
static const char *fuzz_txt;

static void fake(void *u, const char *name, int type, struct mx_rrset *out)
{
	memset(out, 0, sizeof(*out));
	if (name[0] == 'n') { /* names starting with n do not exist */
		out->status = MX_RR_NXDOMAIN;
		return;
	}
	out->rr = calloc(1, sizeof(*out->rr));
	if (!out->rr) {
		out->status = MX_RR_ERROR;
		return;
	}
	out->n = 1;
	out->status = MX_RR_OK;
	switch (type) {
	case MX_T_TXT:
		out->rr->text = strdup(fuzz_txt);
		break;
	case MX_T_A:
		out->rr->family = AF_INET;
		inet_pton(AF_INET, "192.0.2.1", out->rr->addr);
		out->rr->text = strdup("192.0.2.1");
		break;
	case MX_T_AAAA:
		out->rr->family = AF_INET6;
		memset(out->rr->addr, 0xab, 16);
		out->rr->text = strdup("abab::");
		break;
	default:
		out->rr->text = strdup("mx.example.org");
	}
	if (!out->rr->text)
		out->status = MX_RR_ERROR;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mx_spf_macro_env env = {.sender = "postmaster@example.org",
				       .domain = "example.org",
				       .helo = "mx.example.org",
				       .family = AF_INET6};
	char *txt = malloc(size + 1), out[300], err[128];
	struct mx_spf spf;
	int i;

	if (!txt)
		return 0;
	memcpy(txt, data, size);
	txt[size] = 0;
	memset(env.ip, 0xab, sizeof(env.ip));
	(void)mx_spf_is_record(txt);
	if (mx_spf_parse(txt, &spf) == 0) {
		/* Every domain-spec the parser accepted must expand. */
		for (i = 0; i < spf.n; i++)
			if (spf.terms[i].domain[0])
				mx_spf_expand(spf.terms[i].domain, &env, out, sizeof(out), err,
					      sizeof(err));
	}
	mx_spf_free(&spf);
	if (mx_spf_is_record(txt)) {
		struct mx_spf_eval *ev = calloc(1, sizeof(*ev));

		if (ev) {
			fuzz_txt = txt;
			ev->dns.fn = fake;
			ev->family = size & 1 ? AF_INET6 : AF_INET;
			memset(ev->ip, 0xab, 16);
			mx_spf_check_host(ev, "example.org");
			free(ev);
		}
	}
	/* And the expander on raw input too. */
	if (mx_spf_check_domain_spec(txt, 1, err, sizeof(err)) == 0)
		mx_spf_expand(txt, &env, out, sizeof(out), err, sizeof(err));
	free(txt);
	return 0;
}
