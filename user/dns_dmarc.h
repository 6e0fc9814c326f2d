/* SPDX-License-Identifier: GPL-2.0 */
/* DMARC policy records (RFC 7489 6.3): a pure parser that keeps every
 * deviation from the grammar, since receivers silently drop or default
 * what they cannot read. */
#ifndef MX_DNS_DMARC_H
#define MX_DNS_DMARC_H

#define MX_DMARC_MAX_URIS 8
#define MX_DMARC_MAX_MSGS 12

struct mx_dmarc_uri {
	char uri[256];
	char domain[256]; /* of a mailto: address, else "" */
	char limit[24];	  /* "!10m" size limit as written, or "" */
};

struct mx_dmarc {
	int valid;   /* v=DMARC1 first: receivers use the record at all */
	char p[16];  /* none quarantine reject, "" when absent or invalid */
	char sp[16]; /* "" = same as p */
	char np[16]; /* DMARCbis, "" when absent */
	char adkim;  /* 'r' (default) or 's' */
	char aspf;
	int pct; /* 0-100, default 100 */
	long ri; /* default 86400 */
	char fo[32];
	struct mx_dmarc_uri rua[MX_DMARC_MAX_URIS], ruf[MX_DMARC_MAX_URIS];
	int nrua, nruf;
	char errors[MX_DMARC_MAX_MSGS][160]; /* invalid: receivers ignore or default */
	int nerrors;
	char warnings[MX_DMARC_MAX_MSGS][160]; /* legal but worth a look */
	int nwarnings;
};

/* Whether a TXT string is meant as a DMARC record ("v=DMARC1" first). */
int mx_dmarc_is_record(const char *txt);
/* Parses txt; returns 0 when the record is usable by receivers (valid and a
 * policy found, possibly with errors in other tags), -1 when it is not. */
int mx_dmarc_parse(const char *txt, struct mx_dmarc *d);

#endif
