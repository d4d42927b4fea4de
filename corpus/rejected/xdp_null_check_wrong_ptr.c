// EXPECT: rejected
// CODE: NULL_POINTER_DEREF
// INSN: 19
// KERNEL: R0 invalid mem access 'map_value_or_null'
// Two lookups, one NULL check: the check tests the first result and the code then
// dereferences the second.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} rx_tx SEC(".maps");

SEC("xdp")
int xdp_null_check_wrong_ptr(struct xdp_md *ctx)
{
	__u32 rx_key = 0, tx_key = 1;
	__u64 *rx = bpf_map_lookup_elem(&rx_tx, &rx_key);
	__u64 *tx = bpf_map_lookup_elem(&rx_tx, &tx_key);

	if (!rx)
		return XDP_PASS;
	*rx += 1;
	*tx += 1; /* BUG: tx was never checked */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
