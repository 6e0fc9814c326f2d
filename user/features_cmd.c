// SPDX-License-Identifier: GPL-2.0
/* `mxprobe features`: the probe results and the mechanism each live command
 * picks from them. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "cli.h"
#include "feature_probe.h"
#include "log.h"
#include "mechanism.h"
#include "report.h"

int mx_cmd_features(struct mx_opts *o, struct mx_config *cfg, int argc, char **argv)
{
	struct mx_host host;
	struct mx_out out;
	int r, i, denied = 0;
	size_t m;

	r = mx_parse_args(o, argc, argv, "features", NULL);
	if (r)
		return r > 0 ? MX_EXIT_OK : MX_EXIT_UNKNOWN;
	if (o->argc) {
		mx_err("features: unexpected argument '%s'", o->argv[0]);
		return MX_EXIT_UNKNOWN;
	}
	if (mx_setup_config(o, cfg))
		return MX_EXIT_UNKNOWN;
	if (o->sysroot) {
		mx_err("features: probes the running kernel; --sysroot does not apply");
		return MX_EXIT_UNKNOWN;
	}
	for (i = 0; i < MX_FEAT_COUNT; i++) {
		const struct mx_feature_result *fr = mx_feature_result(i);

		if (!fr->available && strstr(fr->detail, "needs CAP_BPF"))
			denied = 1;
	}
	mx_host_read(&host);
	if (mx_out_open(&out, o->output))
		return MX_EXIT_UNKNOWN;
	if (o->format == MX_FMT_JSON) {
		json_object *root = json_object_new_object(), *arr = json_object_new_array();
		json_object *mech = json_object_new_object();

		json_object_object_add(root, "mxprobe", json_object_new_string(MX_VERSION));
		json_object_object_add(root, "kernel", json_object_new_string(host.kernel));
		for (i = 0; i < MX_FEAT_COUNT; i++) {
			const struct mx_feature_result *fr = mx_feature_result(i);
			json_object *f = json_object_new_object();

			json_object_object_add(f, "name",
					       json_object_new_string(mx_feature_name(i)));
			json_object_object_add(f, "available",
					       json_object_new_boolean(fr->available));
			json_object_object_add(f, "description",
					       json_object_new_string(mx_feature_description(i)));
			json_object_object_add(f, "detail", json_object_new_string(fr->detail));
			json_object_array_add(arr, f);
		}
		json_object_object_add(root, "features", arr);
		for (m = 0; m < mx_nmechanisms; m++) {
			json_object *e = json_object_new_object();
			const char *why = NULL;
			const char *name = mx_mechanisms[m].choose(&why);

			json_object_object_add(e, "mechanism",
					       name ? json_object_new_string(name) : NULL);
			json_object_object_add(e, "why", json_object_new_string(why ? why : ""));
			json_object_object_add(mech, mx_mechanisms[m].command, e);
		}
		json_object_object_add(root, "mechanisms", mech);
		fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							       JSON_C_TO_STRING_NOSLASHESCAPE),
		      out.f);
		fputc('\n', out.f);
		json_object_put(root);
	} else if (o->format == MX_FMT_PROM) {
		fputs("# HELP mxprobe_kernel_feature 1 when the kernel offers the feature.\n"
		      "# TYPE mxprobe_kernel_feature gauge\n",
		      out.f);
		for (i = 0; i < MX_FEAT_COUNT; i++)
			fprintf(out.f, "mxprobe_kernel_feature{feature=\"%s\"} %d\n",
				mx_feature_name(i), mx_feature(i) ? 1 : 0);
	} else {
		fprintf(out.f, "kernel %s: features found by loading and attaching programs\n\n",
			host.kernel);
		for (i = 0; i < MX_FEAT_COUNT; i++) {
			const struct mx_feature_result *fr = mx_feature_result(i);
			const char *c = o->color ? (fr->available ? "\033[32m" : "\033[33m") : "";

			fprintf(out.f, "  %s%-3s%s  %-17s %-45s %s\n", c,
				fr->available ? "yes" : "no", o->color ? "\033[0m" : "",
				mx_feature_name(i), mx_feature_description(i),
				fr->available ? "" : fr->detail);
		}
		fprintf(out.f, "\nmechanisms\n");
		for (m = 0; m < mx_nmechanisms; m++) {
			const char *why = NULL;
			const char *name = mx_mechanisms[m].choose(&why);

			fprintf(out.f, "  %-9s %s%s%s%s\n", mx_mechanisms[m].command,
				name ? name : "unavailable", why && *why ? " (" : "",
				why ? why : "", why && *why ? ")" : "");
		}
	}
	if (mx_out_commit(&out))
		return MX_EXIT_UNKNOWN;
	if (denied) {
		mx_err(
		    "features: BPF probes were refused: run as root (needs CAP_BPF, CAP_PERFMON)");
		return MX_EXIT_UNKNOWN;
	}
	return MX_EXIT_OK;
}
