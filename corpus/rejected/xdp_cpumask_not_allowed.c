// EXPECT: rejected
// CODE: HELPER_NOT_ALLOWED
// INSN: 0
// KERNEL: calling kernel function bpf_cpumask_create is not allowed
// The cpumask kfuncs are registered for tracing programs only, not XDP.
#include "corpus_common.h"

struct bpf_cpumask {
	int x;
} __attribute__((preserve_access_index));

extern struct bpf_cpumask *bpf_cpumask_create(void) __ksym;
extern void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym;

SEC("xdp")
int xdp_cpumask_not_allowed(struct xdp_md *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create(); /* BUG: not for XDP */

	if (m)
		bpf_cpumask_release(m);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
