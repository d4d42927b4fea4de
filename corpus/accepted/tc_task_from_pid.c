// EXPECT: accepted
// A TC classifier looks up the task of a configured pid with the bpf_task_from_pid
// kfunc, reads its tgid, and releases the task reference on every path.
#include "corpus_common.h"

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

const volatile __s32 watched_pid = 1;

SEC("tc")
int tc_task_from_pid(struct __sk_buff *skb)
{
	struct task_struct *t = bpf_task_from_pid(watched_pid);
	int tgid;

	if (!t)
		return TC_ACT_OK;
	tgid = t->tgid;
	bpf_task_release(t);
	skb->mark = tgid;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
