// EXPECT: accepted
// A tracepoint program builds a cpumask with the cpumask kfuncs: create (may fail),
// set the current CPU, test it, and release the mask.
#include "corpus_common.h"

struct bpf_cpumask {
	int x;
} __attribute__((preserve_access_index));
struct cpumask {
	int x;
} __attribute__((preserve_access_index));

extern struct bpf_cpumask *bpf_cpumask_create(void) __ksym;
extern void bpf_cpumask_release(struct bpf_cpumask *cpumask) __ksym;
extern void bpf_cpumask_set_cpu(__u32 cpu, struct bpf_cpumask *cpumask) __ksym;
extern _Bool bpf_cpumask_test_cpu(__u32 cpu, const struct cpumask *cpumask) __ksym;

SEC("tracepoint/sched/sched_process_exec")
int tp_cpumask_ok(void *ctx)
{
	struct bpf_cpumask *m = bpf_cpumask_create();
	__u32 cpu = bpf_get_smp_processor_id();
	int hit;

	if (!m)
		return 0;
	bpf_cpumask_set_cpu(cpu, m);
	hit = bpf_cpumask_test_cpu(cpu, (const struct cpumask *)m);
	bpf_cpumask_release(m);
	return hit;
}

char LICENSE[] SEC("license") = "GPL";
