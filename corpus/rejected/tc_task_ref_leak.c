// EXPECT: rejected
// CODE: UNRELEASED_REFERENCE
// INSN: 10
// KERNEL: Unreleased reference id=2 alloc_insn=2
// The task reference from bpf_task_from_pid is released only when the packet is
// large; small packets leak it.
#include "corpus_common.h"

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

SEC("tc")
int tc_task_ref_leak(struct __sk_buff *skb)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (!t)
		return TC_ACT_OK;
	if (skb->len < 100)
		return TC_ACT_OK; /* BUG: t is never released on this path */
	bpf_task_release(t);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
