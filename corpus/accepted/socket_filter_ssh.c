// EXPECT: accepted
// Socket filter in the tcpdump tradition: keeps IPv4 TCP packets to or from port 22
// (whole packet) and truncates everything else to zero bytes.  Socket filters cannot
// read packet data directly, so every read goes through bpf_skb_load_bytes.
#include "corpus_common.h"

SEC("socket")
int socket_filter_ssh(struct __sk_buff *skb)
{
	struct iphdr ip;
	struct tcphdr tcp;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)) < 0)
		return 0;
	if (ip.protocol != IPPROTO_TCP || (ip.frag_off & bpf_htons(0x1fff)))
		return 0;
	if (bpf_skb_load_bytes(skb, ETH_HLEN + ip.ihl * 4, &tcp, sizeof(tcp)) < 0)
		return 0;
	if (tcp.dest == bpf_htons(22) || tcp.source == bpf_htons(22))
		return skb->len;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
