// EXPECT: accepted
// ICMP echo responder in XDP: turns an echo request into a reply in place (swap MACs
// and IPs, type 8 -> 0, incremental checksum update per RFC 1624) and sends it back.
#include "corpus_common.h"

SEC("xdp")
int xdp_icmp_echo(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct icmphdr *icmp = (void *)(ip + 1);
	unsigned char mac[ETH_ALEN];
	__be32 addr;
	__u32 csum;

	if ((void *)(icmp + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 || ip->protocol != IPPROTO_ICMP)
		return XDP_PASS;
	if (icmp->type != ICMP_ECHO || icmp->code != 0)
		return XDP_PASS;

	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;

	icmp->type = ICMP_ECHOREPLY;
	/* HC' = HC + m - m' with m = 0x0800, m' = 0x0000 (RFC 1624 eqn. 3, one's complement) */
	csum = (__u16)icmp->checksum + (__u16)bpf_htons(ICMP_ECHO << 8);
	csum = (csum & 0xffff) + (csum >> 16);
	icmp->checksum = (__u16)csum;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
