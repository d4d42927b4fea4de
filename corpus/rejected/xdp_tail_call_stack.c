// EXPECT: rejected
// CODE: TAIL_CALL_MIX
// INSN: -1
// KERNEL: tail_calls are not allowed when call stack of previous frames is 304 bytes. Too large
// A tail call from inside a bpf-to-bpf subprogram whose caller keeps a 300-byte buffer
// on its stack: with tail calls in subprograms, every frame above the call may use at
// most 256 bytes.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} next_stage SEC(".maps");

static __noinline int dispatch(struct xdp_md *ctx, __u32 stage)
{
	bpf_tail_call(ctx, &next_stage, stage);
	return XDP_PASS;
}

SEC("xdp")
int xdp_tail_call_stack(struct xdp_md *ctx)
{
	unsigned char hdr[300];

	if (bpf_xdp_load_bytes(ctx, 0, hdr, sizeof(hdr)) < 0)
		return XDP_PASS;
	return dispatch(ctx, hdr[12] == 0x86 ? 1 : 0);
}

char LICENSE[] SEC("license") = "GPL";
