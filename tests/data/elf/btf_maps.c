// BTF-defined maps (.maps), including an array of maps with its inner map, and
// global data in .data, .rodata and .bss.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct flow_key {
  __u32 saddr;
  __u32 daddr;
  __u16 sport;
  __u16 dport;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __type(key, struct flow_key);
  __type(value, __u64);
  __uint(max_entries, 4096);
  __uint(map_flags, BPF_F_NO_PREALLOC);
} flow_bytes SEC(".maps");

struct inner_array {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(key_size, 4);
  __uint(value_size, 32);
  __uint(max_entries, 8);
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
  __uint(max_entries, 4);
  __type(key, __u32);
  __array(values, struct inner_array);
} outer SEC(".maps");

__u64 packets = 7;                 // .data
const volatile __u32 limit = 1500; // .rodata
__u64 drops;                       // .bss

SEC("xdp")
int xdp_count(struct xdp_md *ctx) {
  struct flow_key k = {.saddr = ctx->ingress_ifindex};
  __u64 *v = bpf_map_lookup_elem(&flow_bytes, &k);
  if (v) *v += 1;
  __u32 idx = 1;
  void *inner = bpf_map_lookup_elem(&outer, &idx);
  if (!inner) return XDP_PASS;
  packets++;
  if (ctx->data_end - ctx->data > limit) {
    drops++;
    return XDP_DROP;
  }
  return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
