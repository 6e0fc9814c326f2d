// SPDX-License-Identifier: GPL-2.0
/* DKIM key records: real RSA keys made with libcrypto, encoded as mailcow
 * publishes them, then damaged in the ways seen in real zones. */
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "unit.h"
#include "dns_dkim.h"

/* "v=DKIM1; k=rsa; p=<base64 of the key>" for a fresh key of bits; der_kind
 * 0 = SubjectPublicKeyInfo, 1 = bare PKCS#1 RSAPublicKey. */
static char *record(int bits, int der_kind, size_t cut)
{
	EVP_PKEY *pk = EVP_RSA_gen(bits);
	unsigned char *der = NULL;
	char *b64, *rec;
	int n;

	assert_non_null(pk);
	n = der_kind ? i2d_PublicKey(pk, &der) : i2d_PUBKEY(pk, &der);
	assert_true(n > 0);
	b64 = calloc(1, 4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)b64, der, n);
	if (cut)
		b64[cut] = 0;
	assert_true(asprintf(&rec, "v=DKIM1; k=rsa; p=%s", b64) > 0);
	OPENSSL_free(der);
	free(b64);
	EVP_PKEY_free(pk);
	return rec;
}

static void test_rsa_sizes(void **state)
{
	struct mx_dkim_key k;
	char *r;

	r = record(2048, 0, 0);
	assert_int_equal(mx_dkim_parse(r, &k), 0);
	assert_string_equal(k.type, "rsa");
	assert_int_equal(k.bits, 2048);
	assert_int_equal(k.key_bytes, 294);
	assert_false(k.pkcs1);
	free(r);
	r = record(1024, 0, 0);
	assert_int_equal(mx_dkim_parse(r, &k), 0);
	assert_int_equal(k.bits, 1024); /* the check warns; the key itself works */
	free(r);
	r = record(512, 0, 0);
	assert_int_equal(mx_dkim_parse(r, &k), -1);
	assert_non_null(strstr(k.error, "512 bits"));
	free(r);
}

static void test_damaged(void **state)
{
	struct mx_dkim_key k;
	char *r;

	/* Cut at a quantum boundary: valid base64, broken DER. */
	r = record(2048, 0, 200);
	assert_int_equal(mx_dkim_parse(r, &k), -1);
	assert_non_null(strstr(k.error, "not a DER public key: truncated"));
	assert_int_equal(k.key_bytes, 150);
	free(r);
	/* Cut anywhere: not even base64. */
	r = record(2048, 0, 201);
	assert_int_equal(mx_dkim_parse(r, &k), -1);
	assert_non_null(strstr(k.error, "not a multiple of 4"));
	free(r);
	r = record(2048, 1, 0);
	assert_int_equal(mx_dkim_parse(r, &k), 0);
	assert_true(k.pkcs1);
	assert_int_equal(k.bits, 2048);
	free(r);
	assert_int_equal(mx_dkim_parse("v=DKIM1; k=rsa; p=", &k), -1);
	assert_true(k.revoked);
	assert_int_equal(mx_dkim_parse("v=DKIM1; p=MIIB*AAA", &k), -1);
	assert_non_null(strstr(k.error, "not valid base64"));
	assert_int_equal(mx_dkim_parse("v=DKIM1; k=rsa", &k), -1);
	assert_non_null(strstr(k.error, "no p= tag"));
	assert_int_equal(mx_dkim_parse("k=rsa; v=DKIM1; p=AAAA", &k), -1);
	assert_non_null(strstr(k.error, "v= must be first"));
	assert_int_equal(mx_dkim_parse("v=DKIM1; k=dsa; p=AAAA", &k), -1);
	assert_non_null(strstr(k.error, "unknown key type"));
	assert_int_equal(mx_dkim_parse("v=DKIM1; h=sha1; p=AAAA", &k), -1);
	assert_non_null(strstr(k.error, "RFC 8301"));
}

static void test_flags_and_ed25519(void **state)
{
	struct mx_dkim_key k;
	char *r = record(2048, 0, 0), *t;

	/* Folded base64 (FWS inside p=) and t=y. */
	assert_true(asprintf(&t, "v=DKIM1; t=y; h=sha256; s=email; k=rsa; p=%.100s \t %s", r + 18,
			     r + 118) > 0);
	assert_int_equal(mx_dkim_parse(t, &k), 0);
	assert_true(k.testing);
	free(t);
	free(r);
	/* RFC 8463: a raw 32-byte key. */
	assert_int_equal(mx_dkim_parse("v=DKIM1; k=ed25519; "
				       "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
				       &k),
			 0);
	assert_string_equal(k.type, "ed25519");
	assert_int_equal(mx_dkim_parse("v=DKIM1; k=ed25519; p=AAAA", &k), -1);
	assert_non_null(strstr(k.error, "must be 32"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rsa_sizes),
	    cmocka_unit_test(test_damaged),
	    cmocka_unit_test(test_flags_and_ed25519),
	};

	return cmocka_run_group_tests_name("dkim", tests, NULL, NULL);
}
