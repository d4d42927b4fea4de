// EXPECT: accepted
// TC egress accounting split into functions: a static __noinline parser (a bpf-to-bpf
// call with a pointer argument into the caller's stack) and a global function that is
// verified on its own with only its declared argument types.
#include "corpus_common.h"

struct flow {
	__be32 saddr;
	__be32 daddr;
	__u8 proto;
	__u8 pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct flow);
	__type(value, __u64);
} flow_bytes SEC(".maps");

static __noinline int parse_flow(struct __sk_buff *skb, struct flow *f)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end)
		return -1;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return -1;
	f->saddr = ip->saddr;
	f->daddr = ip->daddr;
	f->proto = ip->protocol;
	return 0;
}

__noinline int account(struct flow *f, __u32 len)
{
	__u64 *bytes;

	if (!f)
		return 0;
	bytes = bpf_map_lookup_elem(&flow_bytes, f);
	if (bytes) {
		__sync_fetch_and_add(bytes, len);
		return 1;
	}
	__u64 init = len;
	bpf_map_update_elem(&flow_bytes, f, &init, BPF_NOEXIST);
	return 0;
}

SEC("tc")
int tc_bpf2bpf_calls(struct __sk_buff *skb)
{
	struct flow f = {};

	if (parse_flow(skb, &f) == 0)
		account(&f, skb->len);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
