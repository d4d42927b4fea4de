// EXPECT: accepted
// TC classifier (direct action): drops inbound TCP to blocked ports from a hash set,
// marks SSH traffic with skb->mark = 22 and sets a traffic class for DNS.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u16);
	__type(value, __u8);
} blocked_ports SEC(".maps");

SEC("tc")
int tc_port_classifier(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u16 dport;

	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		return TC_ACT_OK;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);
		if ((void *)(tcp + 1) > data_end)
			return TC_ACT_OK;
		dport = bpf_ntohs(tcp->dest);
		if (bpf_map_lookup_elem(&blocked_ports, &dport))
			return TC_ACT_SHOT;
		if (dport == 22)
			skb->mark = 22;
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = (void *)(ip + 1);
		if ((void *)(udp + 1) > data_end)
			return TC_ACT_OK;
		if (udp->dest == bpf_htons(53))
			skb->tc_classid = 0x10001;
	}
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
