// EXPECT: rejected
// CODE: INVALID_RETURN_VALUE
// INSN: 5
// KERNEL: At program exit the register R0 has smin=-1 smax=-1 should have been in [0, 3]
// A cgroup/bind4 policy that forbids privileged ports returns -EPERM, as a syscall
// would; sock_addr programs must return 0 (deny) or 1 (allow).
#include "corpus_common.h"

SEC("cgroup/bind4")
int bind4_no_low_ports(struct bpf_sock_addr *ctx)
{
	if (bpf_ntohs(ctx->user_port) < 1024)
		return -EPERM; /* BUG: must be 0 */
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
