// EXPECT: accepted
// raw_tracepoint/sched_switch: args are (bool preempt, task_struct *prev, task_struct
// *next); counts involuntary context switches (preempt == true) per CPU.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} switches SEC(".maps");

SEC("raw_tracepoint/sched_switch")
int raw_tp_sched_switch(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 key = ctx->args[0] ? 1 : 0;
	__u64 *n = bpf_map_lookup_elem(&switches, &key);

	if (n)
		*n += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
