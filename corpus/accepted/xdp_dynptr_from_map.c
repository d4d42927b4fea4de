// EXPECT: accepted
// A per-CPU scratch buffer in an array map is wrapped in a local dynptr; the Ethernet
// header (copied to the stack) is stored into it with bpf_dynptr_write and a byte is read back
// with bpf_dynptr_read to pick the verdict (a local dynptr needs no release).
#include "corpus_common.h"

struct scratch {
	__u8 bytes[64];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_buf SEC(".maps");

SEC("xdp")
int xdp_dynptr_from_map(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct bpf_dynptr dp;
	__u32 key = 0;
	__u8 proto = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch_buf, &key);

	if (!s)
		return XDP_PASS;
	if (bpf_dynptr_from_mem(s, sizeof(*s), 0, &dp))
		return XDP_PASS;
	struct ethhdr eth;

	if (data + sizeof(eth) > data_end)
		return XDP_PASS;
	__builtin_memcpy(&eth, data, sizeof(eth));
	bpf_dynptr_write(&dp, 0, &eth, sizeof(eth), 0);
	bpf_dynptr_read(&proto, 1, &dp, 12, 0);
	return proto == 0x86 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
