// EXPECT: accepted
// TC port rewriter (a poor man's DNAT): TCP to port 8080 is rewritten to port 80 with
// bpf_skb_store_bytes, fixing the TCP checksum with bpf_l4_csum_replace; the packet is
// re-parsed after the write because the helper invalidates packet pointers.
#include "corpus_common.h"

#define TCP_DPORT_OFF (ETH_HLEN + sizeof(struct iphdr) + offsetof(struct tcphdr, dest))
#define TCP_CSUM_OFF (ETH_HLEN + sizeof(struct iphdr) + offsetof(struct tcphdr, check))

SEC("tc")
int tc_rewrite_dport(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);
	__be16 old_port, new_port = bpf_htons(80);

	if ((void *)(tcp + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 || ip->protocol != IPPROTO_TCP)
		return TC_ACT_OK;
	old_port = tcp->dest;
	if (old_port != bpf_htons(8080))
		return TC_ACT_OK;

	if (bpf_l4_csum_replace(skb, TCP_CSUM_OFF, old_port, new_port, sizeof(new_port)) < 0)
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, TCP_DPORT_OFF, &new_port, sizeof(new_port), 0) < 0)
		return TC_ACT_SHOT;

	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	tcp = data + ETH_HLEN + sizeof(struct iphdr);
	if ((void *)(tcp + 1) > data_end)
		return TC_ACT_SHOT;
	skb->mark = tcp->dest == new_port ? 80 : 0;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
