// EXPECT: accepted
// Fast negative lookup with a BLOOM_FILTER map in front of a hash of known-bad
// addresses: most packets are cleared by the bloom filter without a hash lookup.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 100000);
	__type(value, __u32);
	__uint(map_extra, 3);
} maybe_bad SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 100000);
	__type(key, __u32);
	__type(value, __u8);
} bad SEC(".maps");

SEC("xdp")
int xdp_bloom_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	__u32 src;

	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	src = ip->saddr;
	if (bpf_map_peek_elem(&maybe_bad, &src) != 0)
		return XDP_PASS; /* definitely not in the set */
	return bpf_map_lookup_elem(&bad, &src) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
