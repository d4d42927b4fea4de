// EXPECT: accepted
// XDP reflector: swaps source and destination MAC and sends UDP echo-port (7) frames back
// out of the interface they came in on with XDP_TX; everything else goes to the
// interface named by a global variable through bpf_redirect.
#include "corpus_common.h"

volatile const __u32 mirror_ifindex = 1;

SEC("xdp")
int xdp_tx_reflect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct udphdr *udp = data + sizeof(*eth) + sizeof(*ip);
	unsigned char tmp[ETH_ALEN];

	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return bpf_redirect(mirror_ifindex, 0);
	if (udp->dest != bpf_htons(7))
		return bpf_redirect(mirror_ifindex, 0);

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
