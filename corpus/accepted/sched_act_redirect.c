// EXPECT: accepted
// tc action that mirrors ARP traffic to a monitoring interface with bpf_clone_redirect
// and lets the original continue (TC_ACT_PIPE).
#include "corpus_common.h"

volatile const __u32 monitor_ifindex = 2;

SEC("action")
int sched_act_redirect(struct __sk_buff *skb)
{
	if (skb->protocol == bpf_htons(ETH_P_ARP))
		bpf_clone_redirect(skb, monitor_ifindex, 0);
	return TC_ACT_PIPE;
}

char LICENSE[] SEC("license") = "GPL";
