// EXPECT: rejected
// CODE: INVALID_RETURN_VALUE
// INSN: 30
// KERNEL: At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]
// A bpf_loop callback returns 2 to mean "skip this one": callbacks may only return 0
// (continue) or 1 (stop).
#include "corpus_common.h"

struct scan {
	__u64 sum;
};

static long add_one(__u32 i, void *data)
{
	struct scan *s = data;

	if (i % 3 == 0)
		return 2; /* BUG */
	s->sum += i;
	return 0;
}

__u64 total;

SEC("tracepoint/raw_syscalls/sys_enter")
int tp_bpf_loop_bad_callback_ret(void *ctx)
{
	struct scan s = {};

	bpf_loop(16, add_one, &s, 0);
	total += s.sum;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
