// EXPECT: rejected
// CODE: UNRELEASED_REFERENCE
// INSN: 31
// KERNEL: Unreleased reference
// A TC program looks up the local listening socket with bpf_sk_lookup_tcp to decide
// whether to accept a SYN but never calls bpf_sk_release on the found socket.
#include "corpus_common.h"

SEC("tc")
int tc_sk_lookup_leak(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	struct tcphdr *tcp = (void *)(ip + 1);
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;

	if ((void *)(tcp + 1) > data_end)
		return TC_ACT_OK;
	tuple.ipv4.saddr = ip->saddr;
	tuple.ipv4.daddr = ip->daddr;
	tuple.ipv4.sport = tcp->source;
	tuple.ipv4.dport = tcp->dest;
	sk = bpf_sk_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return TC_ACT_SHOT;
	return TC_ACT_OK; /* BUG: missing bpf_sk_release(sk) */
}

char LICENSE[] SEC("license") = "GPL";
