// EXPECT: rejected
// CODE: HELPER_NOT_ALLOWED
// INSN: 1
// KERNEL: calling kernel function bpf_task_from_pid is not allowed
// Kprobe programs get no task kfuncs (they are registered for tracing, TC and XDP
// programs): bpf_task_from_pid is refused.
#include "corpus_common.h"

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

SEC("kprobe/do_nanosleep")
int kprobe_task_kfunc_not_allowed(struct pt_regs *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (t)
		bpf_task_release(t);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
