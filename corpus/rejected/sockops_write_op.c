// EXPECT: rejected
// CODE: CTX_ACCESS
// INSN: 3
// KERNEL: invalid bpf_context access off=0 size=4
// A sock_ops program tries to turn the callback it got into another one by writing
// skops->op; only reply, replylong and sk_txhash are writable.
#include "corpus_common.h"

SEC("sockops")
int sockops_write_op(struct bpf_sock_ops *skops)
{
	if (skops->op == BPF_SOCK_OPS_TCP_CONNECT_CB)
		skops->op = BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB; /* BUG: op is read-only */
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
