// EXPECT: rejected
// CODE: INVALID_MAP_OP
// INSN: 9
// KERNEL: cannot pass map_type 1 into func bpf_perf_event_output#25
// bpf_perf_event_output is given a hash map instead of a PERF_EVENT_ARRAY (the two map
// definitions were swapped when the program was refactored).
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, __u32);
} events SEC(".maps");

SEC("tracepoint/raw_syscalls/sys_enter")
int tp_perf_output_wrong_map(struct trace_event_raw_sys_enter *ctx)
{
	long id = ctx->id;

	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &id, sizeof(id));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
