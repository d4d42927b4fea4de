// EXPECT: rejected
// CODE: UNRELEASED_REFERENCE
// INSN: 11
// KERNEL: BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region
// An RCU read section opened with bpf_rcu_read_lock is left open on the early return.
#include "corpus_common.h"

extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

SEC("tracepoint/sched/sched_process_exec")
int tp_rcu_unlock_missing(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	bpf_rcu_read_lock();
	if (pid == 1)
		return 0; /* BUG: still inside the RCU read section */
	bpf_rcu_read_unlock();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
