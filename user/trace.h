/* SPDX-License-Identifier: GPL-2.0 */
/* `mxprobe trace`: the state shared by the command (trace.c), the packet
 * renderer (trace_render.c) and the self-test connection (trace_selftest.c). */
#ifndef MX_TRACE_H
#define MX_TRACE_H

#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

#include "trace_bpf.h"
#include "trace_event.h"
#include "trace_nft.h"
#include "trace_rules.h"

struct mx_opts;
struct mx_config;

#define MX_TRACE_MAX_DEC 64
#define MX_TRACE_NFLOWS 4096

/* Repeated packets of one flow along the same path are counted, not
 * printed again (unless --every-packet). */
struct mx_trace_flow {
	uint64_t key, sig, sig_rules;
	uint64_t first_id;
	uint64_t repeats;
	char label[256];
};

struct mx_trace_run {
	const struct mx_opts *o;
	uint16_t port;
	int json, every, color;
	FILE *out;
	enum mx_trace_hooks hooks;
	struct mx_trace_bpf *bpf;
	struct mx_nftrace *nft; /* NULL: no nftables trace */
	struct mx_rules *rules;
	int nft_dry; /* the trace socket was found empty during this batch */
	int kfree;   /* drop reasons attached */
	int legacy;  /* iptables-legacy tables present: drops attributed by counters */
	/* --write / --filter */
	pcap_t *pcap;
	pcap_dumper_t *dumper;
	struct bpf_program filter;
	int have_filter;
	/* CLOCK_MONOTONIC -> wall clock */
	double mono_to_real;
	/* counters */
	uint64_t packets, printed, filtered, drops;
	struct mx_trace_flow flows[MX_TRACE_NFLOWS];
	/* --selftest: the client's address, and what became of its first packet */
	int st_active;
	uint8_t st_family, st_addr[16];
	int st_seen, st_end;
	char st_summary[1536];
};

/* Renders one packet record (with its nftables decisions). */
void mx_trace_render(struct mx_trace_run *t, const struct mx_trace_event *ev,
		     struct mx_nft_decision *dec, size_t ndec);
/* Prints the pending "N more packets" lines (at exit). */
void mx_trace_flush_repeats(struct mx_trace_run *t);
/* The mechanisms in use, as one line (text) and a JSON array. */
void mx_trace_mechanisms(struct mx_trace_run *t, char *buf, size_t len);

/* --selftest: a throwaway namespace joined by a veth pair connects to
 * dst:port; runs in its own thread. */
struct mx_selftest;
int mx_selftest_start(struct mx_selftest **out, struct mx_trace_run *t, const char *dst,
		      double timeout_s);
/* True once the connection attempt is over (then read the result). */
int mx_selftest_done(struct mx_selftest *s);
/* 0 connected, 1 refused, 2 timed out / unreachable; text in buf. */
int mx_selftest_result(struct mx_selftest *s, char *buf, size_t len);
void mx_selftest_stop(struct mx_selftest *s);
/* Removes veth pairs left by a run that was killed before it could. */
void mx_selftest_sweep(void);

int mx_cmd_trace(struct mx_opts *o, struct mx_config *cfg, int argc, char **argv);

#endif
