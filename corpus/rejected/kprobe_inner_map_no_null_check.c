// EXPECT: rejected
// CODE: NULL_POINTER_DEREF
// INSN: 15
// KERNEL: R0 invalid mem access 'map_value_or_null'
// The outer lookup of an ARRAY_OF_MAPS is checked, but the value found in the inner
// map is used without a NULL check.
#include "corpus_common.h"

struct inner_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} slot0 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct inner_array);
} outer SEC(".maps") = {
	.values = {&slot0},
};

SEC("kprobe/do_sys_openat2")
int inner_no_null_check(struct pt_regs *ctx)
{
	__u32 zero = 0, cpu = bpf_get_smp_processor_id() & 15;
	void *inner = bpf_map_lookup_elem(&outer, &zero);
	__u64 *val;

	if (!inner)
		return 0;
	val = bpf_map_lookup_elem(inner, &cpu);
	*val += 1; /* BUG: val may be NULL */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
