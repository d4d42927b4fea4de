// EXPECT: accepted
// tc action (SEC "action", BPF_PROG_TYPE_SCHED_ACT): tags packets of high-priority
// DSCP classes (EF, AF41) with skb->priority so that an mq/prio qdisc can favour them.
#include "corpus_common.h"

SEC("action")
int sched_act_mark(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u8 dscp;

	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_PIPE;
	dscp = ip->tos >> 2;
	if (dscp == 46 || dscp == 34)
		skb->priority = 6;
	return TC_ACT_PIPE;
}

char LICENSE[] SEC("license") = "GPL";
