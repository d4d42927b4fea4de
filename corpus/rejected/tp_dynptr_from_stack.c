// EXPECT: rejected
// CODE: HELPER_ARG_TYPE
// INSN: 11
// KERNEL: Unsupported reg type fp for bpf_dynptr_from_mem data
// bpf_dynptr_from_mem only wraps map values: a stack buffer is refused.
#include "corpus_common.h"

SEC("tracepoint/sched/sched_process_exec")
int tp_dynptr_from_stack(void *ctx)
{
	struct bpf_dynptr dp;
	char buf[16] = {};
	__u64 out = 0;

	bpf_dynptr_from_mem(buf, sizeof(buf), 0, &dp); /* BUG: not a map value */
	bpf_dynptr_read(&out, sizeof(out), &dp, 0, 0);
	return out == 1;
}

char LICENSE[] SEC("license") = "GPL";
