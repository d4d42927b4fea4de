// EXPECT: rejected
// CODE: NULL_POINTER_DEREF
// INSN: 7
// KERNEL: R0 invalid mem access 'map_value_or_null'
// The counter's map value is incremented without checking that bpf_map_lookup_elem
// found the key: the lookup may return NULL.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} per_if SEC(".maps");

SEC("xdp")
int xdp_map_null_deref(struct xdp_md *ctx)
{
	__u32 ifindex = ctx->ingress_ifindex;
	__u64 *count = bpf_map_lookup_elem(&per_if, &ifindex);

	*count += 1; /* BUG: no NULL check */
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
