// EXPECT: accepted
// An sk_msg program for a local TCP proxy: it pulls the first bytes of the message
// into the linear buffer, lets "GET " through to the peer socket found in a SOCKHASH
// by the reversed 4-tuple, and passes everything else up the stack.
#include "corpus_common.h"

struct sock_key {
	__u32 sip4;
	__u32 dip4;
	__u32 sport;
	__u32 dport;
};

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 65535);
	__type(key, struct sock_key);
	__type(value, __u64);
} sock_ops_map SEC(".maps");

SEC("sk_msg")
int msg_redirect(struct sk_msg_md *msg)
{
	struct sock_key key = {};
	void *data, *data_end;

	if (bpf_msg_pull_data(msg, 0, 4, 0))
		return SK_PASS;
	data = msg->data;
	data_end = msg->data_end;
	if (data + 4 > data_end)
		return SK_PASS;
	if (*(__u32 *)data != bpf_htonl(0x47455420)) /* "GET " */
		return SK_PASS;
	key.sip4 = msg->remote_ip4;
	key.dip4 = msg->local_ip4;
	key.sport = bpf_ntohl(msg->remote_port);
	key.dport = msg->local_port;
	return bpf_msg_redirect_hash(msg, &sock_ops_map, &key, BPF_F_INGRESS);
}

char LICENSE[] SEC("license") = "GPL";
