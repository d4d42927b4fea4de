// EXPECT: rejected
// CODE: INVALID_MEM_ACCESS
// INSN: 10
// KERNEL: R7 invalid mem access 'scalar'
// A decapsulation program pops the outer header with bpf_xdp_adjust_head and then
// keeps using the Ethernet pointer computed before the call.
#include "corpus_common.h"

SEC("xdp")
int xdp_stale_pkt_after_adjust_head(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (bpf_xdp_adjust_head(ctx, 4))
		return XDP_DROP;
	eth->h_proto = bpf_htons(ETH_P_IP); /* BUG: eth points into the old layout */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
