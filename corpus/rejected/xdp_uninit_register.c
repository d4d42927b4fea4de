// EXPECT: rejected
// CODE: UNINIT_REGISTER
// INSN: 4
// KERNEL: R5 !read_ok
// Hand-written inline assembly that returns a register it never set on one path (the
// author assumed r0 still held the lookup result after the branch).
#include "corpus_common.h"

SEC("xdp")
int xdp_uninit_register(struct xdp_md *ctx)
{
	int ret;

	asm volatile(
		"r2 = *(u32 *)(%[ctx] + 0)\n"
		"r3 = *(u32 *)(%[ctx] + 4)\n"
		"if r2 == r3 goto +1\n"
		"r5 = 2\n"
		"%[ret] = r5\n"
		: [ret] "=r"(ret)
		: [ctx] "r"(ctx)
		: "r2", "r3", "r5");
	return ret;
}

char LICENSE[] SEC("license") = "GPL";
