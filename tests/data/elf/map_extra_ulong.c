// A bloom filter whose map_extra (number of hash functions) is given the way newer
// libbpf's __ulong() spells it: an enum with one enumerator, for 64-bit values.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
  __uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
  __type(value, __u32);
  __uint(max_entries, 256);
  enum { map_extra_value = 5 } map_extra;
} seen SEC(".maps");

SEC("xdp")
int check_seen(struct xdp_md *ctx) {
  __u32 v = ctx->ingress_ifindex;
  return bpf_map_peek_elem(&seen, &v) == 0 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
