// EXPECT: accepted
// A TC program reads the Ethernet and IPv4 headers through an skb dynptr:
// bpf_dynptr_from_skb, then bpf_dynptr_slice copies or points at the bytes (NULL
// when the packet is too short), and the TTL decides the verdict.
#include "corpus_common.h"

extern int bpf_dynptr_from_skb(struct __sk_buff *skb, __u64 flags, struct bpf_dynptr *ptr__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *ptr, __u32 offset, void *buffer__opt,
			      __u32 buffer__szk) __ksym;

SEC("tc")
int tc_dynptr_skb_slice(struct __sk_buff *skb)
{
	struct bpf_dynptr dp;
	struct ethhdr ebuf;
	struct iphdr ibuf;
	struct ethhdr *eth;
	struct iphdr *ip;

	if (bpf_dynptr_from_skb(skb, 0, &dp))
		return TC_ACT_OK;
	eth = bpf_dynptr_slice(&dp, 0, &ebuf, sizeof(ebuf));
	if (!eth || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	ip = bpf_dynptr_slice(&dp, sizeof(*eth), &ibuf, sizeof(ibuf));
	if (!ip)
		return TC_ACT_OK;
	return ip->ttl <= 1 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
