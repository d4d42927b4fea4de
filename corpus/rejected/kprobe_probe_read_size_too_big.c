// EXPECT: rejected
// CODE: STACK_OUT_OF_BOUNDS
// INSN: 6
// KERNEL: invalid write to stack R1 off=-64 size=256
// bpf_probe_read_user_str is told the destination holds 256 bytes, but the buffer on the
// stack is 64 bytes (a constant changed in one place only).
#include "corpus_common.h"

#define NAME_LEN 256

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} names SEC(".maps");

SEC("kprobe/do_sys_openat2")
int kprobe_probe_read_size_too_big(struct pt_regs *ctx)
{
	char name[64];

	bpf_probe_read_user_str(name, NAME_LEN, (void *)PT_REGS_PARM2(ctx));
	bpf_perf_event_output(ctx, &names, BPF_F_CURRENT_CPU, name, sizeof(name));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
