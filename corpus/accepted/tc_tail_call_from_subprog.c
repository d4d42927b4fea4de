// EXPECT: accepted
// Tail calls mixed with bpf-to-bpf calls: the entry parses the packet in a static
// subprogram and a second subprogram tail-calls the per-port handler; the frames stay
// under the 256-byte limit tail calls from subprograms have.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} handlers SEC(".maps");

static __noinline int dst_port(struct __sk_buff *skb)
{
	__u16 port;

	if (bpf_skb_load_bytes(skb, ETH_HLEN + sizeof(struct iphdr) + 2, &port, sizeof(port)))
		return -1;
	return bpf_ntohs(port);
}

static __noinline int dispatch(struct __sk_buff *skb, int port)
{
	__u32 slot = port == 80 ? 0 : port == 443 ? 1 : 2;

	bpf_tail_call(skb, &handlers, slot);
	return TC_ACT_OK; /* no handler installed */
}

SEC("tc")
int tc_entry(struct __sk_buff *skb)
{
	int port = dst_port(skb);

	if (port < 0)
		return TC_ACT_OK;
	return dispatch(skb, port);
}

SEC("tc")
int tc_http(struct __sk_buff *skb)
{
	skb->mark = 80;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
