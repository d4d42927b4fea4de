// EXPECT: accepted
// Off-CPU time per task: sched/sched_switch records when prev left the CPU and, when
// next comes back, adds the elapsed time to its total (keyed by pid).
#include "corpus_common.h"

struct sched_switch_args {
	struct trace_entry ent;
	char prev_comm[16];
	int prev_pid;
	int prev_prio;
	long prev_state;
	char next_comm[16];
	int next_pid;
	int next_prio;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, __u64);
} switched_out SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, __u64);
} offcpu_ns SEC(".maps");

SEC("tracepoint/sched/sched_switch")
int tp_sched_switch_runq(struct sched_switch_args *ctx)
{
	__u32 prev = ctx->prev_pid, next = ctx->next_pid;
	__u64 now = bpf_ktime_get_ns(), *then, *total, delta;

	if (prev)
		bpf_map_update_elem(&switched_out, &prev, &now, BPF_ANY);
	then = bpf_map_lookup_elem(&switched_out, &next);
	if (!then)
		return 0;
	delta = now - *then;
	bpf_map_delete_elem(&switched_out, &next);
	total = bpf_map_lookup_elem(&offcpu_ns, &next);
	if (total)
		__sync_fetch_and_add(total, delta);
	else
		bpf_map_update_elem(&offcpu_ns, &next, &delta, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
