/* SPDX-License-Identifier: GPL-2.0 */
/* DKIM key records (RFC 6376 3.6.1): tags and the public key itself,
 * decoded with libcrypto. Pure (no DNS): unit-tested and fuzzable. */
#ifndef MX_DNS_DKIM_H
#define MX_DNS_DKIM_H

struct mx_dkim_key {
	char k[16];    /* key type tag: "rsa" (default) or "ed25519" */
	char type[16]; /* what the key data really is: "rsa", "ed25519", "" */
	int bits;
	int revoked;	 /* p= empty */
	int testing;	 /* t=y */
	int pkcs1;	 /* RSA key as bare RSAPublicKey, not SubjectPublicKeyInfo */
	int key_bytes;	 /* decoded length of p= */
	char error[200]; /* "" when the record and key are usable */
};

/* Returns 0 when the key can verify signatures, -1 with key->error. */
int mx_dkim_parse(const char *record, struct mx_dkim_key *key);

#endif
