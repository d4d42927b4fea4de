// EXPECT: rejected
// CODE: UNBOUNDED_ACCESS
// INSN: 19
// KERNEL: math between map_value pointer and register with unbounded min value is not allowed
// The index into an array inside a map value is checked with `idx < 16` on a signed int
// but never for being negative.
#include "corpus_common.h"

struct port_table {
	__u32 hits[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct port_table);
} table SEC(".maps");

SEC("xdp")
int xdp_map_value_negative_index(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct port_table *t = bpf_map_lookup_elem(&table, &zero);
	int idx = (int)ctx->rx_queue_index - 4;

	if (!t)
		return XDP_PASS;
	if (idx < 16) /* BUG: idx may be negative */
		t->hits[idx]++;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
