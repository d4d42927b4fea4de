// EXPECT: accepted
// TYPE: socket_filter
// A program in a section name libbpf cannot map to a type ("filters/arp_only"), as older
// loaders (iproute2, custom ones) allowed: the loader sets the type explicitly.  Keeps
// ARP frames only.
#include "corpus_common.h"

SEC("filters/arp_only")
int socket_custom_section(struct __sk_buff *skb)
{
	return skb->protocol == bpf_htons(ETH_P_ARP) ? skb->len : 0;
}

char LICENSE[] SEC("license") = "GPL";
