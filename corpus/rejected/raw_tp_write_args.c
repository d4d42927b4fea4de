// EXPECT: rejected
// CODE: CTX_ACCESS
// INSN: 3
// KERNEL: invalid bpf_context access off=8 size=8
// A raw tracepoint that tries to "block" a syscall by overwriting the syscall number in
// args[1]: raw tracepoint arguments are read-only.
#include "corpus_common.h"

#define NR_ptrace 101

SEC("raw_tracepoint/sys_enter")
int raw_tp_write_args(struct bpf_raw_tracepoint_args *ctx)
{
	if (ctx->args[1] == NR_ptrace)
		ctx->args[1] = -1; /* BUG */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
