// EXPECT: rejected
// CODE: PACKET_OUT_OF_BOUNDS
// INSN: 6
// KERNEL: invalid access to packet, off=22 size=1
// A tc action reads the IPv4 TTL after checking only that the Ethernet header is in the
// packet.
#include "corpus_common.h"

SEC("action")
int sched_act_missing_bounds(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(eth + 1) > data_end)
		return TC_ACT_OK;
	if (ip->ttl < 2) /* BUG: ip + 1 not checked */
		return TC_ACT_SHOT;
	return TC_ACT_PIPE;
}

char LICENSE[] SEC("license") = "GPL";
