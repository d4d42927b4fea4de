// EXPECT: accepted
// The classic sockmap echo/proxy pair: the stream parser says every message is the
// whole skb, the verdict program redirects it to the socket in slot 0 of a SOCKMAP,
// dropping when the first byte marks it as unwanted.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_SOCKMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} sock_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} redirected SEC(".maps");

SEC("sk_skb/stream_parser")
int stream_parser(struct __sk_buff *skb)
{
	return skb->len;
}

SEC("sk_skb/stream_verdict")
int stream_verdict(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 zero = 0;
	__u64 *count;
	__u8 *first = data;

	if ((void *)(first + 1) <= data_end && *first == 0xff)
		return SK_DROP;
	count = bpf_map_lookup_elem(&redirected, &zero);
	if (count)
		*count += 1;
	return bpf_sk_redirect_map(skb, &sock_map, 0, 0);
}

char LICENSE[] SEC("license") = "GPL";
