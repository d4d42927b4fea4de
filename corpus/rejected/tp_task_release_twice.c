// EXPECT: rejected
// CODE: INVALID_RELEASE
// INSN: 7
// KERNEL: arg#0 pointer type STRUCT task_struct must point to scalar, or struct with scalar
// The task reference is released twice.
#include "corpus_common.h"

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

SEC("tracepoint/sched/sched_process_exec")
int tp_task_release_twice(void *ctx)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (!t)
		return 0;
	bpf_task_release(t);
	bpf_task_release(t); /* BUG: already released */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
