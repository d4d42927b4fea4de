// EXPECT: rejected
// CODE: HELPER_ARG_SIZE
// INSN: 6
// KERNEL: invalid zero-sized read
// bpf_map_lookup_elem on a ring buffer map (to "peek" at the last event): ring buffers
// have no keys (key_size 0), so the helper's key argument is a zero-sized read.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

SEC("xdp")
int xdp_lookup_ringbuf(struct xdp_md *ctx)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&rb, &key) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
