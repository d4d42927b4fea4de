// EXPECT: rejected
// CODE: WRITE_ONLY_MEMORY
// INSN: 9
// KERNEL: read from map forbidden
// Per-CPU drop statistics in a map created with BPF_F_WRONLY_PROG (programs may only
// store into it), but the program reads the old value back to add one to it.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__uint(map_flags, BPF_F_WRONLY_PROG);
	__type(key, __u32);
	__type(value, __u64);
} drop_stats SEC(".maps");

SEC("xdp")
int count_drops(struct xdp_md *ctx)
{
	__u32 key = ctx->ingress_ifindex & 3;
	__u64 *count = bpf_map_lookup_elem(&drop_stats, &key);

	if (count)
		*count += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
