// EXPECT: rejected
// CODE: MAP_VALUE_OUT_OF_BOUNDS
// INSN: 17
// KERNEL: invalid access to map value, value_size=8 off=8 size=8
// The map was declared with a __u64 value, but the code casts the value to a larger
// stats struct (a definition that grew in the header but not in the map).
#include "corpus_common.h"

struct stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} rx SEC(".maps");

SEC("xdp")
int xdp_map_value_struct_mismatch(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct stats *s = bpf_map_lookup_elem(&rx, &zero);

	if (!s)
		return XDP_PASS;
	s->packets++;
	s->bytes += ctx->data_end - ctx->data; /* BUG: past the 8-byte value */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
