// SPDX-License-Identifier: GPL-2.0
/* node_exporter textfile format: no timestamps, base units, _info metrics
 * carry metadata with value 1. */
#include <stdio.h>
#include <string.h>

#include "report.h"

static void label(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void value_lines(FILE *f, const char *check, const char *prefix, json_object *obj)
{
	json_object_object_foreach(obj, key, val)
	{
		char path[256];
		double v;

		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
		switch (json_object_get_type(val)) {
		case json_type_int:
		case json_type_double:
			v = json_object_get_double(val);
			break;
		case json_type_boolean:
			v = json_object_get_boolean(val) ? 1 : 0;
			break;
		case json_type_object:
			value_lines(f, check, path, val);
			continue;
		default:
			continue;
		}
		fputs("mxprobe_check_value{check=", f);
		label(f, check);
		fputs(",key=", f);
		label(f, path);
		fprintf(f, "} %.17g\n", v);
	}
}

void mx_render_prom(FILE *f, const struct mx_host *h, const struct mx_report *rep)
{
	size_t i;

	fputs("# HELP mxprobe_info Version of mxprobe and the host it checked.\n"
	      "# TYPE mxprobe_info gauge\n",
	      f);
	fputs("mxprobe_info{version=", f);
	label(f, MX_VERSION);
	fputs(",hostname=", f);
	label(f, h->hostname);
	fputs(",kernel=", f);
	label(f, h->kernel);
	fputs(",os=", f);
	label(f, h->os);
	fputs("} 1\n", f);

	fputs("# HELP mxprobe_check_status Result of a check: 0 pass, 1 warn, 2 fail, 3 skip, 4 "
	      "error.\n"
	      "# TYPE mxprobe_check_status gauge\n",
	      f);
	for (i = 0; i < rep->n; i++) {
		fputs("mxprobe_check_status{check=", f);
		label(f, rep->results[i].check->id);
		fputs(",group=", f);
		label(f, rep->results[i].group->name);
		fprintf(f, "} %d\n", (int)rep->results[i].status);
	}
	fputs("# HELP mxprobe_check_duration_seconds Time a check took.\n"
	      "# TYPE mxprobe_check_duration_seconds gauge\n",
	      f);
	for (i = 0; i < rep->n; i++) {
		fputs("mxprobe_check_duration_seconds{check=", f);
		label(f, rep->results[i].check->id);
		fprintf(f, "} %.6f\n", rep->results[i].elapsed_ms / 1000.0);
	}
	fputs("# HELP mxprobe_checks Number of checks by result.\n"
	      "# TYPE mxprobe_checks gauge\n",
	      f);
	for (i = 0; i < MX_STATUS_COUNT; i++) {
		fputs("mxprobe_checks{status=", f);
		label(f, mx_status_name(i));
		fprintf(f, "} %u\n", rep->counts[i]);
	}
	fputs("# HELP mxprobe_check_value Numeric facts of each check (its JSON data fields).\n"
	      "# TYPE mxprobe_check_value gauge\n",
	      f);
	for (i = 0; i < rep->n; i++)
		if (rep->results[i].data)
			value_lines(f, rep->results[i].check->id, "", rep->results[i].data);
}
