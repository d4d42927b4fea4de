// EXPECT: rejected
// CODE: INVALID_MAP_OP
// INSN: 3
// KERNEL: expected prog array map for tail call
// bpf_tail_call through an ARRAY of program ids instead of a PROG_ARRAY.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} programs SEC(".maps");

SEC("xdp")
int xdp_tail_call_wrong_map(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &programs, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
