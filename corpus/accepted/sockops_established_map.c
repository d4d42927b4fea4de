// EXPECT: accepted
// A sock_ops program in the style of sockmap-based proxies: on every established TCP
// connection it asks for RTT and state callbacks, and files the socket in a SOCKHASH
// keyed by the 4-tuple so an sk_msg program can redirect between the two ends.
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

SEC("sockops")
int sockops_established(struct bpf_sock_ops *skops)
{
	struct sock_key key = {};

	if (skops->family != 2 /* AF_INET */)
		return 1;
	switch (skops->op) {
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		bpf_sock_ops_cb_flags_set(skops, BPF_SOCK_OPS_RTT_CB_FLAG | BPF_SOCK_OPS_STATE_CB_FLAG);
		break;
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		key.sip4 = skops->local_ip4;
		key.dip4 = skops->remote_ip4;
		key.sport = skops->local_port;
		key.dport = bpf_ntohl(skops->remote_port);
		bpf_sock_hash_update(skops, &sock_ops_map, &key, BPF_NOEXIST);
		break;
	case BPF_SOCK_OPS_TIMEOUT_INIT:
		skops->reply = 200; /* a shorter SYN RTO inside the data centre */
		break;
	}
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
