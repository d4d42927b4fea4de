// EXPECT: accepted
// cgroup/post_bind4 policy: services in this cgroup may only bind IPv4 ports above 1024
// or the configured admin port.  (BPF_PROG_TYPE_CGROUP_SOCK, attach type post_bind4.)
#include "corpus_common.h"

volatile const __u32 admin_port = 443;

SEC("cgroup/post_bind4")
int cgroup_sock_post_bind(struct bpf_sock *sk)
{
	__u32 port = sk->src_port;

	if (port == 0 || port > 1024 || port == admin_port)
		return 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
