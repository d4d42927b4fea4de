// EXPECT: accepted
// Container network policy: the ingress program only admits IPv4 from allowed /32
// peers (hash set) and the egress program blocks SMTP (port 25) while counting bytes.
// cgroup_skb programs return 1 (allow) or 0 (drop).
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u8);
} allowed_peers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} egress_bytes SEC(".maps");

SEC("cgroup_skb/ingress")
int cgroup_skb_ingress(struct __sk_buff *skb)
{
	struct iphdr ip;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 1;
	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) < 0)
		return 0;
	return bpf_map_lookup_elem(&allowed_peers, &ip.saddr) ? 1 : 0;
}

SEC("cgroup_skb/egress")
int cgroup_skb_egress(struct __sk_buff *skb)
{
	__u32 zero = 0;
	__u64 *bytes = bpf_map_lookup_elem(&egress_bytes, &zero);
	struct iphdr ip;
	struct tcphdr tcp;

	if (bytes)
		__sync_fetch_and_add(bytes, skb->len);
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 1;
	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)) < 0 || ip.protocol != IPPROTO_TCP)
		return 1;
	if (bpf_skb_load_bytes(skb, ip.ihl * 4, &tcp, sizeof(tcp)) < 0)
		return 1;
	return tcp.dest == bpf_htons(25) ? 0 : 1;
}

char LICENSE[] SEC("license") = "GPL";
