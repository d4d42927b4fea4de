// EXPECT: rejected
// CODE: CTX_ACCESS
// INSN: 0
// KERNEL: invalid bpf_context access off=184 size=8
// A perf_event program declares its own context struct with an extra field after
// `addr` (copied from a newer header draft) and reads it: the context ends there.
#include "corpus_common.h"

struct my_perf_ctx {
	struct pt_regs regs;
	__u64 sample_period;
	__u64 addr;
	__u64 weight; /* BUG: not part of bpf_perf_event_data */
};

__u64 total_weight;

SEC("perf_event")
int perf_event_ctx_past_end(struct my_perf_ctx *ctx)
{
	total_weight += ctx->weight;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
