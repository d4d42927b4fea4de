// EXPECT: rejected
// CODE: UNBOUNDED_ACCESS
// INSN: 12
// KERNEL: math between pkt pointer and register with unbounded min value is not allowed
// The payload offset comes from a configuration map and is added to the packet pointer
// without clamping it first: the verifier cannot bound the resulting pointer.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} config SEC(".maps");

SEC("tc")
int tc_pkt_unbounded_offset(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 zero = 0;
	__u64 *off = bpf_map_lookup_elem(&config, &zero);
	unsigned char *p;

	if (!off)
		return TC_ACT_OK;
	p = data + *off; /* BUG: *off is any 64-bit value */
	if ((void *)(p + 1) > data_end)
		return TC_ACT_OK;
	skb->mark = *p;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
