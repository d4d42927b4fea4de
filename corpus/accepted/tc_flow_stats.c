// EXPECT: accepted
// Per-flow accounting on TC ingress: a 5-tuple key (IPv4 TCP/UDP) in a PERCPU_HASH
// accumulating packets and bytes, as flow exporters do before sampling to IPFIX.
#include "corpus_common.h"

struct five_tuple {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

struct flow_counters {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct five_tuple);
	__type(value, struct flow_counters);
} flows SEC(".maps");

SEC("tc")
int tc_flow_stats(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *ports;
	struct five_tuple key = {};
	struct flow_counters *fc, init = {};

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return TC_ACT_OK;
	ports = (void *)ip + ip->ihl * 4;
	if ((void *)(ports + 1) > data_end)
		return TC_ACT_OK;
	key.saddr = ip->saddr;
	key.daddr = ip->daddr;
	key.sport = ports->source;
	key.dport = ports->dest;
	key.proto = ip->protocol;
	fc = bpf_map_lookup_elem(&flows, &key);
	if (!fc) {
		bpf_map_update_elem(&flows, &key, &init, BPF_NOEXIST);
		fc = bpf_map_lookup_elem(&flows, &key);
		if (!fc)
			return TC_ACT_OK;
	}
	fc->packets++;
	fc->bytes += skb->len;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
