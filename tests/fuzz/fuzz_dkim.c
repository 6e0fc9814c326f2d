// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: DKIM key records down to the DER decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns_dkim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *txt = malloc(size + 1);
	struct mx_dkim_key k;

	if (!txt)
		return 0;
	memcpy(txt, data, size);
	txt[size] = 0;
	mx_dkim_parse(txt, &k);
	free(txt);
	return 0;
}
