// EXPECT: rejected
// CODE: INVALID_RELEASE
// INSN: 36
// KERNEL: R1 type=scalar expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_
// A TC program releases the socket it looked up in a helper-style cleanup path and
// then again at the end: the second bpf_sk_release is on a reference already gone.
#include "corpus_common.h"

SEC("tc")
int tc_sk_double_release(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	struct tcphdr *tcp = (void *)(ip + 1);
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;
	int verdict = TC_ACT_OK;

	if ((void *)(tcp + 1) > data_end)
		return TC_ACT_OK;
	tuple.ipv4.saddr = ip->saddr;
	tuple.ipv4.daddr = ip->daddr;
	tuple.ipv4.sport = tcp->source;
	tuple.ipv4.dport = tcp->dest;
	sk = bpf_sk_lookup_tcp(skb, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return TC_ACT_SHOT;
	if (sk->state == 10 /* TCP_LISTEN */) {
		verdict = TC_ACT_SHOT;
		bpf_sk_release(sk);
	}
	bpf_sk_release(sk); /* BUG: released twice when listening */
	return verdict;
}

char LICENSE[] SEC("license") = "GPL";
