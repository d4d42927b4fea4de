// EXPECT: accepted
// Socket creation policy for a sandbox cgroup: raw sockets and packet sockets are
// refused (return 0), everything else allowed; the sandbox's sockets are marked so that
// iptables can match them.
#include "corpus_common.h"

#include <sys/socket.h>
#ifndef SOCK_RAW
#define SOCK_RAW 3
#endif

SEC("cgroup/sock_create")
int cgroup_sock_create(struct bpf_sock *sk)
{
	if (sk->type == SOCK_RAW || sk->family == AF_PACKET)
		return 0;
	sk->mark = 0x5a;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
