// EXPECT: rejected
// CODE: CTX_ACCESS
// INSN: 0
// KERNEL: invalid bpf_context access off=32 size=4
// The XDP context is mistaken for the skb context: reading a field at skb's "mark"
// offset: word 8, offset 32, is past the end of struct xdp_md.
#include "corpus_common.h"

struct fake_ctx {
	__u32 words[12];
};

SEC("xdp")
int xdp_ctx_out_of_bounds(struct xdp_md *ctx)
{
	struct fake_ctx *c = (void *)ctx;

	if (c->words[8] == 0x42) /* BUG: xdp_md has only 6 words */
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
