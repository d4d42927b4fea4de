// EXPECT: rejected
// CODE: CALL_DEPTH
// INSN: 34
// KERNEL: the call stack of 9 frames is too deep
// A chain of nine helper layers (each a noinline function) plus the entry point: the
// kernel allows at most eight frames.
#include "corpus_common.h"

#define LAYER(n, next)                                      \
	static __noinline __u64 layer##n(__u64 x)           \
	{                                                   \
		__u64 r = next(x * 3 + n);                  \
		barrier_var(r);                             \
		return r;                                   \
	}

static __noinline __u64 layer9(__u64 x)
{
	barrier_var(x);
	return x ^ 0x5a5a;
}
LAYER(8, layer9)
LAYER(7, layer8)
LAYER(6, layer7)
LAYER(5, layer6)
LAYER(4, layer5)
LAYER(3, layer4)
LAYER(2, layer3)
LAYER(1, layer2)

__u64 result;

SEC("kprobe/do_nanosleep")
int kprobe_call_depth(struct pt_regs *ctx)
{
	result = layer1(bpf_ktime_get_ns());
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
