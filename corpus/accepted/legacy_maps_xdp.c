// EXPECT: accepted
// Legacy SEC("maps") definitions (struct bpf_map_def layout) for an XDP blacklist: a
// hash of banned source addresses and a per-CPU drop counter.
#include "corpus_common.h"

struct bpf_map_def_legacy {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def_legacy SEC("maps") banned = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 10000,
};

struct bpf_map_def_legacy SEC("maps") drops = {
	.type = BPF_MAP_TYPE_PERCPU_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 1,
};

SEC("xdp")
int legacy_maps_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + sizeof(struct ethhdr);
	__u32 zero = 0;
	__u64 *n;

	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	if (!bpf_map_lookup_elem(&banned, &ip->saddr))
		return XDP_PASS;
	n = bpf_map_lookup_elem(&drops, &zero);
	if (n)
		*n += 1;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
