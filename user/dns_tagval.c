// SPDX-License-Identifier: GPL-2.0
/* tag-list = tag-spec *( ";" tag-spec ) [ ";" ]
 * tag-spec = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 * tag-name = ALPHA *ALNUMPUNC; tag-value = [ tval *( 1*(WSP / FWS) tval ) ]
 * tval = 1*VALCHAR; VALCHAR = %x21-3A / %x3C-7E (RFC 6376 3.2). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_tagval.h"

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int mx_taglist_parse(const char *text, struct mx_taglist *tl)
{
	const char *p = text;
	int i;

	memset(tl, 0, sizeof(*tl));
	while (*p) {
		const char *name, *v, *vend;
		size_t nlen;

		while (is_ws(*p))
			p++;
		if (!*p)
			break;
		if (*p == ';') {
			/* An empty tag-spec ("a=1;;b=2") is not in the grammar. */
			snprintf(tl->error, sizeof(tl->error), "empty tag at offset %zu",
				 (size_t)(p - text));
			return -1;
		}
		name = p;
		if (!isalpha((unsigned char)*p)) {
			snprintf(tl->error, sizeof(tl->error),
				 "tag name must start with a letter at offset %zu ('%c')",
				 (size_t)(p - text), *p);
			return -1;
		}
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
		nlen = p - name;
		while (is_ws(*p))
			p++;
		if (*p != '=') {
			snprintf(tl->error, sizeof(tl->error), "tag '%.*s' has no '=' (offset %zu)",
				 (int)(nlen > 20 ? 20 : nlen), name, (size_t)(p - text));
			return -1;
		}
		if (nlen >= sizeof(tl->tags[0].name)) {
			snprintf(tl->error, sizeof(tl->error), "tag name '%.20s...' too long",
				 name);
			return -1;
		}
		p++;
		while (is_ws(*p))
			p++;
		v = p;
		while (*p && *p != ';') {
			if (!is_ws(*p) && (*p < 0x21 || *p > 0x7e)) {
				snprintf(tl->error, sizeof(tl->error),
					 "tag '%.*s': character 0x%02x not allowed in a value",
					 (int)nlen, name, (unsigned char)*p);
				return -1;
			}
			p++;
		}
		vend = p;
		while (vend > v && is_ws(vend[-1]))
			vend--;
		for (i = 0; i < tl->n; i++)
			if (strlen(tl->tags[i].name) == nlen &&
			    !strncmp(tl->tags[i].name, name, nlen)) {
				snprintf(tl->error, sizeof(tl->error), "tag '%.*s' appears twice",
					 (int)nlen, name);
				return -1;
			}
		if (tl->n >= MX_TV_MAX) {
			snprintf(tl->error, sizeof(tl->error), "more than %d tags", MX_TV_MAX);
			return -1;
		}
		memcpy(tl->tags[tl->n].name, name, nlen);
		tl->tags[tl->n].name[nlen] = 0;
		tl->tags[tl->n].value = strndup(v, vend - v);
		if (!tl->tags[tl->n].value) {
			snprintf(tl->error, sizeof(tl->error), "out of memory");
			return -1;
		}
		tl->n++;
		if (*p == ';')
			p++;
	}
	return 0;
}

void mx_taglist_free(struct mx_taglist *tl)
{
	int i;

	for (i = 0; i < tl->n; i++)
		free(tl->tags[i].value);
	tl->n = 0;
}

const char *mx_taglist_get(const struct mx_taglist *tl, const char *name)
{
	int i;

	for (i = 0; i < tl->n; i++)
		if (!strcmp(tl->tags[i].name, name))
			return tl->tags[i].value;
	return NULL;
}

void mx_strip_ws(const char *value, char *out, size_t outlen)
{
	size_t o = 0;

	if (!outlen)
		return;
	for (; *value && o + 1 < outlen; value++)
		if (!is_ws(*value))
			out[o++] = *value;
	out[o] = 0;
}
