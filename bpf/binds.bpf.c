// SPDX-License-Identifier: GPL-2.0
/* `mxprobe binds`: every bind() and listen() on a TCP or UDP socket, in every
 * network namespace, with the address that was asked for (also when the call
 * fails: bindsnoop reads the socket after a failed inet_bind and shows
 * 0.0.0.0:0) and the result.
 *
 * Three mechanisms fill the same struct mx_bind_event through the same
 * inline handlers; user/binds.c loads only the programs of the mechanism
 * that user/binds_mech.c chose by feature probe:
 *   fexit    inet_bind, inet6_bind, inet_listen (arguments and result at once)
 *   kprobe   the same functions, entry stored per thread until the return
 *   tracepoint  syscalls:sys_exit_{bind,listen} with the arguments from the
 *            saved registers and listen's socket from tp_btf
 *            inet_sock_set_state (5.15+: task storage, bpf_task_pt_regs);
 *            else syscalls:sys_{enter,exit}_{bind,listen} (socket found from
 *            the fd), plus sock:inet_sock_set_state (classic or tp_btf) for
 *            sockets that start listening without a listen() syscall.
 * Filters are read-only data set before load, so the verifier drops what is
 * off and a bind on an unwatched port costs one user-memory read. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "binds_event.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_UNSPEC 0
#define AF_INET 2
#define AF_INET6 10
#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define MX_BIND_MAX_PIDS 16

/* Filters (set by user/binds.c between open and load). */
const volatile __u64 watch_ports[65536 / 64]; /* bitmap of watched ports */
const volatile bool all_ports = false;
const volatile __u32 filter_pids[MX_BIND_MAX_PIDS];
const volatile __u32 nr_pids = 0;
const volatile bool only_failed = false;
const volatile __u32 filter_netns = 0; /* -N NAME: that namespace only */
/* Output: ring buffer (5.8+) or perf buffer; the unused map is shrunk to a
 * dummy by userspace and its code is dead after this constant. */
const volatile bool use_ringbuf = true;
/* Wake the reader only for failures or when this much is queued; it also
 * polls on a short timer, so a burst costs no wakeup per event. */
const volatile __u32 wakeup_bytes = 256 * 1024;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events_perf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MX_BIND_LOST_MAX);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* A call between entry and return (kprobe, syscall tracepoints). */
struct inflight {
	struct mx_bind_event ev;
	struct sock *sk;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64); /* pid_tgid: one call per thread at a time */
	__type(value, struct inflight);
} inflight SEC(".maps");

static __always_inline void count_lost(__u32 why)
{
	__u64 *n = bpf_map_lookup_elem(&lost, &why);

	if (n)
		*n += 1;
}

static __always_inline bool pid_wanted(__u32 pid)
{
	int i;

	if (!nr_pids)
		return true;
#pragma unroll
	for (i = 0; i < MX_BIND_MAX_PIDS; i++) {
		if (i >= nr_pids)
			break;
		if (filter_pids[i] == pid)
			return true;
	}
	return false;
}

static __always_inline bool port_wanted(__u16 port)
{
	return all_ports || (watch_ports[port >> 6] & (1ULL << (port & 63)));
}

static __always_inline int submit(void *ctx, struct mx_bind_event *ev)
{
	long err;

	if (only_failed && ev->ret >= 0) /* known failures: not "unknown" */
		return 0;
	if (use_ringbuf) {
		__u64 flags = BPF_RB_NO_WAKEUP;

		if (ev->ret || bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
			flags = BPF_RB_FORCE_WAKEUP;
		err = bpf_ringbuf_output(&events, ev, sizeof(*ev), flags);
	} else {
		err = bpf_perf_event_output(ctx, &events_perf, BPF_F_CURRENT_CPU, ev, sizeof(*ev));
	}
	if (err)
		count_lost(MX_BIND_LOST_RING);
	return 0;
}

static __always_inline void fill_task(struct mx_bind_event *ev, __u64 id)
{
	ev->pid = id >> 32;
	ev->tid = (__u32)id;
	ev->uid = (__u32)bpf_get_current_uid_gid();
	ev->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(ev->comm, sizeof(ev->comm));
}

/* The requested address, from the caller's memory (syscall tracepoints) or
 * from the kernel's copy (fexit, kprobe). False when it is no inet address. */
static __always_inline bool read_sockaddr(struct mx_bind_event *ev, const void *sa, bool user)
{
	struct sockaddr_in6 s6 = {};
	long err;

	/* sockaddr_in first: a 16-byte sockaddr may end at a page boundary. */
	if (user)
		err = bpf_probe_read_user(&s6, sizeof(struct sockaddr_in), sa);
	else
		err = bpf_probe_read_kernel(&s6, sizeof(struct sockaddr_in), sa);
	if (err)
		return false;
	ev->sa_family = s6.sin6_family;
	ev->port = bpf_ntohs(s6.sin6_port);
	if (s6.sin6_family == AF_INET || s6.sin6_family == AF_UNSPEC) {
		__builtin_memcpy(ev->addr, &((struct sockaddr_in *)&s6)->sin_addr, 4);
		return true;
	}
	if (s6.sin6_family != AF_INET6)
		return false;
	if (user)
		err = bpf_probe_read_user(&s6, sizeof(s6), sa);
	else
		err = bpf_probe_read_kernel(&s6, sizeof(s6), sa);
	if (err)
		return false;
	__builtin_memcpy(ev->addr, &s6.sin6_addr, 16);
	return true;
}

/* Socket facts; false for sockets we do not report (not TCP/UDP over IPv4 or
 * IPv6, or another namespace than -N asked for). */
static __always_inline bool fill_sock(struct mx_bind_event *ev, struct sock *sk)
{
	__u16 family, proto;
	__u32 netns;

	if (!sk)
		return false;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return false;
	/* sk_protocol and sk_type were bitfields before 5.6: the probed read
	 * handles both layouts. */
	proto = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_UDPLITE)
		return false;
	netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	if (filter_netns && netns != filter_netns)
		return false;
	ev->family = family;
	ev->proto = proto;
	ev->netns = netns;
	ev->type = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_type);
	ev->ifindex = BPF_CORE_READ(sk, __sk_common.skc_bound_dev_if);
	ev->flags &= MX_BIND_F_NOSYSCALL;
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, __sk_common.skc_reuse))
		ev->flags |= MX_BIND_F_REUSEADDR;
	if (BPF_CORE_READ_BITFIELD_PROBED(sk, __sk_common.skc_reuseport))
		ev->flags |= MX_BIND_F_REUSEPORT;
	if (family == AF_INET6 && BPF_CORE_READ_BITFIELD_PROBED(sk, __sk_common.skc_ipv6only))
		ev->flags |= MX_BIND_F_V6ONLY;
	return true;
}

/* The socket's own address: what listen() works on. */
static __always_inline void read_local(struct mx_bind_event *ev, struct sock *sk)
{
	ev->sa_family = ev->family;
	ev->port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (ev->family == AF_INET6)
		BPF_CORE_READ_INTO(&ev->addr, sk, __sk_common.skc_v6_rcv_saddr);
	else
		BPF_CORE_READ_INTO(&ev->addr, sk, __sk_common.skc_rcv_saddr);
}

/* ---- the shared handlers ------------------------------------------------ */

/* bind(), first step: the requested address, or false when its port is
 * not watched (checked before anything costlier). */
static __always_inline bool bind_addr(struct mx_bind_event *ev, const void *sa, bool user)
{
	return read_sockaddr(ev, sa, user) && port_wanted(ev->port);
}

/* bind(), second step: the socket; false when it is not reported. */
static __always_inline bool bind_begin(struct mx_bind_event *ev, struct sock *sk, __u64 id)
{
	if (!fill_sock(ev, sk))
		return false;
	if (ev->sa_family == AF_INET6 && ev->family != AF_INET6)
		return false;
	ev->kind = MX_BIND_EV_BIND;
	fill_task(ev, id);
	return true;
}

static __always_inline int bind_end(void *ctx, struct mx_bind_event *ev, struct sock *sk, int ret)
{
	ev->ret = ret;
	ev->bound_port = ret ? 0 : BPF_CORE_READ(sk, __sk_common.skc_num);
	ev->ts_ns = bpf_ktime_get_ns();
	return submit(ctx, ev);
}

static __always_inline bool listen_begin(struct mx_bind_event *ev, struct sock *sk, __u32 backlog,
					 __u64 id)
{
	__u16 port;

	if (!sk)
		return false;
	/* A bound socket's port is known already: an unwatched one stops
	 * here. Only an unbound socket (listen() picks a port) waits for the
	 * end to be filtered. */
	port = BPF_CORE_READ(sk, __sk_common.skc_num);
	if (port && !port_wanted(port))
		return false;
	if (!fill_sock(ev, sk) || ev->proto != IPPROTO_TCP)
		return false;
	ev->kind = MX_BIND_EV_LISTEN;
	ev->backlog = backlog;
	fill_task(ev, id);
	return true;
}

/* The port is known only now: listen() on an unbound socket picks one. */
static __always_inline int listen_end(void *ctx, struct mx_bind_event *ev, struct sock *sk, int ret)
{
	read_local(ev, sk);
	if (!port_wanted(ev->port))
		return 0;
	ev->ret = ret;
	ev->bound_port = ret ? 0 : ev->port;
	ev->ts_ns = bpf_ktime_get_ns();
	return submit(ctx, ev);
}

static __always_inline void inflight_put(struct inflight *in, __u64 id)
{
	if (bpf_map_update_elem(&inflight, &id, in, BPF_ANY))
		count_lost(MX_BIND_LOST_INFLIGHT);
}

static __always_inline int inflight_end(void *ctx, __u16 kind, int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct inflight *in = bpf_map_lookup_elem(&inflight, &id);

	if (!in)
		return 0;
	if (in->ev.kind == kind) {
		if (kind == MX_BIND_EV_BIND)
			bind_end(ctx, &in->ev, in->sk, ret);
		else
			listen_end(ctx, &in->ev, in->sk, ret);
	}
	bpf_map_delete_elem(&inflight, &id);
	return 0;
}

/* ---- fexit: arguments and result in one program ------------------------- */

static __always_inline int fexit_bind(void *ctx, struct socket *sock, struct sockaddr *uaddr,
				      int ret)
{
	struct mx_bind_event ev = {};
	__u64 id = bpf_get_current_pid_tgid();
	struct sock *sk;

	if (!pid_wanted(id >> 32))
		return 0;
	if (!bind_addr(&ev, uaddr, false))
		return 0;
	sk = BPF_CORE_READ(sock, sk);
	if (!bind_begin(&ev, sk, id))
		return 0;
	return bind_end(ctx, &ev, sk, ret);
}

SEC("fexit/inet_bind")
int BPF_PROG(fx_inet_bind, struct socket *sock, struct sockaddr *uaddr, int addr_len, int ret)
{
	return fexit_bind(ctx, sock, uaddr, ret);
}

SEC("fexit/inet6_bind")
int BPF_PROG(fx_inet6_bind, struct socket *sock, struct sockaddr *uaddr, int addr_len, int ret)
{
	return fexit_bind(ctx, sock, uaddr, ret);
}

SEC("fexit/inet_listen")
int BPF_PROG(fx_inet_listen, struct socket *sock, int backlog, int ret)
{
	struct mx_bind_event ev = {};
	__u64 id = bpf_get_current_pid_tgid();
	struct sock *sk;

	if (!pid_wanted(id >> 32))
		return 0;
	sk = BPF_CORE_READ(sock, sk);
	if (!listen_begin(&ev, sk, backlog, id))
		return 0;
	return listen_end(ctx, &ev, sk, ret);
}

/* ---- kprobe: entry kept per thread until the return --------------------- */

static __always_inline int kprobe_bind(struct socket *sock, struct sockaddr *uaddr)
{
	struct inflight in = {};
	__u64 id = bpf_get_current_pid_tgid();

	if (!pid_wanted(id >> 32))
		return 0;
	if (!bind_addr(&in.ev, uaddr, false))
		return 0;
	in.sk = BPF_CORE_READ(sock, sk);
	if (bind_begin(&in.ev, in.sk, id))
		inflight_put(&in, id);
	return 0;
}

SEC("kprobe/inet_bind")
int BPF_KPROBE(kp_inet_bind, struct socket *sock, struct sockaddr *uaddr)
{
	return kprobe_bind(sock, uaddr);
}

SEC("kprobe/inet6_bind")
int BPF_KPROBE(kp_inet6_bind, struct socket *sock, struct sockaddr *uaddr)
{
	return kprobe_bind(sock, uaddr);
}

SEC("kretprobe/inet_bind")
int BPF_KRETPROBE(kr_inet_bind, int ret)
{
	return inflight_end(ctx, MX_BIND_EV_BIND, ret);
}

SEC("kretprobe/inet6_bind")
int BPF_KRETPROBE(kr_inet6_bind, int ret)
{
	return inflight_end(ctx, MX_BIND_EV_BIND, ret);
}

SEC("kprobe/inet_listen")
int BPF_KPROBE(kp_inet_listen, struct socket *sock, int backlog)
{
	struct inflight in = {};
	__u64 id = bpf_get_current_pid_tgid();

	if (!pid_wanted(id >> 32))
		return 0;
	in.sk = BPF_CORE_READ(sock, sk);
	if (listen_begin(&in.ev, in.sk, backlog, id))
		inflight_put(&in, id);
	return 0;
}

SEC("kretprobe/inet_listen")
int BPF_KRETPROBE(kr_inet_listen, int ret)
{
	return inflight_end(ctx, MX_BIND_EV_LISTEN, ret);
}

/* ---- syscall tracepoints: the socket comes from the fd ------------------ */

static __always_inline struct sock *sock_of_fd(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *file = NULL;
	struct socket *sock;
	umode_t mode;

	if (!fdt || fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return NULL;
	mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	return BPF_CORE_READ(sock, sk);
}

/* listen()'s backlog as __sys_listen() passes it on to inet_listen (what
 * fexit and kprobes see): capped at the namespace's net.core.somaxconn. */
static __always_inline __u32 listen_backlog(struct sock *sk, __u32 backlog)
{
	__u32 somaxconn = BPF_CORE_READ(sk, __sk_common.skc_net.net, core.sysctl_somaxconn);

	return backlog > somaxconn ? somaxconn : backlog;
}

SEC("tracepoint/syscalls/sys_enter_bind")
int tp_enter_bind(struct trace_event_raw_sys_enter *ctx)
{
	struct inflight in = {};
	__u64 id = bpf_get_current_pid_tgid();

	if (!pid_wanted(id >> 32))
		return 0;
	/* Port filter before the fd walk: unwatched binds stop here. */
	if (!bind_addr(&in.ev, (const void *)ctx->args[1], true))
		return 0;
	in.sk = sock_of_fd(ctx->args[0]);
	if (bind_begin(&in.ev, in.sk, id))
		inflight_put(&in, id);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_bind")
int tp_exit_bind(struct trace_event_raw_sys_exit *ctx)
{
	return inflight_end(ctx, MX_BIND_EV_BIND, ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_listen")
int tp_enter_listen(struct trace_event_raw_sys_enter *ctx)
{
	struct inflight in = {};
	__u64 id = bpf_get_current_pid_tgid();

	if (!pid_wanted(id >> 32))
		return 0;
	in.sk = sock_of_fd(ctx->args[0]);
	if (listen_begin(&in.ev, in.sk, listen_backlog(in.sk, ctx->args[1]), id))
		inflight_put(&in, id);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_listen")
int tp_exit_listen(struct trace_event_raw_sys_exit *ctx)
{
	return inflight_end(ctx, MX_BIND_EV_LISTEN, ctx->ret);
}

/* A socket entering TCP_LISTEN outside a listen() syscall (io_uring, kernel
 * sockets): this is the only trace, and the result is unknown here. */
static __always_inline int listen_nosyscall(void *ctx, struct sock *sk, __u64 id)
{
	struct mx_bind_event ev = {};

	if (!pid_wanted(id >> 32))
		return 0;
	ev.flags = MX_BIND_F_NOSYSCALL;
	if (!listen_begin(&ev, sk, 0, id))
		return 0;
	read_local(&ev, sk);
	if (!port_wanted(ev.port))
		return 0;
	ev.ret = MX_BIND_RET_UNKNOWN;
	ev.ts_ns = bpf_ktime_get_ns();
	return submit(ctx, &ev);
}

/* Inside listen() the syscall programs report it (with the result). */
static __always_inline int listen_state(void *ctx, struct sock *sk)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct inflight *in;

	in = bpf_map_lookup_elem(&inflight, &id);
	if (in && in->ev.kind == MX_BIND_EV_LISTEN)
		return 0;
	return listen_nosyscall(ctx, sk, id);
}

SEC("tracepoint/sock/inet_sock_set_state")
int tp_sock_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	if (ctx->newstate != TCP_LISTEN || ctx->protocol != IPPROTO_TCP)
		return 0;
	return listen_state(ctx, (struct sock *)ctx->skaddr);
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(btf_sock_state, struct sock *sk, int oldstate, int newstate)
{
	if (newstate != TCP_LISTEN)
		return 0;
	return listen_state(ctx, sk);
}

/* ---- syscall exits only (no sys_enter_*), listen's socket from its state --
 * bind() and listen() are seen at their exits, with fd and arguments from
 * the syscall's saved registers (bpf_task_pt_regs).
 * The state tracepoint runs inside listen() with the socket in hand (in
 * inet_csk_listen_start, before the port is validated; a failure moves it
 * back to TCP_CLOSE), so it keeps the event in the thread's task storage
 * and sys_exit_listen adds the result: no fd walk for it. A listen() that
 * changes no state (the socket already listens and only its backlog
 * changes, or it fails before: EINVAL on a connected socket) leaves no
 * mark: sys_exit_listen then finds the socket through the fd. Two syscall
 * tracepoints instead of four, no hash table, and the fd walk only for
 * watched binds and that rare listen path; the event is the same.
 * The exits are attached first (their section comes first in this object):
 * a listen() caught between the two attaches leaves no mark behind, never a
 * stale one that a later listen() of the same thread would take. */

#if defined(__TARGET_ARCH_x86)
#define MX_NR_LISTEN 50
#define MX_SYSCALL_NR(regs) BPF_CORE_READ(regs, orig_ax)
#elif defined(__TARGET_ARCH_arm64)
#define MX_NR_LISTEN 201
#define MX_SYSCALL_NR(regs) BPF_CORE_READ(regs, syscallno)
#endif
/* Read by user/binds_mech.c: without a syscall number for this architecture
 * the mechanism is not offered. */
#ifdef MX_NR_LISTEN
const volatile bool listen_state_arch = true;
#else
const volatile bool listen_state_arch = false;
#define MX_NR_LISTEN -1
#define MX_SYSCALL_NR(regs) (-2)
#endif

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct inflight); /* sk != NULL: this listen() changed state */
} listen_mark SEC(".maps");

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(btf_listen_state, struct sock *sk, int oldstate, int newstate)
{
	struct task_struct *task;
	__u64 id = bpf_get_current_pid_tgid();
	struct inflight *in;

	if (newstate != TCP_LISTEN)
		return 0;
	task = bpf_get_current_task_btf();
	if (MX_SYSCALL_NR((struct pt_regs *)bpf_task_pt_regs(task)) != MX_NR_LISTEN)
		return listen_nosyscall(ctx, sk, id);
	in = bpf_task_storage_get(&listen_mark, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!in) {
		count_lost(MX_BIND_LOST_INFLIGHT);
		return 0;
	}
	/* Marked also when filtered out (kind 0): sys_exit_listen must not
	 * look further. */
	in->sk = sk;
	__builtin_memset(&in->ev, 0, sizeof(in->ev));
	if (!pid_wanted(id >> 32))
		return 0;
	/* __inet_listen_sk() stored the backlog (capped at somaxconn, what
	 * fexit sees as inet_listen's argument) before the state change. */
	listen_begin(&in->ev, sk, BPF_CORE_READ(sk, sk_max_ack_backlog), id);
	return 0;
}

/* bind() at its exit only: the requested address is still in the caller's
 * memory (the kernel copied it from there: the page is present), fd and
 * address pointer are in the syscall's saved registers. No sys_enter_bind
 * and no table between entry and exit; the socket's options are read after
 * the call, as fexit reads them. */
SEC("tracepoint/syscalls/sys_exit_bind")
int tp_exit_bind_regs(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 id = bpf_get_current_pid_tgid();
	struct mx_bind_event ev = {};
	struct pt_regs *regs;
	struct sock *sk;

	if (!pid_wanted(id >> 32))
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	/* Port filter before the fd walk: unwatched binds stop here. */
	if (!bind_addr(&ev, (const void *)PT_REGS_PARM2_CORE_SYSCALL(regs), true))
		return 0;
	sk = sock_of_fd(PT_REGS_PARM1_CORE_SYSCALL(regs));
	if (!bind_begin(&ev, sk, id))
		return 0;
	return bind_end(ctx, &ev, sk, ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_listen")
int tp_exit_listen_mark(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 id = bpf_get_current_pid_tgid();
	struct mx_bind_event ev = {};
	struct pt_regs *regs;
	struct inflight *in;
	struct sock *sk;

	in = bpf_task_storage_get(&listen_mark, task, 0, 0);
	if (in && in->sk) {
		sk = in->sk;
		in->sk = NULL;
		if (in->ev.kind == MX_BIND_EV_LISTEN)
			listen_end(ctx, &in->ev, sk, ctx->ret);
		return 0;
	}
	if (!pid_wanted(id >> 32))
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	sk = sock_of_fd(PT_REGS_PARM1_CORE_SYSCALL(regs));
	if (!listen_begin(&ev, sk, listen_backlog(sk, PT_REGS_PARM2_CORE_SYSCALL(regs)), id))
		return 0;
	return listen_end(ctx, &ev, sk, ctx->ret);
}
