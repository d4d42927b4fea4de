// EXPECT: accepted
// Who allocates? A kprobe on __kmalloc collects kernel stack ids in a STACK_TRACE map and
// sums the requested sizes per stack, as `memleak`/`stackcount` do.
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 4096);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 64 * sizeof(__u64));
} kstacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __s32);
	__type(value, __u64);
} bytes_by_stack SEC(".maps");

SEC("kprobe/__kmalloc")
int BPF_KPROBE(kprobe_stack_traces, unsigned long size)
{
	__s32 id = bpf_get_stackid(ctx, &kstacks, 0);
	__u64 *sum;

	if (id < 0)
		return 0;
	sum = bpf_map_lookup_elem(&bytes_by_stack, &id);
	if (sum)
		__sync_fetch_and_add(sum, size);
	else
		bpf_map_update_elem(&bytes_by_stack, &id, &size, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
