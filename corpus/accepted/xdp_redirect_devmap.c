// EXPECT: accepted
// XDP forwarding: looks the ingress interface up in a port map and redirects the frame
// through a DEVMAP to the configured egress port (XDP_PASS when none is configured).
#include "corpus_common.h"

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} egress_of SEC(".maps");

SEC("xdp")
int xdp_redirect_devmap(struct xdp_md *ctx)
{
	__u32 ifindex = ctx->ingress_ifindex;
	__u32 *slot = bpf_map_lookup_elem(&egress_of, &ifindex);

	if (!slot)
		return XDP_PASS;
	return bpf_redirect_map(&tx_ports, *slot, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
