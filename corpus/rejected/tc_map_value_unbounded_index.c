// EXPECT: rejected
// CODE: MAP_VALUE_OUT_OF_BOUNDS
// INSN: 17
// KERNEL: invalid access to map value, value_size=128 off=504 size=8
// A per-port counter array stored inside one map value is indexed with the packet's
// DSCP value, checked only against a signed lower bound, never against the array size.
#include "corpus_common.h"

struct dscp_stats {
	__u64 packets[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dscp_stats);
} stats SEC(".maps");

SEC("tc")
int tc_map_value_unbounded_index(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	struct dscp_stats *s;
	__u32 zero = 0;
	int dscp;

	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	s = bpf_map_lookup_elem(&stats, &zero);
	if (!s)
		return TC_ACT_OK;
	dscp = ip->tos >> 2; /* 0..63, but packets[] has 16 slots */
	if (dscp < 0)
		return TC_ACT_OK;
	s->packets[dscp]++;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
