// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the DMARC parser and the tag=value list under it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns_dmarc.h"
#include "dns_tagval.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *txt = malloc(size + 1);
	struct mx_taglist tl;
	struct mx_dmarc d;

	if (!txt)
		return 0;
	memcpy(txt, data, size);
	txt[size] = 0;
	(void)mx_dmarc_is_record(txt);
	mx_dmarc_parse(txt, &d);
	mx_taglist_parse(txt, &tl);
	mx_taglist_free(&tl);
	free(txt);
	return 0;
}
