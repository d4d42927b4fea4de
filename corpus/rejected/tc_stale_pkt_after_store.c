// EXPECT: rejected
// CODE: INVALID_MEM_ACCESS
// INSN: 15
// KERNEL: R7 invalid mem access 'scalar'
// After bpf_skb_store_bytes rewrote the TTL, the program reads the old `ip` pointer
// again: helpers that may change packet data invalidate every packet pointer.
#include "corpus_common.h"

SEC("tc")
int tc_stale_pkt_after_store(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	__u8 ttl = 64;

	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	bpf_skb_store_bytes(skb, ETH_HLEN + offsetof(struct iphdr, ttl), &ttl, 1, 0);
	if (ip->protocol == IPPROTO_UDP) /* BUG: ip is stale */
		skb->mark = 17;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
