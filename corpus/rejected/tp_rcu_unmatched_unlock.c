// EXPECT: rejected
// CODE: INVALID_RELEASE
// INSN: 8
// KERNEL: unmatched rcu read unlock (kernel function bpf_rcu_read_unlock)
// bpf_rcu_read_unlock without a matching bpf_rcu_read_lock on the path where the
// lock was skipped.
#include "corpus_common.h"

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

SEC("tracepoint/sched/sched_process_exec")
int tp_rcu_unmatched_unlock(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	if (pid != 1)
		bpf_rcu_read_lock();
	bpf_rcu_read_unlock(); /* BUG: not locked when pid == 1 */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
