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
	int r;

	/* A closed pipe (mxprobe ... | head) must end us quietly, not kill us
	 * half-way through writing a report file. */
	signal(SIGPIPE, SIG_IGN);
	mx_log_hook_libbpf();

	/* Global options before the command; the command parses the rest
	 * (its own options and global ones after it). */
	r = mx_parse_args(&o, argc, argv, NULL, NULL);
	if (r)
		return r > 0 ? MX_EXIT_OK : MX_EXIT_UNKNOWN;
	if (o.argc == 0) {
		cmd = find_cmd("check");
		if (mx_setup_config(&o, &cfg))
			return MX_EXIT_UNKNOWN;
		return mx_run_oneshot(&o, &cfg, cmd->groups);
	}
	cmd = find_cmd(o.argv[0]);
	if (!cmd) {
		mx_err("unknown command '%s' (see mxprobe --help)", o.argv[0]);
		return MX_EXIT_UNKNOWN;
	}
	argc = o.argc;
	argv = o.argv;
	if (cmd->run)
		return cmd->run(&o, &cfg, argc, argv);
	r = mx_parse_args(&o, argc, argv, cmd->name, NULL);
	if (r)
		return r > 0 ? MX_EXIT_OK : MX_EXIT_UNKNOWN;
	if (o.argc) {
		mx_err("%s: unexpected argument '%s'", cmd->name, o.argv[0]);
		return MX_EXIT_UNKNOWN;
	}
	if (mx_setup_config(&o, &cfg))
		return MX_EXIT_UNKNOWN;
	return mx_run_oneshot(&o, &cfg, cmd->groups);
}
