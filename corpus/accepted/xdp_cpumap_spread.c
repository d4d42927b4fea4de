// EXPECT: accepted
// Software RSS: hashes the IPv4 source/destination pair and redirects the frame through
// a CPUMAP to one of the configured CPUs, so that one NIC queue can feed many cores.
#include "corpus_common.h"

#define MAX_CPUS 64

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, MAX_CPUS);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpus SEC(".maps");

volatile const __u32 cpu_count = 4;

SEC("xdp")
int xdp_cpumap_spread(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u32 hash, cpu;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	hash = ip->saddr ^ ip->daddr;
	hash ^= hash >> 16;
	hash *= 0x45d9f3b;
	hash ^= hash >> 16;
	if (cpu_count == 0 || cpu_count > MAX_CPUS)
		return XDP_PASS;
	cpu = hash % cpu_count;
	return bpf_redirect_map(&cpus, cpu, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
