// EXPECT: accepted
// DNS sniffer filter: keeps UDP port 53 (either direction) IPv4 and IPv6 packets, and
// only the first 512 bytes of each, using bpf_skb_load_bytes_relative from the network
// header so that it works on both AF_PACKET and raw sockets.
#include "corpus_common.h"

SEC("socket")
int socket_filter_dns(struct __sk_buff *skb)
{
	struct udphdr udp;
	__u32 l4_off;
	__u8 proto;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		__u8 vihl;
		if (bpf_skb_load_bytes_relative(skb, 0, &vihl, 1, BPF_HDR_START_NET) < 0)
			return 0;
		if (bpf_skb_load_bytes_relative(skb, offsetof(struct iphdr, protocol), &proto, 1,
						BPF_HDR_START_NET) < 0)
			return 0;
		l4_off = (vihl & 0xf) * 4;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		if (bpf_skb_load_bytes_relative(skb, offsetof(struct ipv6hdr, nexthdr), &proto, 1,
						BPF_HDR_START_NET) < 0)
			return 0;
		l4_off = sizeof(struct ipv6hdr);
	} else {
		return 0;
	}
	if (proto != IPPROTO_UDP)
		return 0;
	if (bpf_skb_load_bytes_relative(skb, l4_off, &udp, sizeof(udp), BPF_HDR_START_NET) < 0)
		return 0;
	if (udp.dest != bpf_htons(53) && udp.source != bpf_htons(53))
		return 0;
	return skb->len < 512 ? skb->len : 512;
}

char LICENSE[] SEC("license") = "GPL";
