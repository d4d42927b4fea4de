// EXPECT: rejected
// CODE: GPL_ONLY_HELPER
// INSN: 6
// KERNEL: cannot call GPL-restricted function from non-GPL compatible program
// A proprietary-licensed tracer calls bpf_trace_printk, which is GPL-only.
#include "corpus_common.h"

SEC("kprobe/do_unlinkat")
int kprobe_gpl_printk(struct pt_regs *ctx)
{
	bpf_printk("unlink by pid %d", bpf_get_current_pid_tgid() >> 32);
	return 0;
}

char LICENSE[] SEC("license") = "Proprietary";
