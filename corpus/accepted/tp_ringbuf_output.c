// EXPECT: accepted
// Process fork stream with bpf_ringbuf_output (copy from the stack, no reservation):
// parent and child pid and the parent's comm, with an adaptive wake-up.
#include "corpus_common.h"

struct fork_args {
	struct trace_entry ent;
	char parent_comm[16];
	int parent_pid;
	char child_comm[16];
	int child_pid;
};

struct fork_event {
	__u32 parent;
	__u32 child;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} forks SEC(".maps");

SEC("tracepoint/sched/sched_process_fork")
int tp_ringbuf_output(struct fork_args *ctx)
{
	struct fork_event e = {};
	__u64 pending = bpf_ringbuf_query(&forks, BPF_RB_AVAIL_DATA);

	e.parent = ctx->parent_pid;
	e.child = ctx->child_pid;
	bpf_probe_read_kernel_str(e.comm, sizeof(e.comm), ctx->parent_comm);
	bpf_ringbuf_output(&forks, &e, sizeof(e), pending > 4096 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
