// EXPECT: rejected
// CODE: INVALID_MEM_ACCESS
// INSN: 18
// KERNEL: R6 invalid mem access 'scalar'
// The checksum is fixed with bpf_l3_csum_replace and then the TTL is written through the
// old header pointer: the helper invalidated it.
#include "corpus_common.h"

SEC("tc")
int tc_ttl_csum_stale(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	__u16 old_word, new_word;

	if ((void *)(ip + 1) > data_end || ip->ttl <= 1)
		return TC_ACT_OK;
	old_word = bpf_htons((__u16)ip->ttl << 8 | ip->protocol);
	new_word = bpf_htons((__u16)(ip->ttl - 1) << 8 | ip->protocol);
	bpf_l3_csum_replace(skb, ETH_HLEN + offsetof(struct iphdr, check), old_word, new_word, 2);
	ip->ttl--; /* BUG: ip is stale after the helper */
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
