// EXPECT: accepted
// XDP header parser: Ethernet (with one optional 802.1Q tag), IPv4 (variable IHL) or
// IPv6, then TCP or UDP, every access behind a data_end check.  Counts packets per
// (L3, L4) protocol pair and drops TCP packets with both SYN and FIN set.
#include "corpus_common.h"

struct vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} proto_counts SEC(".maps");

SEC("xdp")
int xdp_parse_l4(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *l4;
	__u16 proto;
	__u8 ipproto;
	__u32 key;
	__u64 one = 1, *val;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	proto = eth->h_proto;
	l4 = eth + 1;
	if (proto == bpf_htons(ETH_P_8021Q)) {
		struct vlan_hdr *vh = l4;
		if ((void *)(vh + 1) > data_end)
			return XDP_DROP;
		proto = vh->encap_proto;
		l4 = vh + 1;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l4;
		if ((void *)(ip + 1) > data_end)
			return XDP_DROP;
		if (ip->ihl < 5)
			return XDP_DROP;
		ipproto = ip->protocol;
		l4 = (void *)ip + ip->ihl * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l4;
		if ((void *)(ip6 + 1) > data_end)
			return XDP_DROP;
		ipproto = ip6->nexthdr;
		l4 = ip6 + 1;
	} else {
		return XDP_PASS;
	}

	if (ipproto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;
		if ((void *)(tcp + 1) > data_end)
			return XDP_DROP;
		if (tcp->syn && tcp->fin)
			return XDP_DROP;
	} else if (ipproto == IPPROTO_UDP) {
		struct udphdr *udp = l4;
		if ((void *)(udp + 1) > data_end)
			return XDP_DROP;
		if (udp->dest == 0)
			return XDP_DROP;
	}

	key = ((__u32)bpf_ntohs(proto) << 8) | ipproto;
	val = bpf_map_lookup_elem(&proto_counts, &key);
	if (val)
		*val += 1;
	else
		bpf_map_update_elem(&proto_counts, &key, &one, BPF_NOEXIST);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
