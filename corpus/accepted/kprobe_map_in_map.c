// EXPECT: accepted
// Per-tenant counters with map-in-map: an ARRAY_OF_MAPS holds one hash per tenant
// slot and a HASH_OF_MAPS maps a cgroup id to its own array; the program looks up the
// outer map, then the inner one, and counts the call in both.
#include "corpus_common.h"

struct inner_hash {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} tenant0 SEC(".maps");

struct inner_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct inner_hash);
} tenants SEC(".maps") = {
	.values = {&tenant0},
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 256);
	__type(key, __u64);
	__array(values, struct inner_array);
} per_cgroup SEC(".maps");

SEC("kprobe/do_sys_openat2")
int count_open(struct pt_regs *ctx)
{
	__u32 tenant = bpf_get_smp_processor_id() & 7;
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 cgid = bpf_get_current_cgroup_id();
	__u64 one = 1, *val;
	void *inner;

	inner = bpf_map_lookup_elem(&tenants, &tenant);
	if (inner) {
		val = bpf_map_lookup_elem(inner, &pid);
		if (val)
			__sync_fetch_and_add(val, 1);
		else
			bpf_map_update_elem(inner, &pid, &one, BPF_NOEXIST);
	}
	inner = bpf_map_lookup_elem(&per_cgroup, &cgid);
	if (inner) {
		__u32 slot = pid & 15;
		val = bpf_map_lookup_elem(inner, &slot);
		if (val)
			*val += 1;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
