// EXPECT: accepted
// A struct map key is only partly filled (the padding bytes and the `vlan` field are
// left uninitialised) and passed to bpf_map_lookup_elem, which reads all 12 bytes.
// A latent bug (lookups miss at random), but a privileged loader (CAP_PERFMON) may read
// uninitialised stack, so the kernel accepts it; an unprivileged one would not.
#include "corpus_common.h"

struct flow_key {
	__be32 saddr;
	__be32 daddr;
	__u8 proto;
	__u8 pad;
	__u16 vlan;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct flow_key);
	__type(value, __u64);
} flows SEC(".maps");

SEC("tc")
int tc_uninit_key_priv(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	struct flow_key key; /* BUG: not zeroed */
	__u64 *bytes;

	if ((void *)(ip + 1) > data_end)
		return TC_ACT_OK;
	key.saddr = ip->saddr;
	key.daddr = ip->daddr;
	key.proto = ip->protocol;
	bytes = bpf_map_lookup_elem(&flows, &key);
	if (bytes)
		*bytes += skb->len;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
