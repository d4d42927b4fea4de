// EXPECT: rejected
// CODE: HELPER_NOT_ALLOWED
// INSN: 4
// KERNEL: program of this type cannot use helper bpf_msg_redirect_map#60
// A stream verdict program copied from an sk_msg one still calls
// bpf_msg_redirect_map, which only sk_msg programs may call.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} sock_map SEC(".maps");

SEC("sk_skb/stream_verdict")
int stream_verdict_msg_helper(struct __sk_buff *skb)
{
	return bpf_msg_redirect_map((struct sk_msg_md *)skb, &sock_map, 0, 0); /* BUG */
}

char LICENSE[] SEC("license") = "GPL";
