// EXPECT: accepted
// Old-style (pre-BTF) map definition in SEC("maps") with struct bpf_map_def, as found in
// many samples/bpf programs: a socket filter counting bytes per IP protocol.
#include "corpus_common.h"

struct bpf_map_def_legacy {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def_legacy SEC("maps") proto_bytes = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 256,
};

SEC("socket")
int legacy_maps_socket(struct __sk_buff *skb)
{
	__u8 proto = 0;
	__u32 key;
	__u64 *bytes;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return 0;
	if (bpf_skb_load_bytes(skb, ETH_HLEN + offsetof(struct iphdr, protocol), &proto, 1) < 0)
		return 0;
	key = proto;
	bytes = bpf_map_lookup_elem(&proto_bytes, &key);
	if (bytes)
		__sync_fetch_and_add(bytes, skb->len);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
