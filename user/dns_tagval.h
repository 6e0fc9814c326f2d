/* SPDX-License-Identifier: GPL-2.0 */
/* The tag=value list of DKIM keys (RFC 6376 3.2), shared by DMARC (RFC 7489
 * 6.4), MTA-STS (RFC 8461 3.1) and TLSRPT (RFC 8460 3). Pure functions. */
#ifndef MX_DNS_TAGVAL_H
#define MX_DNS_TAGVAL_H

#include <stddef.h>

#define MX_TV_MAX 32

struct mx_tag {
	char name[32];
	char *value; /* trimmed of surrounding whitespace; inner FWS kept */
};

struct mx_taglist {
	struct mx_tag tags[MX_TV_MAX];
	int n;
	char error[160]; /* "" when the list is well-formed */
};

/* Parses text into tl (the caller frees with mx_taglist_free). Returns 0, or
 * -1 with tl->error set: missing '=', bad tag name, a character not allowed
 * in a value, a duplicate tag, too many tags. Tags parsed before the error
 * stay in tl. */
int mx_taglist_parse(const char *text, struct mx_taglist *tl);
void mx_taglist_free(struct mx_taglist *tl);
/* The value of tag name (tag names compare case-sensitively, as RFC 6376
 * says), or NULL. */
const char *mx_taglist_get(const struct mx_taglist *tl, const char *name);
/* Copies value without any whitespace (base64 in DKIM p= may be folded). */
void mx_strip_ws(const char *value, char *out, size_t outlen);

#endif
