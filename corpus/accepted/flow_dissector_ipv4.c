// EXPECT: accepted
// A flow dissector for plain IPv4 over Ethernet, in the shape of the kernel's
// selftest bpf_flow.c: it parses from flow_keys->nhoff with direct packet access,
// fills the address and port keys and returns BPF_OK, or BPF_DROP on a short packet.
#include "corpus_common.h"

SEC("flow_dissector")
int flow_dissect_ipv4(struct __sk_buff *skb)
{
	struct bpf_flow_keys *keys = skb->flow_keys;
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip;
	__u32 ihl;

	if (keys->n_proto != bpf_htons(ETH_P_IP))
		return BPF_DROP;
	if (keys->nhoff > 64)
		return BPF_DROP;
	ip = data + keys->nhoff;
	if ((void *)(ip + 1) > data_end)
		return BPF_DROP;
	ihl = ip->ihl * 4;
	if (ihl < sizeof(*ip))
		return BPF_DROP;
	keys->addr_proto = ETH_P_IP;
	keys->ipv4_src = ip->saddr;
	keys->ipv4_dst = ip->daddr;
	keys->ip_proto = ip->protocol;
	keys->thoff = keys->nhoff + ihl;
	if (ip->frag_off & bpf_htons(0x3fff)) {
		keys->is_frag = 1;
		return BPF_OK;
	}
	if (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP) {
		__u16 *ports = (void *)ip + ihl;
		if ((void *)(ports + 2) > data_end)
			return BPF_DROP;
		keys->sport = ports[0];
		keys->dport = ports[1];
	}
	return BPF_OK;
}

char LICENSE[] SEC("license") = "GPL";
