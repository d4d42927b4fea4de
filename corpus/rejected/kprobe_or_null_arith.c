// EXPECT: rejected
// CODE: INVALID_POINTER_ARITH
// INSN: 10
// KERNEL: R1 pointer arithmetic on map_value_or_null prohibited, null-check it first
// Pointer arithmetic on the result of bpf_map_lookup_elem before the NULL check: the
// developer computes the address of the second field first and checks it afterwards.
#include "corpus_common.h"

struct io_stat {
	__u64 count;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct io_stat);
} io SEC(".maps");

SEC("kprobe/vfs_write")
int kprobe_or_null_arith(struct pt_regs *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct io_stat *st = bpf_map_lookup_elem(&io, &pid);
	__u64 *bytes;

	asm volatile("%[b] = %[s]\n%[b] += 8" : [b] "=r"(bytes) : [s] "r"(st));
	if (!bytes)
		return 0;
	*bytes += PT_REGS_PARM3(ctx);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
