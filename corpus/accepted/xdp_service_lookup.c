// EXPECT: accepted
// L4 load balancer front: a (VIP, port, protocol) key looks up a backend in a hash map;
// the destination address is rewritten (with an incremental IP checksum update) and the
// frame is bounced back with XDP_TX.  Unknown services pass to the stack.
#include "corpus_common.h"

struct service_key {
	__be32 vip;
	__be16 port;
	__u8 proto;
	__u8 pad;
};

struct backend {
	__be32 addr;
	unsigned char mac[ETH_ALEN];
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct service_key);
	__type(value, struct backend);
} services SEC(".maps");

static __always_inline __u16 csum_fold(__u32 csum)
{
	csum = (csum & 0xffff) + (csum >> 16);
	csum = (csum & 0xffff) + (csum >> 16);
	return (__u16)~csum;
}

SEC("xdp")
int xdp_service_lookup(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *l4 = (void *)(ip + 1);
	struct service_key key = {};
	struct backend *be;
	__u32 csum;

	if ((void *)(l4 + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		return XDP_PASS;
	if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	key.vip = ip->daddr;
	key.port = l4->dest; /* tcp and udp keep dest at the same offset */
	key.proto = ip->protocol;
	be = bpf_map_lookup_elem(&services, &key);
	if (!be)
		return XDP_PASS;

	csum = (__u16)~ip->check;
	csum += (__u16)~(ip->daddr & 0xffff) + (__u16)~(ip->daddr >> 16);
	csum += (be->addr & 0xffff) + (be->addr >> 16);
	ip->daddr = be->addr;
	ip->check = csum_fold(csum);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, be->mac, ETH_ALEN);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
