// EXPECT: rejected
// CODE: INVALID_RETURN_VALUE
// INSN: 4
// KERNEL: At program exit the register R0 has smin=-1 smax=-1 should have been in [0, 1]
// A socket-creation hook returns -EPERM as an LSM hook would; cgroup/sock_create
// programs must return 1 (allow) or 0 (deny).
#include "corpus_common.h"

SEC("cgroup/sock_create")
int cgroup_sock_bad_return(struct bpf_sock *sk)
{
	if (sk->protocol == IPPROTO_UDP)
		return -EPERM;
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
