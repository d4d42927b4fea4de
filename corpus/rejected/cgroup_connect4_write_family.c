// EXPECT: rejected
// CODE: CTX_ACCESS
// INSN: 3
// KERNEL: invalid bpf_context access off=28 size=4
// A connect4 hook tries to turn an IPv4 connect into an IPv6 one by writing
// ctx->family; only the user address, port and (for sendmsg) the source address are
// writable.
#include "corpus_common.h"

SEC("cgroup/connect4")
int connect4_write_family(struct bpf_sock_addr *ctx)
{
	if (ctx->user_ip4 == bpf_htonl(0x7f000001))
		ctx->family = 10; /* BUG: family is read-only */
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
