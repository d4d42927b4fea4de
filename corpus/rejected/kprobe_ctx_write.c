// EXPECT: rejected
// CODE: CTX_ACCESS
// INSN: 3
// KERNEL: invalid bpf_context access off=112 size=8
// A kprobe that tries to change the probed function's first argument by writing
// pt_regs->di: kprobe contexts are read-only.
#include "corpus_common.h"

SEC("kprobe/do_sys_openat2")
int kprobe_ctx_write(struct pt_regs *ctx)
{
	if (PT_REGS_PARM1(ctx) == (unsigned long)-100)
		ctx->rdi = 0;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
