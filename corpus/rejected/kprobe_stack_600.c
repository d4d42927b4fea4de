// EXPECT: rejected
// CODE: STACK_OUT_OF_BOUNDS
// INSN: 2
// KERNEL: invalid write to stack R10 off=-600 size=8
// A 600-byte scratch buffer on the stack.  clang refuses `char buf[600]` outright, so the
// author "worked around" it with inline assembly that zeroes the buffer's first word at
// r10-600, past the 512-byte frame.
#include "corpus_common.h"

SEC("kprobe/do_sys_openat2")
int kprobe_stack_600(struct pt_regs *ctx)
{
	char path[256];
	const char *user_path = (const char *)PT_REGS_PARM2(ctx);

	asm volatile("r1 = 0\n*(u64 *)(r10 - 600) = r1" ::: "r1");
	bpf_probe_read_user_str(path, sizeof(path), user_path);
	return path[0] == '/';
}

char LICENSE[] SEC("license") = "GPL";
