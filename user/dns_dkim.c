// SPDX-License-Identifier: GPL-2.0
/* DKIM key record parser and key decoder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dns_dkim.h"
#include "dns_tagval.h"

/* Strict base64 (RFC 4648 4): whole quanta, padding only at the end. */
static int b64_decode(const char *in, unsigned char *out, size_t outlen, int *n)
{
	size_t len = strlen(in), pad = 0, i;
	int r;

	if (len == 0 || len % 4)
		return -1;
	for (i = 0; i < len; i++) {
		char c = in[i];

		if (c == '=') {
			if (i < len - 2)
				return -1;
			pad++;
		} else if (pad || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
				    (c >= '0' && c <= '9') || c == '+' || c == '/')) {
			return -1;
		}
	}
	if (len / 4 * 3 > outlen)
		return -1;
	r = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len);
	if (r < 0)
		return -1;
	*n = r - (int)pad;
	return 0;
}

int mx_dkim_parse(const char *record, struct mx_dkim_key *key)
{
	struct mx_taglist tl;
	const char *v, *k, *p, *h, *t, *s;
	unsigned char *der = NULL;
	char *b64 = NULL;
	int n = 0, ret = -1;
	EVP_PKEY *pk = NULL;

	memset(key, 0, sizeof(*key));
	snprintf(key->k, sizeof(key->k), "rsa");
	if (mx_taglist_parse(record, &tl)) {
		snprintf(key->error, sizeof(key->error), "malformed tag list: %s", tl.error);
		goto out;
	}
	v = mx_taglist_get(&tl, "v");
	if (v && (strcmp(tl.tags[0].name, "v") || strcmp(v, "DKIM1"))) {
		snprintf(key->error, sizeof(key->error), "v= must be first and exactly DKIM1");
		goto out;
	}
	k = mx_taglist_get(&tl, "k");
	if (k) {
		if (strcmp(k, "rsa") && strcmp(k, "ed25519")) {
			snprintf(key->error, sizeof(key->error), "unknown key type k=%.20s", k);
			goto out;
		}
		snprintf(key->k, sizeof(key->k), "%s", k);
	}
	h = mx_taglist_get(&tl, "h");
	if (h && !strstr(h, "sha256")) {
		snprintf(key->error, sizeof(key->error),
			 "h=%.40s excludes sha256: verifiers no longer accept sha1 (RFC 8301)", h);
		goto out;
	}
	s = mx_taglist_get(&tl, "s");
	if (s && !strstr(s, "email") && !strchr(s, '*')) {
		snprintf(key->error, sizeof(key->error), "s=%.40s does not include email", s);
		goto out;
	}
	t = mx_taglist_get(&tl, "t");
	if (t) {
		char buf[64], *save = NULL, *f;

		snprintf(buf, sizeof(buf), "%s", t);
		for (f = strtok_r(buf, ":", &save); f; f = strtok_r(NULL, ":", &save)) {
			while (*f == ' ')
				f++;
			if (!strncmp(f, "y", 1) && (f[1] == 0 || f[1] == ' '))
				key->testing = 1;
		}
	}
	p = mx_taglist_get(&tl, "p");
	if (!p) {
		snprintf(key->error, sizeof(key->error), "no p= tag (the public key)");
		goto out;
	}
	b64 = malloc(strlen(p) + 1);
	der = malloc(strlen(p) + 4);
	if (!b64 || !der) {
		snprintf(key->error, sizeof(key->error), "out of memory");
		goto out;
	}
	mx_strip_ws(p, b64, strlen(p) + 1);
	if (!b64[0]) {
		key->revoked = 1;
		snprintf(key->error, sizeof(key->error), "p= is empty: the key is revoked");
		goto out;
	}
	if (b64_decode(b64, der, strlen(p) + 4, &n)) {
		snprintf(key->error, sizeof(key->error),
			 "p= is not valid base64 (%zu characters%s)", strlen(b64),
			 strlen(b64) % 4 ? ", not a multiple of 4: truncated?" : "");
		goto out;
	}
	key->key_bytes = n;
	if (!strcmp(key->k, "ed25519")) {
		/* RFC 8463 3: the raw 32-byte key, not SubjectPublicKeyInfo. */
		if (n != 32) {
			snprintf(key->error, sizeof(key->error),
				 "ed25519 key is %d bytes, must be 32 (RFC 8463)", n);
			goto out;
		}
		snprintf(key->type, sizeof(key->type), "ed25519");
		key->bits = 256;
		ret = 0;
		goto out;
	}
	{
		const unsigned char *q = der;

		pk = d2i_PUBKEY(NULL, &q, n);
		if (pk && q != der + n) {
			EVP_PKEY_free(pk);
			pk = NULL;
		}
		if (!pk) {
			q = der;
			pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, n);
			if (pk)
				key->pkcs1 = 1;
		}
	}
	if (!pk) {
		snprintf(key->error, sizeof(key->error),
			 "p= (%d bytes) is not a DER public key: truncated or damaged", n);
		goto out;
	}
	key->bits = EVP_PKEY_get_bits(pk);
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA)
		snprintf(key->type, sizeof(key->type), "rsa");
	else if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_ED25519)
		snprintf(key->type, sizeof(key->type), "ed25519");
	else
		snprintf(key->type, sizeof(key->type), "other");
	if (strcmp(key->type, "rsa")) {
		snprintf(key->error, sizeof(key->error), "k=rsa but the key is %s", key->type);
		goto out;
	}
	if (key->bits < 1024) {
		snprintf(key->error, sizeof(key->error),
			 "RSA key of %d bits: verifiers reject keys below 1024 bits (RFC 8301)",
			 key->bits);
		goto out;
	}
	ret = 0;
out:
	EVP_PKEY_free(pk);
	free(b64);
	free(der);
	mx_taglist_free(&tl);
	return ret;
}
