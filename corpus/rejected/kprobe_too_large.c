// EXPECT: rejected
// CODE: PROGRAM_TOO_LARGE
// INSN: 7
// KERNEL: BPF program is too large. Processed 1000001 insn
// A hash over a million iterations of a bounded loop: the loop is finite, but the
// verifier walks every iteration and runs out of its one-million-instruction budget.
#include "corpus_common.h"

__u64 result;

SEC("kprobe/do_nanosleep")
int kprobe_too_large(struct pt_regs *ctx)
{
	__u64 h = bpf_get_prandom_u32();

#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < 1000000; i++) {
		h = h * 31 + i;
		barrier_var(h);
	}
	result = h;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
