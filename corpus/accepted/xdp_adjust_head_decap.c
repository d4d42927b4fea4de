// EXPECT: accepted
// VLAN tag stripping: an 802.1Q-tagged frame has its 4-byte tag removed by moving the
// MAC addresses forward and calling bpf_xdp_adjust_head; the packet is re-validated
// after the call because every packet pointer was invalidated.
#include "corpus_common.h"

struct vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

SEC("xdp")
int xdp_adjust_head_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct vlan_hdr *vh = (void *)(eth + 1);
	struct ethhdr copy;

	if ((void *)(vh + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_8021Q))
		return XDP_PASS;
	__builtin_memcpy(&copy, eth, sizeof(copy));
	copy.h_proto = vh->encap_proto;
	if (bpf_xdp_adjust_head(ctx, (int)sizeof(*vh)))
		return XDP_DROP;

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(eth, &copy, sizeof(copy));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
