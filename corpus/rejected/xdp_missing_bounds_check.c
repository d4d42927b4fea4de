// EXPECT: rejected
// CODE: PACKET_OUT_OF_BOUNDS
// INSN: 12
// KERNEL: invalid access to packet, off=23 size=1
// The IP header is read right after checking only the Ethernet header against
// data_end: the developer forgot the second bounds check.
#include "corpus_common.h"

SEC("xdp")
int xdp_missing_bounds_check(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->protocol == IPPROTO_ICMP) /* BUG: ip + 1 was never checked */
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
