// EXPECT: rejected
// CODE: UNKNOWN_HELPER
// INSN: 2
// KERNEL: invalid func unknown#195896080
// A CO-RE tracer written for kernels before 5.14 reads task->state, which newer
// kernels renamed to __state, without a bpf_core_field_exists() guard: libbpf cannot
// relocate the access and turns it into a call to the poison helper 0xbad2310, which
// the verifier rejects when it is reached.
#include "corpus_common.h"
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
	long state;
} __attribute__((preserve_access_index));

SEC("kprobe/do_sys_openat2")
int core_removed_field(struct pt_regs *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	long state = BPF_CORE_READ(task, state); /* BUG: no such field on this kernel */

	if (state == 0)
		bpf_printk("running task %d", BPF_CORE_READ(task, pid));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
