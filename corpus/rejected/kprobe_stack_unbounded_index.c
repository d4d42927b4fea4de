// EXPECT: rejected
// CODE: UNBOUNDED_ACCESS
// INSN: 25
// KERNEL: invalid unbounded variable-offset read from stack R2
// A histogram on the stack indexed by a value read from a kernel argument with no
// bounds check at all.
#include "corpus_common.h"

__u64 hist_out[16];

SEC("kprobe/blk_account_io_done")
int kprobe_stack_unbounded_index(struct pt_regs *ctx)
{
	__u64 hist[16] = {};
	unsigned long bucket = PT_REGS_PARM2(ctx) >> 20;

	hist[bucket] += 1; /* BUG: bucket is not checked against 16 */
	hist_out[0] = hist[0];
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
