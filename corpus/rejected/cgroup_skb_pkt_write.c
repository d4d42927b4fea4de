// EXPECT: rejected
// CODE: READ_ONLY_MEMORY
// INSN: 6
// KERNEL: cannot write into packet
// A cgroup_skb egress program tries to clear the IPv4 TOS byte in place: cgroup_skb
// programs may read packet data directly but never write it.
#include "corpus_common.h"

SEC("cgroup_skb/egress")
int cgroup_skb_pkt_write(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data;

	if ((void *)(ip + 1) > data_end)
		return 1;
	ip->tos = 0; /* BUG: read-only packet */
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
