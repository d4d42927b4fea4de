// EXPECT: rejected
// CODE: NULL_POINTER_DEREF
// INSN: 3
// KERNEL: R0 invalid mem access 'ptr_or_null_'
// bpf_task_from_pid returns NULL when no task has that pid: the result is used
// without a check.
#include "corpus_common.h"

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

SEC("tc")
int tc_task_no_null_check(struct __sk_buff *skb)
{
	struct task_struct *t = bpf_task_from_pid(1);

	skb->mark = t->tgid; /* BUG: t may be NULL */
	bpf_task_release(t);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
