// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"

static const struct mx_cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < mx_ncommands; i++)
		if (!strcmp(mx_commands[i].name, name))
			return &mx_commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static struct mx_config cfg; /* large: keep it off the stack */
	struct mx_opts o = {0};
	const struct mx_cmd *cmd;
	int r, first;

	/* A closed pipe (mxprobe ... | head) must end us quietly, not kill us
	 * half-way through writing a report file. */
	signal(SIGPIPE, SIG_IGN);
	mx_log_hook_libbpf();

	/* Global options may come before the command: find the command as the
	 * first argument that is not an option or an option's value. */
	for (first = 1; first < argc; first++) {
		const char *a = argv[first];

		if (a[0] != '-' || !a[1])
			break;
		if (!strcmp(a, "--"))
			break;
		if (strchr(a, '='))
			continue;
		if (!strcmp(a, "-o") || !strcmp(a, "-N") || !strcmp(a, "--output") ||
		    !strcmp(a, "--netns") || !strcmp(a, "--format") || !strcmp(a, "--mailcow-conf") ||
		    !strcmp(a, "--config") || !strcmp(a, "--target") || !strcmp(a, "--sysroot") ||
		    !strcmp(a, "--timeout") || !strcmp(a, "--duration") || !strcmp(a, "--domain") ||
		    !strcmp(a, "--public-ip") || !strcmp(a, "--resolver") ||
		    !strcmp(a, "--dkim-selector"))
			first++;
	}
	if (first >= argc || !strcmp(argv[first], "--")) {
		cmd = find_cmd("check");
		/* Parse everything as global options of "check". */
		r = mx_parse_args(&o, argc, argv, NULL, NULL);
		if (r)
			return r > 0 ? 0 : MX_EXIT_UNKNOWN;
		if (o.argc) {
			mx_err("unexpected argument '%s' (see --help)", o.argv[0]);
			return MX_EXIT_UNKNOWN;
		}
		if (mx_setup_config(&o, &cfg))
			return MX_EXIT_UNKNOWN;
		return mx_run_oneshot(&o, &cfg, cmd->groups);
	}
	cmd = find_cmd(argv[first]);
	if (!cmd) {
		mx_err("unknown command '%s' (see mxprobe --help)", argv[first]);
		return MX_EXIT_UNKNOWN;
	}
	/* Move the command name in front of the options so that the command's
	 * parser sees argv[0] = command and every option after it. */
	{
		char *name = argv[first];

		memmove(&argv[2], &argv[1], (first - 1) * sizeof(*argv));
		argv[1] = name;
	}
	if (cmd->run)
		return cmd->run(&o, &cfg, argc - 1, argv + 1);
	r = mx_parse_args(&o, argc - 1, argv + 1, cmd->name, NULL);
	if (r)
		return r > 0 ? 0 : MX_EXIT_UNKNOWN;
	if (o.argc) {
		mx_err("%s: unexpected argument '%s'", cmd->name, o.argv[0]);
		return MX_EXIT_UNKNOWN;
	}
	if (mx_setup_config(&o, &cfg))
		return MX_EXIT_UNKNOWN;
	return mx_run_oneshot(&o, &cfg, cmd->groups);
}
