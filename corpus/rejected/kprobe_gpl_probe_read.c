// EXPECT: rejected
// CODE: GPL_ONLY_HELPER
// INSN: 12
// KERNEL: cannot call GPL-restricted function from non-GPL compatible program
// A closed-source agent reads a kernel argument with bpf_probe_read (GPL-only) under a
// "Proprietary" license.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} sizes SEC(".maps");

SEC("kprobe/vfs_write")
int kprobe_gpl_probe_read(struct pt_regs *ctx)
{
	__u64 count = 0;
	__u32 pid = bpf_get_current_pid_tgid() >> 32;

	bpf_probe_read(&count, sizeof(count), (void *)&PT_REGS_PARM3(ctx));
	bpf_map_update_elem(&sizes, &pid, &count, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "Proprietary";
