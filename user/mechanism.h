/* SPDX-License-Identifier: GPL-2.0 */
/* Which mechanism each live command uses, chosen from the feature probes.
 * The command itself calls the same chooser, so `features` never claims a
 * mechanism the command would not use. */
#ifndef MX_MECHANISM_H
#define MX_MECHANISM_H

#include <stddef.h>

struct mx_mechanism {
	const char *command;
	/* Returns the mechanism's name, or NULL when none works; *why says
	 * what it was chosen over or why nothing works. */
	const char *(*choose)(const char **why);
};

extern const struct mx_mechanism mx_mechanisms[];
extern const size_t mx_nmechanisms;

#endif
