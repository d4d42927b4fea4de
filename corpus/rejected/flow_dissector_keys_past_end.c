// EXPECT: rejected
// CODE: INVALID_MEM_ACCESS
// INSN: 4
// KERNEL: invalid access to flow keys off=56 size=4
// A flow dissector treats struct bpf_flow_keys as larger than it is: it stores a
// 32-bit flow label just past the end of the structure.
#include "corpus_common.h"

SEC("flow_dissector")
int flow_keys_past_end(struct __sk_buff *skb)
{
	struct bpf_flow_keys *keys = skb->flow_keys;

	keys->ip_proto = IPPROTO_TCP;
	*(__u32 *)((char *)keys + sizeof(*keys)) = 0; /* BUG: past the end of flow_keys */
	return BPF_OK;
}

char LICENSE[] SEC("license") = "GPL";
