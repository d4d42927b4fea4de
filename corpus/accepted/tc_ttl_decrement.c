// EXPECT: accepted
// Software router hop on TC egress: decrements the IPv4 TTL and fixes the header
// checksum incrementally with bpf_l3_csum_replace (the TTL shares a 16-bit word with the
// protocol field), dropping packets whose TTL would reach zero.
#include "corpus_common.h"

#define IP_CSUM_OFF (ETH_HLEN + offsetof(struct iphdr, check))
#define IP_TTL_OFF (ETH_HLEN + offsetof(struct iphdr, ttl))

SEC("tc")
int tc_ttl_decrement(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u16 old_word, new_word;
	__u8 ttl;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (ip->ttl <= 1)
		return TC_ACT_SHOT;
	ttl = ip->ttl - 1;
	old_word = bpf_htons((__u16)ip->ttl << 8 | ip->protocol);
	new_word = bpf_htons((__u16)ttl << 8 | ip->protocol);
	if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, old_word, new_word, sizeof(__u16)) < 0)
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, IP_TTL_OFF, &ttl, sizeof(ttl), 0) < 0)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
